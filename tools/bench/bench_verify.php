<?php

/*
 * bench_verify.php - times callback verification from PHP: the library through FFI beside
 * contract section 8 by hand with hash_hmac.
 *
 *   php bench_verify.php [-r REPS] [-w WARMUP] [-t MIN_BATCH_MS] --cdef CDEF --lib LIBRARY
 *       -s SECRET -p PATH_AND_QUERY -T TIMESTAMP BODY_FILE
 *
 * The body is read as a PHP string of bytes (as file_get_contents('php://input') gives it).
 *
 * impl            variant  one timed call
 * oreg-ffi        pure     $ffi->oreg_verifier_verify($v, $path, $body, strlen($body), $ts, $nonce,
 *                          $sig, $now) on a verifier {"secrets":[SECRET],"replayStore":false}, the
 *                          same callback every call (the FFI cdef: the generated onderwijsregio.ffi.h)
 *                 replay   the same on a verifier with the default in-memory replay store: before
 *                          each batch (untimed) as many callbacks as it makes calls are signed with
 *                          oreg_callback_sign, each with a fresh nonce
 * hash_hmac-php   pure     section 8 by hand: ctype_digit timestamp, preg_match nonce,
 *                          base64_encode(hash_hmac('sha256', "$ts\n$nonce\n$path\n$body", $key,
 *                          true)), explode the header on ' ', hash_equals against each "v2=" entry
 *                          (as text: unpadded entries, which the library accepts, would not match),
 *                          the time window
 *
 * `now` is fixed at TIMESTAMP for all. Correctness first, untimed, per row: the genuine callback
 * verifies, one body byte changed is refused (replay: the genuine one again is refused as a
 * replay); every timed call checks its result. Batches are calibrated and timed as in bench.c,
 * with hrtime(); every row's timed loop is the same foreach over prepared arguments. Output
 * lines: see bench_verify.c.
 */

declare(strict_types=1);

const OREG_OK = 0;
const OREG_ERR_SIGNATURE = -15;
const OREG_ERR_REPLAYED = -18;

function fail(string $message): never
{
    fwrite(STDERR, "bench_verify.php: $message\n");
    exit(1);
}

/** Times $batch($items) for arrays from $make($calls), built untimed; [calls, median, min, max] ns per call. */
function bench(callable $batch, callable $make, int $reps, int $warmup, float $minBatchNs): array
{
    $timed = static function (int $calls) use ($batch, $make): float {
        $items = $make($calls);
        $t0 = hrtime(true);
        $batch($items);
        return (float)(hrtime(true) - $t0);
    };
    $calls = 1;
    for (;;) {
        $elapsed = $timed($calls);
        if ($elapsed >= $minBatchNs) {
            break;
        }
        $grow = $elapsed > 0 ? 1.2 * $minBatchNs / $elapsed : 10.0;
        $calls = (int)($calls * min(10.0, max(1.5, $grow))) + 1;
    }
    for ($w = 0; $w < $warmup; $w++) {
        $timed($calls);
    }
    $perCall = [];
    for ($r = 0; $r < $reps; $r++) {
        $perCall[] = $timed($calls) / $calls;
    }
    sort($perCall);
    $n = count($perCall);
    $median = $n % 2 ? $perCall[intdiv($n, 2)] : ($perCall[$n / 2 - 1] + $perCall[$n / 2]) / 2;
    return [$calls, $median, $perCall[0], $perCall[$n - 1]];
}

// --- options ---------------------------------------------------------------------------------

$reps = 11;
$warmup = 2;
$minBatchMs = 50.0;
$cdef = $lib = $secret = $path = $ts = null;
$args = [];
for ($i = 1; $i < $argc; $i++) {
    $a = $argv[$i];
    switch ($a) {
        case '-r': $reps = max(1, (int)$argv[++$i]); break;
        case '-w': $warmup = max(0, (int)$argv[++$i]); break;
        case '-t': $minBatchMs = (float)$argv[++$i]; break;
        case '--cdef': $cdef = $argv[++$i]; break;
        case '--lib': $lib = $argv[++$i]; break;
        case '-s': $secret = $argv[++$i]; break;
        case '-p': $path = $argv[++$i]; break;
        case '-T': $ts = $argv[++$i]; break;
        default: $args[] = $a;
    }
}
if ($cdef === null || $lib === null || $secret === null || $path === null || $ts === null || count($args) !== 1) {
    fail('usage: bench_verify.php [-r N] [-w N] [-t MS] --cdef CDEF --lib LIB -s SECRET -p PATH -T TIMESTAMP BODY');
}
$minBatchNs = $minBatchMs * 1e6;
$body = @file_get_contents($args[0]);
if ($body === false) {
    fail("cannot read {$args[0]}");
}
$now = (int)$ts;
$n = strlen($body);
$tampered = $body;
$tampered[intdiv($n, 2)] = chr(ord($tampered[intdiv($n, 2)]) ^ 1);
$counter = 0;
$nonce = static function () use (&$counter): string {
    return sprintf('bench-%026d', ++$counter);
};

