<?php

declare(strict_types=1);

namespace Onderwijsregio;

use FFI;

/**
 * Signs a callback the way the Mutation Engine does, to test your own callback endpoint.
 */
final class Signer
{
    /**
     * The x-mutationengine-signature value ("v2=<base64>") for a callback.
     *
     * @param string $secret the signing secret (at least 16 bytes)
     * @param string $pathAndQuery the request target the receiver will see
     * @param string $body the raw body
     * @param int|string $timestamp Unix seconds
     * @param string $nonce 16-128 characters of [A-Za-z0-9_-]
     */
    public static function sign(string $secret, string $pathAndQuery, string $body, int|string $timestamp, string $nonce): string
    {
        $out = Library::outString();
        $status = Library::ffi()->oreg_callback_sign(Library::cString($secret, 'the secret'),
            Library::cString($pathAndQuery, 'the request target'), $body, strlen($body),
            Library::cString((string) $timestamp, 'the timestamp'), Library::cString($nonce, 'the nonce'), FFI::addr($out));
        $value = Library::take($out);
        if ($status !== Library::OK) {
            throw Library::failure($status, 'oreg_callback_sign');
        }
        return (string) $value;
    }

    /**
     * The three headers of a signed callback, with the current time and a random nonce unless
     * given.
     *
     * @return array{x-mutationengine-timestamp: string, x-mutationengine-nonce: string, x-mutationengine-signature: string}
     */
    public static function headers(string $secret, string $pathAndQuery, string $body, ?int $timestamp = null,
                                   ?string $nonce = null): array
    {
        $timestamp ??= time();
        $nonce ??= rtrim(strtr(base64_encode(random_bytes(24)), '+/', '-_'), '=');
        return [
            Verifier::HEADER_TIMESTAMP => (string) $timestamp,
            Verifier::HEADER_NONCE => $nonce,
            Verifier::HEADER_SIGNATURE => self::sign($secret, $pathAndQuery, $body, $timestamp, $nonce),
        ];
    }
}
