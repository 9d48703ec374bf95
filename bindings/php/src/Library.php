<?php

declare(strict_types=1);

namespace Onderwijsregio;

use FFI;
use FFI\CData;
use Onderwijsregio\Exception\EncodingException;
use Onderwijsregio\Exception\FfiUnavailableException;
use Onderwijsregio\Exception\InvalidJsonException;
use Onderwijsregio\Exception\LibraryNotFoundException;
use Onderwijsregio\Exception\MisuseException;
use Throwable;

/**
 * Finds and loads libonderwijsregio once per process, and holds the helpers every class uses to
 * call it: JSON in, status and owned buffers out, each buffer freed with oreg_free().
 *
 * Where the library comes from, in this order:
 *  1. FFI::scope('onderwijsregio'): the declarations preloaded by preload/preload.php
 *     (the only way under the hardened default ffi.enable=preload in PHP-FPM and other
 *     non-CLI SAPIs);
 *  2. FFI::cdef() with preload/onderwijsregio.h (its #define lines removed), where FFI::cdef is
 *     allowed (ffi.enable=1, or the CLI under ffi.enable=preload), trying in turn the path in
 *     the environment variable ONDERWIJSREGIO_LIB, the copy bundled with this package
 *     (lib/ next to src/), a build of the repository this binding lives in (dist/lib/), the
 *     usual install directories, and last the bare soname libonderwijsregio.so.0 (the dynamic
 *     linker's search: LD_LIBRARY_PATH, ld.so.cache).
 *
 * @internal the public API is Client, Schema, Verifier and Signer; Library::version() and
 *           Library::bindingVersion() are public for diagnostics.
 */
final class Library
{
    public const BINDING_VERSION = '0.1.0';
    public const SCOPE = 'onderwijsregio';
    public const SONAME = 'libonderwijsregio.so.0';
    /** The oldest library version (major * 1000000 + minor * 1000 + patch) this binding supports. */
    public const MIN_LIBRARY_VERSION = 1000;

    public const OK = 0;
    public const INVALID = 1;
    public const STALE = 2;
    public const QUEUED = 3;

    private const JSON_FLAGS = JSON_THROW_ON_ERROR | JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE
        | JSON_PRESERVE_ZERO_FRACTION;

    private static ?FFI $ffi = null;
    private static ?string $source = null;

    /** The loaded library (loaded on first use). */
    public static function ffi(): FFI
    {
        return self::$ffi ??= self::load();
    }

    /** How the library was loaded: "scope onderwijsregio" or "cdef <path>". */
    public static function source(): string
    {
        self::ffi();
        return (string) self::$source;
    }

    /** The library's version, for example "0.1.0". */
    public static function version(): string
    {
        return (string) self::ffi()->oreg_version();
    }

    public static function bindingVersion(): string
    {
        return self::BINDING_VERSION;
    }

    /** The declarations file shipped with this package (FFI::load format, with #define lines). */
    public static function headerPath(): string
    {
        return dirname(__DIR__) . '/preload/onderwijsregio.h';
    }

    /**
     * The places FFI::cdef() tries, in order (key: a description, value: what dlopen() gets).
     *
     * @return array<string, string>
     */
    public static function candidatePaths(): array
    {
        $candidates = [];
        $env = getenv('ONDERWIJSREGIO_LIB');
        if ($env !== false && $env !== '') {
            $candidates['ONDERWIJSREGIO_LIB'] = $env;
        }
        $package = dirname(__DIR__);
        $candidates['bundled'] = $package . '/lib/' . self::SONAME;
        $candidates['repository build'] = dirname($package, 2) . '/dist/lib/' . self::SONAME;
        foreach (['/usr/local/lib', '/usr/lib/' . self::multiarch(), '/usr/lib', '/usr/lib64'] as $dir) {
            $candidates[$dir] = $dir . '/' . self::SONAME;
        }
        $candidates['system'] = self::SONAME;
        return $candidates;
    }

