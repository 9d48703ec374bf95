<?php

/*
 * bench_validate.php - times JSON Schema validation from PHP: the library through FFI beside
 * justinrainbow/json-schema.
 *
 *   php bench_validate.php [-r REPS] [-w WARMUP] [-t MIN_BATCH_MS] --cdef CDEF --lib LIBRARY
 *       --autoload JSONSCHEMA_AUTOLOAD --draft04 DRAFT04_SCHEMA SCHEMA PAYLOAD...
 *
 * Every payload is read as a PHP string of bytes, as a handler holds a request body.
 *
 * impl                 path     one timed call
 * oreg-ffi             verdict  oreg_schema_validate(schema, $bytes, strlen($bytes), NULL)
 *                      all      the same with an out_report: its string copied out with
 *                               FFI::string() and oreg_free()d (every error)
 * justinrainbow        all      $data = json_decode($bytes); $v = new Validator();
 *                               $v->validate($data, $schema); $v->isValid(); $v->getErrors()
 *                               The documented use: the schema object is handed over on every
 *                               call, and Validator re-registers it (walking it to expand its
 *                               $refs) each time.
 * justinrainbow-cached all      the schema registered once in a SchemaStorage shared through one
 *                               Factory; per call json_decode, new Validator($factory) and
 *                               validate($data, {"$ref": "<its uri>"}). Less work per call.
 * justinrainbow has no cheaper verdict-only mode: it always collects every error.
 *
 * The library gets the original draft 2020-12 schema; justinrainbow (5.2: drafts 03 and 04)
 * the draft-04 copy written by schema_drafts.py. Format checks are on in both (justinrainbow:
 * unless CHECK_MODE_DISABLE_FORMAT, which is not set).
 *
 * Batches are calibrated and timed as in bench.c, with hrtime(). Output lines: see
 * bench_validate.c; the 'errors' column holds the top-level errors of one untimed call as
 * [instanceLocation, keyword] pairs, or null. Lines "note\timpl\ttext" carry remarks.
 */

declare(strict_types=1);

use JsonSchema\Constraints\Factory;
use JsonSchema\SchemaStorage;
use JsonSchema\Validator;

const OREG_OK = 0;
const OREG_INVALID = 1;

function fail(string $message): never
{
    fwrite(STDERR, "bench_validate.php: $message\n");
    exit(1);
}

function readBytes(string $path): string
{
    $bytes = @file_get_contents($path);
    if ($bytes === false) {
        fail("cannot read $path");
    }
    return $bytes;
}

/** Same calibration as bench.c: returns [calls, median, min, max] in ns per call. */
function bench(callable $fn, string $data, int $reps, int $warmup, float $minBatchNs): array
{
    $calls = 1;
    for (;;) {
        $t0 = hrtime(true);
        for ($i = 0; $i < $calls; $i++) {
            $fn($data);
        }
        $elapsed = hrtime(true) - $t0;
        if ($elapsed >= $minBatchNs) {
            break;
        }
        $grow = $elapsed > 0 ? 1.2 * $minBatchNs / $elapsed : 10.0;
        $calls = (int)($calls * min(10.0, max(1.5, $grow))) + 1;
    }
    for ($w = 0; $w < $warmup; $w++) {
        for ($i = 0; $i < $calls; $i++) {
            $fn($data);
        }
    }
    $perCall = [];
    for ($r = 0; $r < $reps; $r++) {
        $t0 = hrtime(true);
        for ($i = 0; $i < $calls; $i++) {
            $fn($data);
        }
        $perCall[] = (hrtime(true) - $t0) / $calls;
    }
    sort($perCall);
    $n = count($perCall);
    $median = $n % 2 ? $perCall[intdiv($n, 2)] : ($perCall[$n / 2 - 1] + $perCall[$n / 2]) / 2;
    return [$calls, $median, $perCall[0], $perCall[$n - 1]];
}

function note(string $impl, string $text): void
{
    echo "note\t$impl\t", str_replace(["\t", "\n"], ' ', $text), "\n";
}

// --- options ---------------------------------------------------------------------------------

$reps = 11;
$warmup = 2;
$minBatchMs = 50.0;
$cdef = $lib = $autoload = $draft04 = null;
$args = [];
for ($i = 1; $i < $argc; $i++) {
    $a = $argv[$i];
    switch ($a) {
        case '-r': $reps = max(1, (int)$argv[++$i]); break;
        case '-w': $warmup = max(0, (int)$argv[++$i]); break;
        case '-t': $minBatchMs = (float)$argv[++$i]; break;
        case '--cdef': $cdef = $argv[++$i]; break;
        case '--lib': $lib = $argv[++$i]; break;
        case '--autoload': $autoload = $argv[++$i]; break;
        case '--draft04': $draft04 = $argv[++$i]; break;
        default: $args[] = $a;
    }
}
if ($cdef === null || $lib === null || count($args) < 2) {
    fail('usage: bench_validate.php [-r N] [-w N] [-t MS] --cdef CDEF --lib LIB [--autoload PATH --draft04 SCHEMA] SCHEMA PAYLOAD...');
}
$minBatchNs = $minBatchMs * 1e6;
$schemaBytes = readBytes(array_shift($args));