// --- the library through FFI -----------------------------------------------------------------

$cdefText = @file_get_contents($cdef);
if ($cdefText === false) {
    fail("cannot read $cdef");
}
$ffi = FFI::cdef($cdefText, $lib);
$name = static fn (int $status): string => $ffi->oreg_status_name($status);
$sign = static function (string $nonce) use ($ffi, $secret, $path, $body, $n, $ts): string {
    $out = $ffi->new('char *');
    if ($ffi->oreg_callback_sign($secret, $path, $body, $n, $ts, $nonce, FFI::addr($out)) !== OREG_OK) {
        fail('oreg_callback_sign: ' . $ffi->oreg_last_error());
    }
    $value = FFI::string($out);
    $ffi->oreg_free($out);
    return $value;
};

$rows = [];
foreach (['pure' => ['secrets' => [$secret], 'replayStore' => false], 'replay' => ['secrets' => [$secret]]] as $variant => $options) {
    $v = $ffi->new('oreg_verifier *');
    if ($ffi->oreg_verifier_new(json_encode($options), FFI::addr($v)) !== OREG_OK) {
        fail('oreg_verifier_new: ' . $ffi->oreg_last_error());
    }
    $fresh = $variant === 'replay';
    $checks = static function () use ($ffi, $v, $fresh, $nonce, $sign, $name, $path, $body, $tampered, $n, $ts, $now, $variant): string {
        $first = $nonce();
        $sig = $sign($first);
        $got = [['genuine', $ffi->oreg_verifier_verify($v, $path, $body, $n, $ts, $first, $sig, $now), OREG_OK],
                ['again', $ffi->oreg_verifier_verify($v, $path, $body, $n, $ts, $first, $sig, $now), $fresh ? OREG_ERR_REPLAYED : OREG_OK]];
        $other = $nonce();
        $sig = $sign($other);
        $got[] = ['tamperedBody', $ffi->oreg_verifier_verify($v, $path, $tampered, $n, $ts, $other, $sig, $now), OREG_ERR_SIGNATURE];
        $got[] = ['thenGenuine', $ffi->oreg_verifier_verify($v, $path, $body, $n, $ts, $other, $sig, $now), OREG_OK];
        $parts = [];
        foreach ($got as [$what, $status, $want]) {
            if ($status !== $want) {
                fail("oreg-ffi $variant: $what callback gave {$name($status)}, not {$name($want)}");
            }
            $parts[] = "$what={$name($status)}";
        }
        return implode(',', $parts);
    };
    $batch = static function (array $items) use ($ffi, $v, $path, $body, $n, $now): void {
        foreach ($items as [$t, $nc, $sig]) {
            if ($ffi->oreg_verifier_verify($v, $path, $body, $n, $t, $nc, $sig, $now) !== OREG_OK) {
                throw new RuntimeException($ffi->oreg_last_error());
            }
        }
    };
    if ($fresh) {
        $make = static function (int $calls) use ($nonce, $sign, $ts): array {
            $items = [];
            for ($i = 0; $i < $calls; $i++) {
                $nc = $nonce();
                $items[] = [$ts, $nc, $sign($nc)];
            }
            return $items;
        };
        $latency = static function (int $calls) use ($make, $ffi, $v, $path, $body, $n, $now, &$counter): array {
            $items = $make($calls);
            $single = [];
            foreach ($items as [$t, $nc, $sig]) {
                $t0 = hrtime(true);
                $status = $ffi->oreg_verifier_verify($v, $path, $body, $n, $t, $nc, $sig, $now);
                $single[] = hrtime(true) - $t0;
                if ($status !== OREG_OK) {
                    throw new RuntimeException($ffi->oreg_last_error());
                }
            }
            return [$single, $counter];
        };
    } else {
        $nc = $nonce();
        $one = [$ts, $nc, $sign($nc)];
        $make = static fn (int $calls): array => array_fill(0, $calls, $one);
        $latency = null;
    }
    $rows[] = ['oreg-ffi', $variant, $batch, $make, $checks, $latency];
}

