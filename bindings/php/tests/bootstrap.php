<?php

/*
 * Bootstrap of the binding's PHPUnit tests: the binding's autoloader, the test support classes,
 * and one local API simulator (tools/simulator/server.py) for the whole run, stopped at the end.
 *
 *   ONDERWIJSREGIO_LIB        the library (default: dist/lib/libonderwijsregio.so.0 of this repository)
 *   ONDERWIJSREGIO_FIXTURES   the shared fixtures (default: ../shared/fixtures next to the repository)
 *   PYTHON                    the simulator's interpreter (default: python3)
 */

declare(strict_types=1);

require dirname(__DIR__) . '/autoload.php';
require __DIR__ . '/Support/Simulator.php';
require __DIR__ . '/Support/Process.php';
require __DIR__ . '/Support/TestCase.php';

use Onderwijsregio\Tests\Support\Simulator;

if (getenv('ONDERWIJSREGIO_LIB') === false) {
    putenv('ONDERWIJSREGIO_LIB=' . dirname(__DIR__, 3) . '/dist/lib/libonderwijsregio.so.0');
}
if (!in_array(strtolower((string) ini_get('ffi.enable')), ['1', 'on', 'true', 'yes'], true) && PHP_SAPI !== 'cli') {
    fwrite(STDERR, "the tests need FFI: run phpunit with -d ffi.enable=1\n");
}

Simulator::start();
register_shutdown_function([Simulator::class, 'stop']);
