<?php

declare(strict_types=1);

namespace Onderwijsregio\Tests;

use Onderwijsregio\Exception\HeaderException;
use Onderwijsregio\Exception\MisuseException;
use Onderwijsregio\Exception\ReplayException;
use Onderwijsregio\Exception\SignatureException;
use Onderwijsregio\Exception\TimestampException;
use Onderwijsregio\Signer;
use Onderwijsregio\Tests\Support\Process;
use Onderwijsregio\Tests\Support\Simulator;
use Onderwijsregio\Tests\Support\TestCase;
use Onderwijsregio\Verifier;

final class VerifierTest extends TestCase
{
    private const SECRET = 'verifier-test-secret-Kp3Zr8';
    private const TARGET = '/hooks/onderwijsregio?site=3';
    private const BODY = '{"mutationId":"mut_1","status":"succeeded"}';
    private const NOW = 1_800_000_000;

    private static function headers(?string $nonce = null, int $timestamp = self::NOW): array
    {
        return Signer::headers(self::SECRET, self::TARGET, self::BODY, $timestamp, $nonce ?? bin2hex(random_bytes(12)));
    }

    public function testSignAndVerify(): void
    {
        $value = Signer::sign(self::SECRET, self::TARGET, self::BODY, self::NOW, 'nonce-0123456789abcdef');
        $expected = 'v2=' . base64_encode(hash_hmac('sha256', self::NOW . "\nnonce-0123456789abcdef\n" . self::TARGET . "\n" . self::BODY, self::SECRET, true));
        $this->assertSame($expected, $value, 'the same as an independent HMAC');
        $verifier = new Verifier(self::SECRET);
        $verifier->verify(self::TARGET, self::BODY, self::headers(), self::NOW + 10);
        // $_SERVER-style and mixed-case names, list values
        $headers = self::headers();
        $verifier->verify(self::TARGET, self::BODY, [
            'HTTP_X_MUTATIONENGINE_TIMESTAMP' => $headers['x-mutationengine-timestamp'],
            'X-MutationEngine-Nonce' => [$headers['x-mutationengine-nonce']],
            'x-mutationengine-signature' => $headers['x-mutationengine-signature'],
        ], self::NOW);
        $this->addToAssertionCount(2);
    }

    public function testRefusals(): void
    {
        $verifier = new Verifier(['another-secret-0123456789', self::SECRET], tolerance: 60);
        $cases = [
            [SignatureException::class, 'OREG_ERR_SIGNATURE', self::TARGET . '&x=1', self::BODY, self::headers(), self::NOW],
            [SignatureException::class, 'OREG_ERR_SIGNATURE', self::TARGET, self::BODY . ' ', self::headers(), self::NOW],
            [TimestampException::class, 'OREG_ERR_TOO_OLD', self::TARGET, self::BODY, self::headers(), self::NOW + 61],
            [TimestampException::class, 'OREG_ERR_TOO_NEW', self::TARGET, self::BODY, self::headers(), self::NOW - 61],
            [HeaderException::class, 'OREG_ERR_HEADER_MISSING', self::TARGET, self::BODY, array_slice(self::headers(), 0, 2), self::NOW],
            [HeaderException::class, 'OREG_ERR_HEADER_MALFORMED', self::TARGET, self::BODY, ['x-mutationengine-nonce' => 'short'] + self::headers(), self::NOW],
            [HeaderException::class, null, self::TARGET, self::BODY, ['x-mutationengine-timestamp' => "1\x00"] + self::headers(), self::NOW],
        ];
        foreach ($cases as [$class, $name, $target, $body, $headers, $now]) {
            try {
                $verifier->verify($target, $body, $headers, $now);
                $this->fail("no $class");
            } catch (SignatureException $e) {
                $this->assertInstanceOf($class, $e);
                if ($name !== null) {
                    $this->assertSame($name, $e->statusName, $e->getMessage());
                }
                $this->assertStringNotContainsString(self::SECRET, $e->getMessage());
            }
        }
        try {
            $verifier->verify(self::TARGET, self::BODY, self::headers(), self::NOW + 61);
        } catch (TimestampException $e) {
            $this->assertTrue($e->isTooOld());
        }
    }

