<?php

declare(strict_types=1);

namespace Onderwijsregio\Tests\Support;

use RuntimeException;

/** The local API simulator, one per test run, and its control routes. */
final class Simulator
{
    public const API_KEY = 'php-test-key-Rm4Xw8Kq2';
    public const OTHER_KEY = 'php-other-key-Jd7Vs3Lp5';
    public const SECRET = 'php-test-signing-secret-7Hq2Nx9Wc4';

    /** @var resource|null */
    private static $process = null;
    private static string $root = '';

    public static function start(): void
    {
        $repo = dirname(__DIR__, 4);
        $command = [getenv('PYTHON') ?: 'python3', $repo . '/tools/simulator/server.py', '--port', '0',
            '--api-key', self::API_KEY, '--api-key', self::OTHER_KEY, '--signing-secret', self::SECRET,
            '--queue-delay-ms', '20', '--rate-limit', '0', '--callback-backoff-ms', '50',
            '--callback-timeout-ms', '3000', '--callback-attempts', '2'];
        $log = sys_get_temp_dir() . '/php-binding-simulator.log';
        self::$process = proc_open($command, [0 => ['file', '/dev/null', 'r'], 1 => ['pipe', 'w'], 2 => ['file', $log, 'w']], $pipes);
        if (!is_resource(self::$process)) {
            throw new RuntimeException('cannot start the simulator');
        }
        $line = fgets($pipes[1]);
        if ($line === false || !preg_match('#^(http://[^/]+)(/api/v2)\s*$#', $line, $m)) {
            throw new RuntimeException('the simulator did not print its base URL: ' . var_export($line, true) . ' (see ' . $log . ')');
        }
        self::$root = $m[1];
    }

    public static function stop(): void
    {
        if (is_resource(self::$process)) {
            proc_terminate(self::$process, 15);
            proc_close(self::$process);
            self::$process = null;
        }
    }

    public static function root(): string
    {
        return self::$root;
    }

    public static function baseUrl(): string
    {
        return self::$root . '/api/v2';
    }

    /** @return array{status: int, body: mixed, raw: string} */
    public static function request(string $method, string $path, mixed $body = null): array
    {
        $context = stream_context_create(['http' => [
            'method' => $method,
            'header' => "Content-Type: application/json\r\nConnection: close\r\n",
            'content' => $body === null ? '' : (is_string($body) ? $body : json_encode($body)),
            'ignore_errors' => true,
            'timeout' => 30,
        ]]);
        $raw = file_get_contents(self::$root . $path, false, $context);
        $status = 0;
        foreach ($http_response_header ?? [] as $header) {
            if (preg_match('#^HTTP/\S+ (\d{3})#', $header, $m)) {
                $status = (int) $m[1];
            }
        }
        return ['status' => $status, 'body' => json_decode((string) $raw, true), 'raw' => (string) $raw];
    }

    /** The data of a control route. */
    public static function control(string $method, string $path, mixed $body = null): mixed
    {
        $answer = self::request($method, $path, $body);
        if ($answer['status'] >= 300) {
            throw new RuntimeException("$method $path: {$answer['status']} {$answer['raw']}");
        }
        return $answer['body']['data'] ?? null;
    }

    public static function reset(): void
    {
        self::control('POST', '/__sim/reset');
    }

    public static function drain(bool $callbacks = false): void
    {
        self::control('POST', '/__sim/drain?timeoutMs=20000' . ($callbacks ? '&callbacks=true' : ''));
    }

    /** @return list<array<string, mixed>> */
    public static function mutations(string $query = ''): array
    {
        return (array) self::control('GET', '/__sim/mutations' . $query);
    }

    /** @return list<array<string, mixed>> */
    public static function requests(string $query = ''): array
    {
        return (array) self::control('GET', '/__sim/requests' . $query);
    }

    /** @return list<array<string, mixed>> */
    public static function callbacks(string $query = ''): array
    {
        return (array) self::control('GET', '/__sim/callbacks' . $query);
    }

    /** @param array<string, mixed>|list<array<string, mixed>> $rule */
    public static function fault(array $rule): void
    {
        self::control('POST', '/__sim/faults', $rule);
    }
}
