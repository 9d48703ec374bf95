<?php

declare(strict_types=1);

namespace Onderwijsregio;

use FFI;
use Onderwijsregio\Exception\MisuseException;

/**
 * Verifies the Mutation Engine's signed callbacks (x-mutationengine-timestamp, -nonce,
 * -signature: v2=<base64 HMAC-SHA256> over timestamp, nonce, request target and raw body).
 *
 *     $verifier = new Verifier([getenv('ONDERWIJSREGIO_SIGNING_SECRET')], replayStore: '/var/lib/site/oreg-replay.db');
 *     try {
 *         $verifier->verifyFromGlobals();          // $_SERVER['REQUEST_URI'] and php://input, raw
 *     } catch (ReplayException) {
 *         http_response_code(204); exit;           // delivered before and processed then
 *     } catch (SignatureException) {
 *         http_response_code(401); exit;           // process nothing
 *     }
 *
 * Pass the bytes as received: the request target undecoded ($_SERVER['REQUEST_URI']) and the raw
 * body (file_get_contents('php://input')), never a re-encoded copy.
 */
final class Verifier
{
    use OwnsHandle;

    public const HEADER_TIMESTAMP = 'x-mutationengine-timestamp';
    public const HEADER_NONCE = 'x-mutationengine-nonce';
    public const HEADER_SIGNATURE = 'x-mutationengine-signature';
    private const HANDLE_FREE = 'oreg_verifier_free';
    private const HANDLE_GONE = 'the verifier was closed';

    /**
     * @param string|list<string> $secrets the region's signing secret(s), each at least 16 bytes;
     *        several during a key rotation (any may match)
     * @param int $tolerance seconds the timestamp may lie from the clock (1-86400)
     * @param string|null|false $replayStore a path: an SQLite file shared by every process on the
     *        host (use it under PHP-FPM); null: this process's memory; false: no replay protection
     * @param int|null $maxEntries bound of the replay store (default 100000)
     */
    public function __construct(string|array $secrets, int $tolerance = 300, string|null|false $replayStore = null,
                                ?int $maxEntries = null)
    {
        $options = ['secrets' => array_values((array) $secrets), 'toleranceSeconds' => $tolerance];
        if ($replayStore === false) {
            $options['replayStore'] = false;
        } elseif ($replayStore !== null || $maxEntries !== null) {
            $store = [];
            if ($replayStore !== null) {
                $store['path'] = $replayStore;
            }
            if ($maxEntries !== null) {
                $store['maxEntries'] = $maxEntries;
            }
            $options['replayStore'] = $store;
        }
        try {
            $json = Library::cString(Library::encode($options, 'the verifier options'), 'the verifier options');
        } catch (Exception\EncodingException $e) {
            // never quote a secret
            throw new Exception\EncodingException('the verifier options: a secret or the replay store path is not valid UTF-8');
        }
        $ffi = Library::ffi();
        $out = $ffi->new('oreg_verifier *');
        $status = $ffi->oreg_verifier_new($json, FFI::addr($out));
        if ($status !== Library::OK) {
            throw Library::failure($status, 'oreg_verifier_new');
        }
        $this->handle = $out;
    }

    /**
     * Verifies one callback; returns when it is genuine and fresh (act on it), throws otherwise:
     * HeaderException, SignatureException, TimestampException (answer 401 and process nothing),
     * ReplayException (genuine but seen before: answer 2xx and process nothing), IoException
     * (the replay store failed: answer 5xx, the engine delivers again).
     *
     * @param string $pathAndQuery the request target as received ("/hooks/oreg?site=3")
     * @param string $body the raw body
     * @param array<string, string|list<string>> $headers the request headers; names in any case,
     *        also as $_SERVER keys (HTTP_X_MUTATIONENGINE_TIMESTAMP)
     * @param int|null $now Unix time, null for the clock
     */
    public function verify(string $pathAndQuery, string $body, array $headers, ?int $now = null): void
    {
        $timestamp = self::header($headers, self::HEADER_TIMESTAMP);
        $nonce = self::header($headers, self::HEADER_NONCE);
        $signature = self::header($headers, self::HEADER_SIGNATURE);
        $status = Library::ffi()->oreg_verifier_verify($this->handle(), Library::cString($pathAndQuery, 'the request target'),
            $body, strlen($body), self::headerValue($timestamp), self::headerValue($nonce), self::headerValue($signature),
            $now ?? 0);
        if ($status !== Library::OK) {
            throw Library::failure($status, 'callback verification');
        }
    }

    /**
     * verify() with this request: $_SERVER['REQUEST_URI'], the x-mutationengine-* headers from
     * $_SERVER and the raw body from php://input.
     */
    public function verifyFromGlobals(?int $now = null): void
    {
        $target = $_SERVER['REQUEST_URI'] ?? null;
        if (!is_string($target) || $target === '') {
            throw new MisuseException('verifyFromGlobals: $_SERVER[\'REQUEST_URI\'] is not set (not an HTTP request)');
        }
        $body = file_get_contents('php://input');
        $this->verify($target, $body === false ? '' : $body, $_SERVER, $now);
    }

    /** @param array<string, mixed> $headers */
    private static function header(array $headers, string $name): ?string
    {
        $server = 'HTTP_' . strtoupper(str_replace('-', '_', $name));
        foreach ($headers as $key => $value) {
            $key = (string) $key;
            if (strcasecmp($key, $name) === 0 || $key === $server) {
                if (is_array($value)) {
                    $value = count($value) === 1 ? reset($value) : implode(' ', $value);
                }
                return is_scalar($value) ? (string) $value : null;
            }
        }
        return null;
    }

    /** A header value for a NUL-terminated argument: one with a NUL byte is malformed anyway. */
    private static function headerValue(?string $value): ?string
    {
        if ($value !== null && str_contains($value, "\0")) {
            return "\x01"; // never equal to a valid value: reported as malformed by the library
        }
        return $value;
    }

    /** Releases the verifier now (closes the replay store; the destructor does it otherwise). */
    public function close(): void
    {
        $this->release();
    }
}