    private static function multiarch(): string
    {
        $machine = php_uname('m');
        return match ($machine) {
            'x86_64', 'amd64' => 'x86_64-linux-gnu',
            'aarch64', 'arm64' => 'aarch64-linux-gnu',
            default => $machine . '-linux-gnu',
        };
    }

    private static function load(): FFI
    {
        if (!extension_loaded('ffi') || !class_exists(FFI::class)) {
            throw new FfiUnavailableException(
                "PHP's FFI extension (ext-ffi) is not loaded, and the Onderwijsregio binding calls "
                . 'libonderwijsregio through it: install it (Debian: it is part of php8.x-common; '
                . 'elsewhere build PHP with --with-ffi), enable it with extension=ffi, and set '
                . 'ffi.enable=preload (with opcache.preload) or ffi.enable=1 in php.ini.'
            );
        }
        $setting = strtolower(trim((string) ini_get('ffi.enable')));
        if (in_array($setting, ['0', '', 'off', 'false', 'no'], true)) {
            throw new FfiUnavailableException(sprintf(
                'FFI is disabled in this PHP (ffi.enable=%s), and the Onderwijsregio binding needs it: '
                . 'set ffi.enable=preload in php.ini and preload %s with opcache.preload (PHP-FPM, '
                . 'recommended), or set ffi.enable=1 (CLI, tests).',
                $setting === '' ? '0' : $setting,
                dirname(__DIR__) . '/preload/preload.php'
            ));
        }

        // 1. Declarations preloaded by preload.php (FFI::load with FFI_SCOPE "onderwijsregio").
        try {
            $ffi = FFI::scope(self::SCOPE);
            self::$source = 'scope ' . self::SCOPE;
            return self::checked($ffi);
        } catch (FFI\Exception) {
            // not preloaded: try FFI::cdef below
        }

        // 2. FFI::cdef where it is allowed.
        $header = self::headerPath();
        $declarations = @file_get_contents($header);
        if ($declarations === false) {
            throw new LibraryNotFoundException("cannot read the binding's FFI declarations $header");
        }
        $declarations = preg_replace('/^\s*#.*$/m', '', $declarations);
        $tried = [];
        foreach (self::candidatePaths() as $where => $path) {
            if ($where !== 'system' && !is_file($path)) {
                $tried[] = "$path ($where: no such file)";
                continue;
            }
            try {
                $ffi = FFI::cdef($declarations, $path);
            } catch (FFI\Exception $e) {
                if (str_contains($e->getMessage(), 'ffi.enable')) {
                    throw new FfiUnavailableException(sprintf(
                        'FFI is restricted to preloaded code in this PHP (ffi.enable=%s, SAPI %s) and the '
                        . 'Onderwijsregio declarations were not preloaded: add opcache.preload=%s '
                        . '(with opcache.enable=1 and opcache.preload_user) to php.ini, or set ffi.enable=1.',
                        $setting,
                        PHP_SAPI,
                        dirname(__DIR__) . '/preload/preload.php'
                    ), 0, $e);
                }
                $tried[] = "$path ($where: " . $e->getMessage() . ')';
                continue;
            }
            self::$source = 'cdef ' . $path;
            return self::checked($ffi);
        }
        throw new LibraryNotFoundException(
            'libonderwijsregio was not found. Looked in: ' . implode('; ', $tried)
            . '. Set ONDERWIJSREGIO_LIB to the library\'s path, or install it (make install; ldconfig).',
            $tried
        );
    }

    private static function checked(FFI $ffi): FFI
    {
        $number = (int) $ffi->oreg_version_number();
        if ($number < self::MIN_LIBRARY_VERSION || intdiv($number, 1000000) !== intdiv(self::MIN_LIBRARY_VERSION, 1000000)) {
            throw new LibraryNotFoundException(sprintf(
                'libonderwijsregio %s (%s) is not supported by this binding %s (needs %d.%d or later, same major)',
                (string) $ffi->oreg_version(),
                (string) self::$source,
                self::BINDING_VERSION,
                intdiv(self::MIN_LIBRARY_VERSION, 1000000),
                intdiv(self::MIN_LIBRARY_VERSION % 1000000, 1000)
            ));
        }
        return $ffi;
    }

