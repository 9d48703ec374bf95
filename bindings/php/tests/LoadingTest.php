<?php

declare(strict_types=1);

namespace Onderwijsregio\Tests;

use Onderwijsregio\Library;
use Onderwijsregio\Signer;
use Onderwijsregio\Tests\Support\Process;
use Onderwijsregio\Tests\Support\TestCase;

final class LoadingTest extends TestCase
{
    private const PROBE = 'require getenv("OREG_AUTOLOAD"); try { echo Onderwijsregio\Library::version(), "\n"; } '
        . 'catch (Onderwijsregio\Exception\LibraryException $e) { echo get_class($e), ": ", $e->getMessage(), "\n"; exit(3); }';

    public function testFfiDisabledNamesTheSetting(): void
    {
        $run = Process::run([PHP_BINARY, '-d', 'ffi.enable=0', '-r', self::PROBE],
            Process::env(['OREG_AUTOLOAD' => self::repo('bindings/php/autoload.php')]));
        $this->assertSame(3, $run['status'], $run['stdout'] . $run['stderr']);
        $this->assertStringContainsString('FfiUnavailableException', $run['stdout']);
        $this->assertStringContainsString('ffi.enable', $run['stdout']);
    }

    public function testLibraryNotFoundListsThePlaces(): void
    {
        $system = Process::run(['/sbin/ldconfig', '-p']);
        if (str_contains($system['stdout'], Library::SONAME)) {
            $this->markTestSkipped('a system copy of ' . Library::SONAME . ' is installed');
        }
        $copy = sys_get_temp_dir() . '/php-binding-copy-' . bin2hex(random_bytes(4));
        mkdir("$copy/src/Exception", 0777, true);
        mkdir("$copy/preload");
        foreach (array_merge(glob(self::repo('bindings/php/src/*.php')), glob(self::repo('bindings/php/src/Exception/*.php'))) as $file) {
            copy($file, $copy . substr($file, strlen(self::repo('bindings/php'))));
        }
        copy(self::repo('bindings/php/preload/onderwijsregio.h'), "$copy/preload/onderwijsregio.h");
        copy(self::repo('bindings/php/autoload.php'), "$copy/autoload.php");
        try {
            $run = Process::run([PHP_BINARY, '-d', 'ffi.enable=1', '-r', self::PROBE], Process::env([
                'OREG_AUTOLOAD' => "$copy/autoload.php", 'ONDERWIJSREGIO_LIB' => '/nowhere/libonderwijsregio.so.0',
                'LD_LIBRARY_PATH' => null]));
            $this->assertSame(3, $run['status'], $run['stdout'] . $run['stderr']);
            foreach (['LibraryNotFoundException', '/nowhere/libonderwijsregio.so.0', "$copy/lib/libonderwijsregio.so.0",
                '/usr/local/lib/libonderwijsregio.so.0', '/usr/lib/libonderwijsregio.so.0', 'ONDERWIJSREGIO_LIB',
                "Failed loading 'libonderwijsregio.so.0'"] as $place) {
                $this->assertStringContainsString($place, $run['stdout']);
            }
        } finally {
            Process::run(['rm', '-rf', $copy]);
        }
    }

    public function testShippedPreloadHeaderMatchesTheLibrarysDeclarations(): void
    {
        $run = Process::run(['bash', self::repo('bindings/php/bin/generate-preload.sh'), '--output', '-']);
        $this->assertSame(0, $run['status'], $run['stderr']);
        $this->assertSame($run['stdout'], file_get_contents(self::repo('bindings/php/preload/onderwijsregio.h')),
            'regenerate with bindings/php/bin/generate-preload.sh');
        $this->assertStringStartsWith("#define FFI_SCOPE \"onderwijsregio\"\n#define FFI_LIB \"libonderwijsregio.so.0\"\n", $run['stdout']);
    }

    /**
     * One run under a non-CLI SAPI (php-cgi) with the hardened ffi.enable=preload: the
     * declarations and classes preloaded, a script validating a payload and verifying a signed
     * callback through the preloaded scope, while FFI::cdef stays refused to it.
     */
    public function testPhpCgiWithPreload(): void
    {
        $cgi = trim(Process::run(['sh', '-c', 'command -v php-cgi'])['stdout']);
        if ($cgi === '') {
            $this->fail('php-cgi is not installed');
        }
        $dir = sys_get_temp_dir() . '/php-binding-cgi-' . bin2hex(random_bytes(4));
        mkdir($dir);
        $header = "$dir/onderwijsregio.h";
        $lib = realpath((string) getenv('ONDERWIJSREGIO_LIB')) ?: self::repo('dist/lib/libonderwijsregio.so.0');
        $generated = Process::run(['bash', self::repo('bindings/php/bin/generate-preload.sh'), '--lib', $lib, '--output', $header]);
        $this->assertSame(0, $generated['status'], $generated['stderr']);
        $secret = 'cgi-test-secret-0123456789';
        $headers = Signer::headers($secret, '/hook?x=1', '{"ok":true}');
        file_put_contents("$dir/script.php", '<?php
use Onderwijsregio\{Library, Schema, Verifier};
echo PHP_SAPI, " ", ini_get("ffi.enable"), " ", Library::source(), "\n";
$schema = Schema::compile(file_get_contents(' . var_export(self::fixtures() . '/schema/candidate-create.schema.json', true) . '));
echo "valid:", json_encode($schema->isValid(["email" => "a@b.nl", "firstName" => "A", "lastName" => "B", "privacyConsent" => true])), "\n";
echo "fields:", implode(",", array_keys($schema->validate(["email" => "x"])->messagesByField())), "\n";
(new Verifier(' . var_export($secret, true) . '))->verify("/hook?x=1", "{\"ok\":true}", ' . var_export($headers, true) . ');
echo "verified\n";
try { FFI::cdef("int abs(int);"); echo "cdef allowed\n"; } catch (FFI\Exception $e) { echo "cdef refused\n"; }
');
        try {
            $run = Process::run([$cgi, '-q', '-d', 'ffi.enable=preload', '-d', "ffi.preload=$header", '-d', 'opcache.enable=1',
                '-d', 'opcache.preload=' . self::repo('bindings/php/preload/preload.php'), '-d', 'opcache.preload_user=root',
                '-f', "$dir/script.php"], Process::env(['ONDERWIJSREGIO_LIB' => null]));
            $this->assertSame(0, $run['status'], $run['stdout'] . $run['stderr']);
            $this->assertSame("cgi-fcgi preload scope onderwijsregio\nvalid:true\nfields:firstName,lastName,privacyConsent,email\nverified\ncdef refused\n",
                $run['stdout'], $run['stderr']);
        } finally {
            Process::run(['rm', '-rf', $dir]);
        }
    }

    public function testPhpCgiWithoutPreloadExplainsTheSetup(): void
    {
        $cgi = trim(Process::run(['sh', '-c', 'command -v php-cgi'])['stdout']);
        file_put_contents($script = sys_get_temp_dir() . '/php-binding-probe-' . getmypid() . '.php', '<?php ' . self::PROBE);
        $run = Process::run([$cgi, '-q', '-d', 'ffi.enable=preload', '-f', $script],
            Process::env(['OREG_AUTOLOAD' => self::repo('bindings/php/autoload.php')]));
        unlink($script);
        $this->assertStringContainsString('FfiUnavailableException', $run['stdout'], $run['stderr']);
        $this->assertStringContainsString('opcache.preload', $run['stdout']);
        $this->assertStringContainsString('ffi.enable', $run['stdout']);
    }
}
