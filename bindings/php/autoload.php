<?php

/*
 * A PSR-4 autoloader for the binding without Composer: require this file, then use the classes of
 * the Onderwijsregio namespace. (With Composer, vendor/autoload.php does the same.)
 */

declare(strict_types=1);

spl_autoload_register(static function (string $class): void {
    $prefix = 'Onderwijsregio\\';
    if (str_starts_with($class, $prefix)) {
        $file = __DIR__ . '/src/' . str_replace('\\', '/', substr($class, strlen($prefix))) . '.php';
        if (is_file($file)) {
            require_once $file;
        }
    }
});