    // --- helpers for the other classes ------------------------------------------------------

    /**
     * JSON text of a PHP value, refusing (before any library call) strings that are not UTF-8.
     *
     * @throws EncodingException
     */
    public static function encode(mixed $value, string $what): string
    {
        try {
            return json_encode($value, self::JSON_FLAGS);
        } catch (\JsonException $e) {
            $where = self::findBadString($value, '');
            $message = $where !== null
                ? sprintf('%s: the string at %s is not valid UTF-8; convert it (mb_convert_encoding) before sending', $what, $where === '' ? '/' : $where)
                : sprintf('%s cannot be encoded as JSON: %s', $what, $e->getMessage());
            throw new EncodingException($message, 0, $e);
        }
    }

    /** A JSON Pointer to the first string (value or key) that is not UTF-8, or null. */
    private static function findBadString(mixed $value, string $pointer): ?string
    {
        if (is_string($value)) {
            return preg_match('//u', $value) === 1 ? null : $pointer;
        }
        if (is_object($value) && !$value instanceof \JsonSerializable) {
            $value = get_object_vars($value);
        }
        if (is_array($value)) {
            foreach ($value as $key => $item) {
                $segment = str_replace(['~', '/'], ['~0', '~1'], (string) $key);
                if (is_string($key) && preg_match('//u', $key) !== 1) {
                    return $pointer . '/' . $segment . ' (the key)';
                }
                $found = self::findBadString($item, $pointer . '/' . $segment);
                if ($found !== null) {
                    return $found;
                }
            }
        }
        return null;
    }

    /**
     * JSON text to hand to the library: strings are taken as JSON text already, everything
     * else is encoded.
     */
    public static function jsonText(mixed $value, string $what): string
    {
        return is_string($value) ? $value : self::encode($value, $what);
    }

    /** @return mixed the decoded JSON (objects as arrays) */
    public static function decode(string $json, string $what): mixed
    {
        try {
            return json_decode($json, true, 1024, JSON_THROW_ON_ERROR | JSON_BIGINT_AS_STRING);
        } catch (\JsonException $e) {
            throw new InvalidJsonException("$what is not JSON: " . $e->getMessage(), 0, $e);
        }
    }

    /** A NUL-terminated argument must not contain NUL: the library would see only a prefix. */
    public static function cString(?string $value, string $what): ?string
    {
        if ($value !== null && str_contains($value, "\0")) {
            throw new MisuseException("$what contains a NUL byte");
        }
        return $value;
    }

    /** A fresh char* out-parameter (NULL). */
    public static function outString(): CData
    {
        return self::ffi()->new('char *');
    }

    /**
     * Copies and frees a char* out-parameter the library filled; null when it is NULL.
     */
    public static function take(CData $out): ?string
    {
        if (FFI::isNull($out)) {
            return null;
        }
        try {
            return FFI::string($out);
        } finally {
            self::ffi()->oreg_free($out);
        }
    }

    /** @return array<string, mixed> oreg_last_error() of this thread, decoded */
    public static function lastError(): array
    {
        $text = (string) self::ffi()->oreg_last_error();
        try {
            $error = json_decode($text, true, 64, JSON_THROW_ON_ERROR);
        } catch (\JsonException) {
            $error = null;
        }
        return is_array($error) ? $error : ['status' => -99, 'name' => 'OREG_ERR_INTERNAL', 'message' => $text];
    }

    /** The exception for a failed call: the status and oreg_last_error(), read right away. */
    public static function failure(int $status, string $context): Throwable
    {
        $error = self::lastError();
        if (($error['status'] ?? null) !== $status) {
            // oreg_last_error() describes another failure: keep the status we were given
            $error = ['status' => $status, 'name' => (string) self::ffi()->oreg_status_name($status),
                'message' => "$context failed"];
        }
        return Exception\OnderwijsregioException::fromError($error, $context);
    }

    /** @internal resets the cached handle (tests) */
    public static function reset(): void
    {
        self::$ffi = null;
        self::$source = null;
    }
}
