<?php

declare(strict_types=1);

namespace Onderwijsregio\Tests;

use Onderwijsregio\Client;
use Onderwijsregio\Exception\InvalidJsonException;
use Onderwijsregio\Exception\IoException;
use Onderwijsregio\Exception\MisuseException;
use Onderwijsregio\Exception\ValidationException;
use Onderwijsregio\MutationResult;
use Onderwijsregio\Tests\Support\Process;
use Onderwijsregio\Tests\Support\Simulator;
use Onderwijsregio\Tests\Support\TestCase;
use RuntimeException;

/**
 * The durable outbox: a second simulator on a fixed port is down while mutations are submitted
 * (they are kept), then started on the same port and flushed (each delivered once), by the
 * Client and by examples/php/flush-outbox.php.
 */
final class OutboxTest extends TestCase
{
    private int $port;
    private string $dir;
    /** @var resource|null */
    private $simulator = null;

    protected function setUp(): void
    {
        $this->port = Process::freePort();
        $this->dir = sys_get_temp_dir() . '/php-outbox-' . bin2hex(random_bytes(6));
        mkdir($this->dir, 0700);
    }

    protected function tearDown(): void
    {
        $this->stopSimulator();
        foreach ((array) glob($this->dir . '/*') as $file) {
            @unlink((string) $file);
        }
        @rmdir($this->dir);
    }

    private function baseUrl(): string
    {
        return "http://127.0.0.1:{$this->port}/api/v2";
    }

    private function startSimulator(): void
    {
        $command = [getenv('PYTHON') ?: 'python3', self::repo('tools/simulator/server.py'), '--port', (string) $this->port,
            '--api-key', Simulator::API_KEY, '--signing-secret', Simulator::SECRET, '--queue-delay-ms', '20',
            '--rate-limit', '0', '--callback-attempts', '1'];
        $this->simulator = proc_open($command, [0 => ['file', '/dev/null', 'r'], 1 => ['pipe', 'w'],
            2 => ['file', $this->dir . '/simulator.log', 'a']], $pipes);
        $line = is_resource($this->simulator) ? fgets($pipes[1]) : false;
        if ($line === false || trim($line) !== $this->baseUrl()) {
            throw new RuntimeException('the second simulator did not start: ' . var_export($line, true));
        }
    }

    private function stopSimulator(): void
    {
        if (is_resource($this->simulator)) {
            proc_terminate($this->simulator, 15);
            proc_close($this->simulator);
            $this->simulator = null;
        }
    }

    /** A control route of the second simulator: its data. */
    private function control(string $method, string $path): mixed
    {
        $answer = Process::http($method, "http://127.0.0.1:{$this->port}$path");
        $this->assertSame(200, $answer['status'], $answer['body']);
        return json_decode($answer['body'], true)['data'] ?? null;
    }

    private function outboxClient(): Client
    {
        return $this->client(['baseUrl' => $this->baseUrl(), 'outbox' => ['path' => $this->dir . '/outbox.db', 'leaseSeconds' => 30],
            'retry' => ['maxRetries' => 1, 'baseDelayMs' => 5, 'maxDelayMs' => 10]]);
    }

    public function testQueuedWhileDownThenFlushedOnce(): void
    {
        $client = $this->outboxClient();
        $payload = self::candidate('uitval');
        $kept = $client->createCandidates([$payload], idempotencyKey: 'php-outbox-1');
        $this->assertInstanceOf(MutationResult::class, $kept);
        $this->assertTrue($kept->queued);
        $this->assertSame('php-outbox-1', $kept->idempotencyKey);
        $this->assertIsInt($kept->outboxId);
        $this->assertNull($kept->mutationId);
        $this->assertNull($kept->httpStatus);
        $this->assertArrayHasKey('message', (array) $kept->lastError);
        $other = $client->upsertCandidate(self::candidate('tweede'), validate: false);
        $this->assertTrue($other->queued);
        $this->assertMatchesRegularExpression('/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/', $other->idempotencyKey);
        $dead = $client->updateCandidate('recOnbekend', ['phase' => 'left'], idempotencyKey: 'php-outbox-dead', validate: false);
        $this->assertTrue($dead->queued);

        $status = $client->outboxStatus();
        $this->assertSame($this->dir . '/outbox.db', $status['path']);
        $this->assertSame(3, $status['states']['queued']['count']);
        $this->assertSame(0, $status['states']['dead']['count']);
        $this->assertContains('php-outbox-1', array_column($status['states']['queued']['oldest'], 'idempotencyKey'));

        $waiting = $client->flush();
        $this->assertSame(['delivered' => 0, 'requeued' => 0, 'dead' => 0, 'remaining' => 3, 'entries' => []], $waiting);

        $this->startSimulator();
        $report = $client->flush(ignoreBackoff: true);
        $this->assertSame(2, $report['delivered'], json_encode($report));
        $this->assertSame(1, $report['dead']);
        $this->assertSame(0, $report['remaining']);
        $byKey = array_column($report['entries'], null, 'idempotencyKey');
        $this->assertSame('delivered', $byKey['php-outbox-1']['outcome']);
        $this->assertStringStartsWith('mut_', $byKey['php-outbox-1']['mutationId']);
        $this->assertSame('dead', $byKey['php-outbox-dead']['outcome']);
        $this->assertSame(0, $client->flush(ignoreBackoff: true)['delivered']);

        $this->control('POST', '/__sim/drain?timeoutMs=20000');
        $applied = $this->control('GET', '/__sim/mutations?idempotencyKey=php-outbox-1');
        $this->assertCount(1, $applied);
        $this->assertSame($byKey['php-outbox-1']['mutationId'], $applied[0]['mutationId']);
        $this->assertSame($payload['email'], $applied[0]['body'][0]['email']);
        $this->assertCount(1, $this->control('GET', '/__sim/mutations?idempotencyKey=' . $other->idempotencyKey));

        $states = $client->outboxStatus()['states'];
        $this->assertSame([0, 2, 1], [$states['queued']['count'], $states['delivered']['count'], $states['dead']['count']]);

        $this->assertTrue($client->recordCallback(json_encode(['mutationId' => $byKey['php-outbox-1']['mutationId'], 'status' => 'succeeded'])));
        $this->assertFalse($client->recordCallback('{"mutationId":"mut_nooit_gezien","status":"succeeded"}'));
        $this->assertSame(1, $client->outboxStatus()['states']['completed']['count']);
        try {
            $client->recordCallback('{}');
            $this->fail('no MisuseException');
        } catch (MisuseException) {
        }
        try {
            $client->recordCallback('{"mutationId": ');
            $this->fail('no InvalidJsonException');
        } catch (InvalidJsonException) {
        }

        $direct = $client->createCandidates([self::candidate()]);
        $this->assertFalse($direct->queued);
        $this->assertNull($direct->outboxId);
        $this->assertStringStartsWith('mut_', (string) $direct->mutationId);
        $this->expectException(ValidationException::class);
        $client->createCandidates([['email' => 'geen adres']]);
    }

