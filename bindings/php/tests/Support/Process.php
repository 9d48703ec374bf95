<?php

declare(strict_types=1);

namespace Onderwijsregio\Tests\Support;

use RuntimeException;

/** Child processes of the tests: PHP subprocesses and php -S servers. */
final class Process
{
    /**
     * Runs a command; its exit status, stdout and stderr.
     *
     * @param list<string> $command
     * @param array<string, string>|null $env null: inherit
     * @return array{status: int, stdout: string, stderr: string}
     */
    public static function run(array $command, ?array $env = null, ?string $stdin = null, int $timeout = 60): array
    {
        $process = proc_open($command, [0 => ['pipe', 'r'], 1 => ['pipe', 'w'], 2 => ['pipe', 'w']], $pipes, null, $env);
        if (!is_resource($process)) {
            throw new RuntimeException('cannot run ' . implode(' ', $command));
        }
        fwrite($pipes[0], $stdin ?? '');
        fclose($pipes[0]);
        stream_set_blocking($pipes[1], false);
        stream_set_blocking($pipes[2], false);
        $stdout = $stderr = '';
        $deadline = microtime(true) + $timeout;
        while (true) {
            $stdout .= (string) stream_get_contents($pipes[1]);
            $stderr .= (string) stream_get_contents($pipes[2]);
            $status = proc_get_status($process);
            if (!$status['running']) {
                $stdout .= (string) stream_get_contents($pipes[1]);
                $stderr .= (string) stream_get_contents($pipes[2]);
                break;
            }
            if (microtime(true) > $deadline) {
                proc_terminate($process, 9);
                $stderr .= "\n[killed after {$timeout} s]";
                break;
            }
            usleep(10000);
        }
        fclose($pipes[1]);
        fclose($pipes[2]);
        proc_close($process);
        return ['status' => $status['exitcode'] ?? -1, 'stdout' => $stdout, 'stderr' => $stderr];
    }

    /** The environment of this process plus $extra (a value null removes the variable). */
    public static function env(array $extra = []): array
    {
        $env = getenv();
        foreach ($extra as $name => $value) {
            if ($value === null) {
                unset($env[$name]);
            } else {
                $env[$name] = $value;
            }
        }
        return $env;
    }

    public static function freePort(): int
    {
        $socket = stream_socket_server('tcp://127.0.0.1:0', $errno, $error);
        if ($socket === false) {
            throw new RuntimeException("no free port: $error");
        }
        $name = stream_socket_get_name($socket, false);
        fclose($socket);
        return (int) substr((string) strrchr((string) $name, ':'), 1);
    }

    /**
     * Starts `php -d ffi.enable=1 -S 127.0.0.1:PORT $router` with $env; returns [handle, base URL].
     *
     * @param array<string, string> $env
     * @return array{0: resource, 1: string}
     */
    public static function phpServer(string $router, array $env): array
    {
        $port = self::freePort();
        $log = sys_get_temp_dir() . '/php-binding-server-' . $port . '.log';
        $command = [PHP_BINARY, '-d', 'ffi.enable=1', '-d', 'display_errors=stderr', '-S', "127.0.0.1:$port", $router];
        $process = proc_open($command, [0 => ['file', '/dev/null', 'r'], 1 => ['file', $log, 'a'], 2 => ['file', $log, 'a']],
            $pipes, dirname($router), self::env($env));
        if (!is_resource($process)) {
            throw new RuntimeException('cannot start php -S');
        }
        $deadline = microtime(true) + 10;
        while (microtime(true) < $deadline) {
            $socket = @stream_socket_client("tcp://127.0.0.1:$port", $errno, $error, 0.2);
            if ($socket !== false) {
                fclose($socket);
                return [$process, "http://127.0.0.1:$port"];
            }
            usleep(50000);
        }
        self::stop($process);
        throw new RuntimeException("php -S $router did not start: " . @file_get_contents($log));
    }

    /** @param resource $process */
    public static function stop($process): void
    {
        if (is_resource($process)) {
            proc_terminate($process, 15);
            proc_close($process);
        }
    }

    /**
     * An HTTP request with raw headers; status, headers and body.
     *
     * @param array<string, string> $headers
     * @return array{status: int, body: string, headers: list<string>}
     */
    public static function http(string $method, string $url, string $body = '', array $headers = []): array
    {
        $lines = '';
        foreach ($headers as $name => $value) {
            $lines .= "$name: $value\r\n";
        }
        $context = stream_context_create(['http' => ['method' => $method, 'header' => $lines . "Connection: close\r\n",
            'content' => $body, 'ignore_errors' => true, 'timeout' => 30, 'follow_location' => 0]]);
        $raw = file_get_contents($url, false, $context);
        $status = 0;
        foreach ($http_response_header ?? [] as $header) {
            if (preg_match('#^HTTP/\S+ (\d{3})#', $header, $m)) {
                $status = (int) $m[1];
            }
        }
        return ['status' => $status, 'body' => (string) $raw, 'headers' => $http_response_header ?? []];
    }
}
