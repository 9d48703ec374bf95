<?php

/*
 * The callback endpoint of a school website: the Mutation Engine POSTs each mutation's result
 * here, signed. Verify first; act only on a genuine, fresh callback.
 *
 *   204  verified and processed (or a replay of one processed before: nothing done again)
 *   401  not verified (missing or malformed headers, bad signature, stale timestamp): nothing done
 *   405  not a POST;  503  the replay store failed (the engine delivers again later)
 *
 * Configuration (environment):
 *   ONDERWIJSREGIO_SIGNING_SECRET   the region's signing secret; several separated by commas
 *                                   during a key rotation
 *   ONDERWIJSREGIO_REPLAY_STORE     the SQLite replay store shared by all PHP workers
 *                                   (default: <tmp>/onderwijsregio-replay.db)
 *   ONDERWIJSREGIO_CALLBACK_LOG     where this example "processes" callbacks: one JSON line each
 *                                   (default: <tmp>/onderwijsregio-callbacks.jsonl)
 *
 * Try it:  ONDERWIJSREGIO_SIGNING_SECRET=sim-signing-secret-0123456789abcdef \
 *          php -d ffi.enable=1 -S 127.0.0.1:9000 examples/php/callback.php
 * (the built-in server is not the CLI SAPI, so it needs ffi.enable=1 or the preload setup of
 * bindings/php/README.md).
 */

declare(strict_types=1);

use Onderwijsregio\Exception\IoException;
use Onderwijsregio\Exception\ReplayException;
use Onderwijsregio\Exception\SignatureException;
use Onderwijsregio\Verifier;

$autoload = __DIR__ . '/../../vendor/autoload.php';
require is_file($autoload) ? $autoload : __DIR__ . '/../../bindings/php/autoload.php';

function answer(int $status, string $text = ''): never
{
    http_response_code($status);
    if ($text !== '') {
        header('Content-Type: text/plain; charset=utf-8');
        echo $text, "\n";
    }
    exit;
}

if (($_SERVER['REQUEST_METHOD'] ?? '') !== 'POST') {
    header('Allow: POST');
    answer(405, 'POST only');
}

$secrets = array_values(array_filter(array_map('trim', explode(',', (string) getenv('ONDERWIJSREGIO_SIGNING_SECRET')))));
if ($secrets === []) {
    answer(500, 'ONDERWIJSREGIO_SIGNING_SECRET is not configured');
}
$replayStore = getenv('ONDERWIJSREGIO_REPLAY_STORE') ?: sys_get_temp_dir() . '/onderwijsregio-replay.db';
$log = getenv('ONDERWIJSREGIO_CALLBACK_LOG') ?: sys_get_temp_dir() . '/onderwijsregio-callbacks.jsonl';

try {
    $verifier = new Verifier($secrets, replayStore: $replayStore);
    // The raw request target and body, exactly as received: $_SERVER['REQUEST_URI'] and
    // file_get_contents('php://input'), never json_encode($_POST) or a decoded path.
    $verifier->verifyFromGlobals();
} catch (ReplayException) {
    answer(204); // genuine, delivered before, processed then: acknowledge, do nothing
} catch (SignatureException $e) {
    error_log('onderwijsregio callback refused: ' . $e->getMessage());
    answer(401, 'not verified');
} catch (IoException $e) {
    error_log('onderwijsregio callback: replay store failed: ' . $e->getMessage());
    answer(503, 'try again later');
}

// Verified: act on it.
$body = file_get_contents('php://input');
$result = json_decode((string) $body, true);
if (!is_array($result)) {
    answer(400, 'body is not a JSON object');
}
$line = json_encode([
    'target' => $_SERVER['REQUEST_URI'],
    'mutationId' => $result['mutationId'] ?? null,
    'idempotencyKey' => $result['idempotencyKey'] ?? null,
    'operation' => $result['operation'] ?? null,
    'status' => $result['status'] ?? null,
    'resource' => $result['resource'] ?? null,
    'error' => $result['error'] ?? null,
    'nonce' => $_SERVER['HTTP_X_MUTATIONENGINE_NONCE'] ?? null,
    'receivedAt' => gmdate('c'),
], JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE);
if (file_put_contents($log, $line . "\n", FILE_APPEND | LOCK_EX) === false) {
    answer(500, 'cannot record the callback'); // the engine delivers again
}
answer(204);