    public function testFlushOutboxExample(): void
    {
        $client = $this->outboxClient();
        $this->assertTrue($client->createCandidates([self::candidate('cron')], idempotencyKey: 'php-cron-1', validate: false)->queued);
        $env = Process::env(['ONDERWIJSREGIO_API_KEY' => Simulator::API_KEY, 'ONDERWIJSREGIO_BASE_URL' => $this->baseUrl(),
            'ONDERWIJSREGIO_OUTBOX' => $this->dir . '/outbox.db']);
        $script = [PHP_BINARY, '-d', 'ffi.enable=1', self::repo('examples/php/flush-outbox.php')];
        $down = Process::run($script, $env);
        $this->assertSame(1, $down['status'], $down['stdout'] . $down['stderr']);
        $this->assertSame("outbox flush: 0 delivered, 0 requeued, 0 dead; left: 1 queued, 0 dead\n", $down['stdout']);
        $this->startSimulator();
        $up = Process::run([...$script, '--ignore-backoff'], $env);
        $this->assertSame(0, $up['status'], $up['stdout'] . $up['stderr']);
        $this->assertSame("outbox flush: 1 delivered, 0 requeued, 0 dead; left: 0 queued, 0 dead\n", $up['stdout']);
        $this->control('POST', '/__sim/drain?timeoutMs=20000');
        $this->assertCount(1, $this->control('GET', '/__sim/mutations?idempotencyKey=php-cron-1'));
        $this->assertStringNotContainsString(Simulator::API_KEY, $down['stdout'] . $down['stderr'] . $up['stdout'] . $up['stderr']);
        $missing = Process::run($script, Process::env(['ONDERWIJSREGIO_OUTBOX' => null, 'ONDERWIJSREGIO_API_KEY' => Simulator::API_KEY]));
        $this->assertSame(2, $missing['status']);
        $this->assertStringContainsString('ONDERWIJSREGIO_OUTBOX', $missing['stderr']);
    }

    public function testOutboxMisuse(): void
    {
        Simulator::reset();
        $plain = $this->client();
        foreach ([fn () => $plain->flush(), fn () => $plain->outboxStatus(), fn () => $plain->recordCallback('{"status":"x"}')] as $call) {
            try {
                $call();
                $this->fail('no MisuseException');
            } catch (MisuseException $e) {
                $this->assertStringContainsString('outbox', $e->getMessage());
            }
        }
        $shorthand = $this->client(['outbox' => $this->dir . '/shorthand.db']);
        $this->assertSame($this->dir . '/shorthand.db', $shorthand->outboxStatus()['path']);
        $this->assertSame(0, $shorthand->flush(1)['remaining']);
        try {
            $shorthand->flush(0);
            $this->fail('no MisuseException');
        } catch (MisuseException) {
        }
        foreach ([['path' => $this->dir . '/x.db', 'leaseSecs' => 5], []] as $bad) {
            try {
                $this->client(['outbox' => $bad]);
                $this->fail('no MisuseException for ' . json_encode($bad));
            } catch (MisuseException $e) {
                $this->assertStringContainsString('outbox', $e->getMessage());
            }
        }
        $this->expectException(IoException::class);
        $this->client(['outbox' => ['path' => $this->dir . '/no such dir/outbox.db']]);
    }
}