    public function testReplayStores(): void
    {
        $headers = self::headers();
        $memory = new Verifier(self::SECRET);
        $memory->verify(self::TARGET, self::BODY, $headers, self::NOW);
        try {
            $memory->verify(self::TARGET, self::BODY, $headers, self::NOW);
            $this->fail('no ReplayException');
        } catch (ReplayException $e) {
            $this->assertSame('OREG_ERR_REPLAYED', $e->statusName);
        }
        $none = new Verifier(self::SECRET, replayStore: false);
        $none->verify(self::TARGET, self::BODY, $headers, self::NOW);
        $none->verify(self::TARGET, self::BODY, $headers, self::NOW);

        $path = sys_get_temp_dir() . '/php-binding-replay-' . bin2hex(random_bytes(4)) . '.db';
        try {
            $first = new Verifier(self::SECRET, replayStore: $path);
            $second = new Verifier(self::SECRET, replayStore: $path, maxEntries: 1000);
            $first->verify(self::TARGET, self::BODY, $headers, self::NOW);
            $this->assertFileExists($path);
            $this->expectException(ReplayException::class);
            $second->verify(self::TARGET, self::BODY, $headers, self::NOW);
        } finally {
            unset($first, $second);
            array_map('unlink', glob($path . '*') ?: []);
        }
    }

    public function testBadOptionsAreMisuseWithoutTheSecret(): void
    {
        try {
            new Verifier('short-secret');
            $this->fail('no MisuseException');
        } catch (MisuseException $e) {
            $this->assertStringNotContainsString('short-secret', $e->getMessage());
        }
        $this->expectException(MisuseException::class);
        new Verifier(self::SECRET, tolerance: 0);
    }

    /**
     * A real callback of the simulator, received by examples/php/callback.php under php -S:
     * verified and recorded (204); a forged one refused (401) and not recorded; the genuine one
     * replayed acknowledged (204) and not recorded again.
     */
    public function testRealCallbackThroughTheExampleReceiver(): void
    {
        Simulator::reset();
        $dir = sys_get_temp_dir() . '/php-binding-receiver-' . bin2hex(random_bytes(4));
        mkdir($dir);
        $log = "$dir/callbacks.jsonl";
        [$server, $url] = Process::phpServer(self::repo('examples/php/callback.php'), [
            'ONDERWIJSREGIO_SIGNING_SECRET' => 'old-rotated-secret-0123456789,' . Simulator::SECRET,
            'ONDERWIJSREGIO_REPLAY_STORE' => "$dir/replay.db",
            'ONDERWIJSREGIO_CALLBACK_LOG' => $log,
        ]);
        try {
            $callbackUrl = $url . '/hooks/onderwijsregio?site=3&lang=nl';
            $result = $this->client()->createCandidates([self::candidate('callback')], callbackUrl: $callbackUrl);
            Simulator::drain(callbacks: true);
            $deliveries = Simulator::callbacks('?mutationId=' . rawurlencode($result->mutationId));
            $this->assertNotEmpty($deliveries);
            $this->assertSame(204, $deliveries[0]['responseStatus'] ?? null, json_encode($deliveries[0]));
            $lines = file($log, FILE_IGNORE_NEW_LINES);
            $this->assertCount(1, $lines);
            $recorded = json_decode($lines[0], true);
            $this->assertSame($result->mutationId, $recorded['mutationId']);
            $this->assertSame($result->idempotencyKey, $recorded['idempotencyKey']);
            $this->assertSame('succeeded', $recorded['status']);
            $this->assertSame('/hooks/onderwijsregio?site=3&lang=nl', $recorded['target']);

            $delivery = $deliveries[0];
            $headers = array_change_key_case($delivery['headers'], CASE_LOWER);
            $body = $delivery['body'];
            $signed = ['x-mutationengine-timestamp' => $headers['x-mutationengine-timestamp'],
                'x-mutationengine-nonce' => $headers['x-mutationengine-nonce'],
                'x-mutationengine-signature' => $headers['x-mutationengine-signature'],
                'Content-Type' => 'application/json'];
            $forged = Process::http('POST', $callbackUrl, str_replace('succeeded', 'failed', $body), $signed);
            $this->assertSame(401, $forged['status']);
            $unsigned = Process::http('POST', $callbackUrl, $body, ['Content-Type' => 'application/json']);
            $this->assertSame(401, $unsigned['status']);
            $replayed = Process::http('POST', $callbackUrl, $body, $signed);
            $this->assertSame(204, $replayed['status']);
            $this->assertCount(1, file($log, FILE_IGNORE_NEW_LINES), 'nothing processed after the first');
            $this->assertSame(405, Process::http('GET', $callbackUrl)['status']);
        } finally {
            Process::stop($server);
            array_map('unlink', glob("$dir/*") ?: []);
            @rmdir($dir);
        }
    }
}