// --- section 8 by hand -----------------------------------------------------------------------

$hand = static function (string $path, string $body, string $ts, string $nonce, string $sig, int $now) use ($secret): void {
    if ($ts === '' || $nonce === '' || $sig === '') {
        throw new RuntimeException('missing header');
    }
    if (strlen($ts) > 19 || !ctype_digit($ts) || !preg_match('/^[A-Za-z0-9_-]{16,128}$/D', $nonce) || strlen($sig) > 8192) {
        throw new RuntimeException('malformed header');
    }
    $expected = base64_encode(hash_hmac('sha256', "$ts\n$nonce\n$path\n$body", $secret, true));
    $matched = false;
    $entries = 0;
    foreach (explode(' ', $sig) as $entry) {
        if (strncmp($entry, 'v2=', 3) !== 0) {
            continue;
        }
        $entries++;
        if (hash_equals($expected, substr($entry, 3))) {
            $matched = true;
        }
    }
    if ($entries === 0) {
        throw new RuntimeException('malformed header');
    }
    if (!$matched) {
        throw new RuntimeException('signature');
    }
    $age = $now - (int)$ts;
    if ($age > 300) {
        throw new RuntimeException('too old');
    }
    if ($age < -300) {
        throw new RuntimeException('too new');
    }
};
$nc = $nonce();
$handOne = [$ts, $nc, $sign($nc)];
$rows[] = ['hash_hmac-php', 'pure',
    static function (array $items) use ($hand, $path, $body, $now): void {
        foreach ($items as [$t, $nc, $sig]) {
            $hand($path, $body, $t, $nc, $sig, $now);
        }
    },
    static fn (int $calls): array => array_fill(0, $calls, $handOne),
    static function () use ($hand, $handOne, $path, $body, $tampered, $now): string {
        [$t, $nc, $sig] = $handOne;
        $hand($path, $body, $t, $nc, $sig, $now);  // the library's signature: both agree on section 8
        try {
            $hand($path, $tampered, $t, $nc, $sig, $now);
        } catch (RuntimeException $e) {
            return 'genuine=ok,tamperedBody=RuntimeException(' . $e->getMessage() . ')';
        }
        fail('hash_hmac-php: a tampered callback verified');
    },
    null];

// --- run -------------------------------------------------------------------------------------

$file = basename($args[0]);
$crc = sprintf('%08x', crc32($body));
$failures = 0;
foreach ($rows as [$impl, $variant, $batch, $make, $checks, $latency]) {
    try {
        $checked = $checks();
        gc_collect_cycles();
        [$calls, $median, $low, $high] = bench($batch, $make, $reps, $warmup, $minBatchNs);
        if ($latency !== null) {
            [$single, $total] = $latency(max(1000, $calls));
            sort($single);
            $k = count($single);
            $slow = count(array_filter($single, static fn ($t) => $t > 1e6));
            printf("latency\t%s\t%s\t%d\t%.1f\t%.1f\t%.1f\t%.1f\t%d\t%d\n", $impl, $variant, $k, $single[intdiv($k, 2)],
                $single[intdiv($k * 99, 100)], $single[intdiv($k * 999, 1000)], $single[$k - 1], $slow, $total);
        }
    } catch (Throwable $e) {
        fwrite(STDERR, "bench_verify.php: $impl $variant: " . get_class($e) . ': ' . $e->getMessage() . "\n");
        $failures++;
        continue;
    }
    printf("%s\t%s\t%s\t%d\t%s\t%d\t%d\t%.1f\t%.1f\t%.1f\t%s\n", $impl, $variant, $file, $n, $crc, $calls, $reps,
        $median, $low, $high, $checked);
}
echo "note\tphp\tPHP ", PHP_VERSION, ', opcache.enable_cli ', ini_get('opcache.enable_cli') ? 'on' : 'off', ', JIT buffer ',
    ini_get('opcache.jit_buffer_size') ?: '0', "\n";
exit($failures ? 1 : 0);