// --- the library through FFI -----------------------------------------------------------------

$ffi = FFI::cdef(readBytes($cdef), $lib);
$handle = $ffi->new('oreg_schema *');
if ($ffi->oreg_schema_compile($schemaBytes, strlen($schemaBytes), null, FFI::addr($handle)) !== OREG_OK) {
    fail('oreg_schema_compile: ' . $ffi->oreg_last_error());
}

/** The minimal FFI wrapper: bytes in, status out; the report string when there is one. */
$oregVerdict = static function (string $bytes) use ($ffi, $handle): int {
    $status = $ffi->oreg_schema_validate($handle, $bytes, strlen($bytes), null);
    if ($status < 0) {
        throw new RuntimeException($ffi->oreg_last_error());
    }
    return $status;
};
$oregValidate = static function (string $bytes) use ($ffi, $handle): array {
    $out = $ffi->new('char *');
    $status = $ffi->oreg_schema_validate($handle, $bytes, strlen($bytes), FFI::addr($out));
    if ($status === OREG_INVALID) {
        $report = FFI::string($out);
        $ffi->oreg_free($out);
        return [$status, $report];
    }
    if ($status < 0) {
        throw new RuntimeException($ffi->oreg_last_error());
    }
    return [$status, null];
};

$impls = [
    ['oreg-ffi', 'verdict', $oregVerdict, static fn (string $b) => [$oregVerdict($b) === OREG_OK, null]],
    ['oreg-ffi', 'all', $oregValidate, static function (string $b) use ($oregValidate): array {
        [$status, $report] = $oregValidate($b);
        if ($report === null) {
            return [$status === OREG_OK, null];
        }
        $pairs = [];
        foreach (json_decode($report, true)['errors'] as $e) {
            $pairs[] = [$e['instanceLocation'], $e['keyword']];
        }
        return [false, $pairs];
    }],
];

// --- justinrainbow/json-schema ---------------------------------------------------------------

if ($autoload !== null && $draft04 !== null && is_file($autoload)) {
    require_once $autoload;
    $draft04Bytes = readBytes($draft04);

    /** justinrainbow's errors as [instanceLocation, keyword] in the 2020-12 vocabulary. */
    $pairs = static function (array $errors): array {
        $out = [];
        foreach ($errors as $e) {
            $pointer = $e['pointer'] ?? '';
            $keyword = $e['constraint'];
            if ($keyword === 'additionalProp') {
                $keyword = 'additionalProperties';
            } elseif ($keyword === 'required') {
                // It points at the missing property; the others point at the object.
                $pointer = substr($pointer, 0, (int)strrpos($pointer, '/'));
            }
            $out[] = [$pointer, $keyword];
        }
        return $out;
    };

    // The documented use: Validator::validate($data, $schema) with the decoded schema object.
    $schemaObject = json_decode($draft04Bytes);
    $jr = static function (string $bytes) use ($schemaObject): array {
        $data = json_decode($bytes);
        $v = new Validator();
        $v->validate($data, $schemaObject);
        return [$v->isValid(), $v->getErrors()];
    };

    // Compiled once as far as justinrainbow allows: registered in a SchemaStorage, refs expanded.
    $uri = 'file:///onderwijsregio/candidate-create.draft04.json';
    $storage = new SchemaStorage();
    $storage->addSchema($uri, json_decode($draft04Bytes));
    $factory = new Factory($storage);
    $jrCached = static function (string $bytes) use ($factory, $uri): array {
        $data = json_decode($bytes);
        $v = new Validator($factory);
        $v->validate($data, (object)['$ref' => $uri]);
        return [$v->isValid(), $v->getErrors()];
    };
    foreach ([['justinrainbow', $jr], ['justinrainbow-cached', $jrCached]] as [$name, $fn]) {
        $impls[] = [$name, 'all', $fn, static function (string $b) use ($fn, $pairs): array {
            [$ok, $errors] = $fn($b);
            return [$ok, $ok ? null : $pairs($errors)];
        }];
    }
} else {
    note('justinrainbow', 'not available (autoload ' . ($autoload ?? 'not given') . '): its columns stay empty');
}

// --- run -------------------------------------------------------------------------------------

foreach ($args as $path) {
    $data = readBytes($path);
    $name = basename($path);
    $crc = sprintf('%08x', crc32($data));
    foreach ($impls as [$impl, $kind, $fn, $probe]) {
        [$valid, $errors] = $probe($data);
        gc_collect_cycles();
        [$calls, $median, $low, $high] = bench($fn, $data, $reps, $warmup, $minBatchNs);
        printf("%s\t%s\t%s\t%d\t%s\t%d\t%d\t%.1f\t%.1f\t%.1f\t%s\t%s\n", $impl, $kind, $name, strlen($data), $crc,
            $calls, $reps, $median, $low, $high, $valid ? 'valid' : 'invalid',
            json_encode($errors, JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE));
    }
}
