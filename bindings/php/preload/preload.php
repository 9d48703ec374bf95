<?php

/*
 * opcache.preload script of the Onderwijsregio PHP binding, for PHP-FPM (and every other SAPI)
 * under the hardened default ffi.enable=preload:
 *
 *   ffi.enable=preload
 *   opcache.enable=1
 *   opcache.preload=/path/to/vendor/onderwijsregio/onderwijsregio/preload/preload.php
 *   opcache.preload_user=www-data
 *   ffi.preload=/path/to/vendor/onderwijsregio/onderwijsregio/preload/onderwijsregio.h
 *
 * (ffi.preload is needed where PHP starts as root, as the PHP-FPM master does: there preloading
 * runs in a child as opcache.preload_user and PHP refuses FFI::load(). Elsewhere this script
 * loads the declarations itself.) It loads the library's declarations into the FFI scope "onderwijsregio" (FFI::load of
 * onderwijsregio.h next to this file, whose FFI_LIB line names the library; regenerate it with
 * bin/generate-preload.sh --lib /absolute/path/libonderwijsregio.so.0 when the library is not in
 * the dynamic linker's path) and preloads the binding's classes, so that Library::ffi() finds the
 * scope and the FFI calls come from preloaded code.
 *
 * ONDERWIJSREGIO_PRELOAD_HEADER, when set in the environment of the PHP master process, names
 * another declaration file (tests use one with an absolute FFI_LIB).
 */

declare(strict_types=1);

$header = getenv('ONDERWIJSREGIO_PRELOAD_HEADER') ?: __DIR__ . '/onderwijsregio.h';
try {
    FFI::scope('onderwijsregio'); // already loaded by ffi.preload
} catch (FFI\Exception) {
    try {
        if (FFI::load($header) === null) {
            throw new RuntimeException("onderwijsregio preload: FFI::load($header) failed (is its FFI_LIB loadable?)");
        }
    } catch (FFI\Exception $e) {
        if (str_contains($e->getMessage(), 'preload_user')) {
            // The master runs as root and preloads in a child as opcache.preload_user, where PHP
            // refuses FFI::load: the declarations must come from ffi.preload instead.
            throw new RuntimeException("onderwijsregio preload: PHP runs as root with opcache.preload_user, where "
                . "FFI::load() is refused: add ffi.preload=$header to php.ini", 0, $e);
        }
        throw $e;
    }
}

$src = dirname(__DIR__) . '/src';
spl_autoload_register(static function (string $class) use ($src): void {
    $prefix = 'Onderwijsregio\\';
    if (str_starts_with($class, $prefix)) {
        $file = $src . '/' . str_replace('\\', '/', substr($class, strlen($prefix))) . '.php';
        if (is_file($file)) {
            require_once $file;
        }
    }
});
$files = new RecursiveIteratorIterator(new RecursiveDirectoryIterator($src, FilesystemIterator::SKIP_DOTS));
foreach ($files as $file) {
    if ($file->getExtension() === 'php') {
        $relative = substr($file->getPathname(), strlen($src) + 1, -4);
        $class = 'Onderwijsregio\\' . str_replace('/', '\\', $relative);
        class_exists($class) || interface_exists($class) || trait_exists($class);
    }
}
