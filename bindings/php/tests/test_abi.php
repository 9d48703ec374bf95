<?php

/*
 * ABI tests of the built libonderwijsregio through PHP's FFI: the library is loaded with the
 * generated declarations (dist/share/onderwijsregio/onderwijsregio.ffi.h, the header after the
 * preprocessor), exactly as a PHP binding will load it, and every exported function is called.
 *
 *   ONDERWIJSREGIO_FFI_CDEF  the declarations (default: dist/share/... of this repository)
 *   ONDERWIJSREGIO_LIB       the shared library (default: dist/lib/libonderwijsregio.so)
 *   ONDERWIJSREGIO_FIXTURES  the shared schema fixtures (default: ../shared/fixtures next to
 *                            this repository)
 *
 * Every function below named test_* is a test; the last line printed is
 * "php-abi: N passed, N failed" and the exit status is 1 when any test failed.
 */

declare(strict_types=1);

namespace Onderwijsregio\Tests\Abi;

use FFI;
use FFI\CData;
use RuntimeException;
use Throwable;

const VERSION = '0.1.0';
const VERSION_NUMBER = 1000;
const MAX_DOCUMENT = 64 * 1024 * 1024;
const MAX_DEPTH = 512;
const STATUSES = [
    'OREG_OK' => 0,
    'OREG_INVALID' => 1,
    'OREG_ERR_MISUSE' => -1,
    'OREG_ERR_NOMEM' => -2,
    'OREG_ERR_JSON' => -3,
    'OREG_ERR_LIMIT' => -4,
    'OREG_ERR_RANGE' => -5,
    'OREG_ERR_SCHEMA' => -6,
    'OREG_STALE' => 2,
    'OREG_QUEUED' => 3,
    'OREG_ERR_TRANSPORT' => -7,
    'OREG_ERR_HTTP' => -8,
    'OREG_ERR_DEADLINE' => -9,
    'OREG_ERR_RESPONSE' => -10,
    'OREG_ERR_SANDBOX' => -11,
    'OREG_ERR_IO' => -12,
    'OREG_ERR_HEADER_MISSING' => -13,
    'OREG_ERR_HEADER_MALFORMED' => -14,
    'OREG_ERR_SIGNATURE' => -15,
    'OREG_ERR_TOO_OLD' => -16,
    'OREG_ERR_TOO_NEW' => -17,
    'OREG_ERR_REPLAYED' => -18,
    'OREG_ERR_INTERNAL' => -99,
];
const NO_ERROR = '{"status":0,"name":"OREG_OK","message":"no error"}';

// --- harness -------------------------------------------------------------------------------

final class AssertionFailed extends RuntimeException
{
}

function repoPath(string $relative): string
{
    return dirname(__DIR__, 3) . '/' . $relative;
}

function cdefPath(): string
{
    return getenv('ONDERWIJSREGIO_FFI_CDEF') ?: repoPath('dist/share/onderwijsregio/onderwijsregio.ffi.h');
}

function libPath(): string
{
    return getenv('ONDERWIJSREGIO_LIB') ?: repoPath('dist/lib/libonderwijsregio.so');
}

function lib(): FFI
{
    static $ffi = null;
    if ($ffi === null) {
        $cdef = file_get_contents(cdefPath());
        if ($cdef === false) {
            throw new AssertionFailed('cannot read ' . cdefPath() . ': run `make dist`');
        }
        $ffi = FFI::cdef($cdef, libPath());
    }
    return $ffi;
}

function fail(string $message): never
{
    throw new AssertionFailed($message);
}

function show(mixed $value): string
{
    return is_string($value) ? json_encode($value, JSON_INVALID_UTF8_SUBSTITUTE | JSON_UNESCAPED_SLASHES) : var_export($value, true);
}

function assertSame(mixed $expected, mixed $actual, string $what = ''): void
{
    if ($expected !== $actual) {
        fail(($what === '' ? '' : "$what: ") . 'expected ' . show($expected) . ', got ' . show($actual));
    }
}

function assertTrue(bool $condition, string $what): void
{
    if (!$condition) {
        fail($what);
    }
}

/** The line of the test function where the failing call was made. */
function failureLine(Throwable $error, string $test): int
{
    $inner = $error->getLine();
    foreach ($error->getTrace() as $frame) {
        if (strcasecmp($frame['function'], $test) === 0) {
            return $inner;
        }
        $inner = $frame['line'] ?? $inner;
    }
    return $error->getLine();
}

/** @return array{passed: int, failed: int} */
function runTests(string $prefix): array
{
    $passed = $failed = 0;
    foreach (get_defined_functions()['user'] as $function) {
        if (!str_starts_with($function, strtolower($prefix))) {
            continue;
        }
        $name = substr($function, strlen($prefix));
        try {
            $function();
            $passed++;
            echo "ok   $name\n";
        } catch (Throwable $error) {
            $failed++;
            $kind = $error instanceof AssertionFailed ? '' : get_class($error) . ': ';
            echo "FAIL $name: $kind{$error->getMessage()} (line " . failureLine($error, $function) . ")\n";
        }
    }
    return ['passed' => $passed, 'failed' => $failed];
}

// --- helpers -------------------------------------------------------------------------------

/** @return array<string, mixed> */
function lastError(): array
{
    return json_decode(lib()->oreg_last_error(), true, 512, JSON_THROW_ON_ERROR);
}

function check(string|CData|null $json, ?int $length = null): int
{
    return lib()->oreg_json_check($json, $length ?? strlen((string) $json));
}

/**
 * oreg_json_canonicalize: [status, canonical string or null]. The out-parameter starts as a
 * non-NULL sentinel to prove that the library resets it on failure; the result is freed.
 *
 * @return array{0: int, 1: ?string}
 */
function canonicalize(string|CData|null $json, ?int $length = null): array
{
    $out = lib()->new('char *[1]');
    $out[0] = lib()->cast('char *', 0xDEADBEEF);
    $status = lib()->oreg_json_canonicalize($json, $length ?? strlen((string) $json), $out);
    if ($status !== STATUSES['OREG_OK']) {
        assertTrue(FFI::isNull($out[0]), "out is not NULL after status $status");
        return [$status, null];
    }
    assertTrue(!FFI::isNull($out[0]), 'OREG_OK but out is NULL');
    try {
        return [$status, FFI::string($out[0])];
    } finally {
        lib()->oreg_free($out[0]);
    }
}

function canonical(string $json): string
{
    [$status, $result] = canonicalize($json);
    assertSame(STATUSES['OREG_OK'], $status, 'status of ' . show(substr($json, 0, 80)) . ' (' . lib()->oreg_last_error() . ')');
    return $result;
}

/**
 * Asserts the returned status and that oreg_last_error() describes it, with $members.
 *
 * @param array<string, mixed> $members
 * @return array<string, mixed>
 */
function assertError(int $status, string $expected, array $members = []): array
{
    $error = lastError();
    assertSame(STATUSES[$expected], $status, 'status (' . lib()->oreg_last_error() . ')');
    assertSame(STATUSES[$expected], $error['status'], 'last error status');
    assertSame($expected, $error['name'], 'last error name');
    assertTrue(is_string($error['message']) && $error['message'] !== '', 'last error has a message');
    foreach ($members as $name => $value) {
        assertSame($value, $error[$name] ?? null, "last error $name");
    }
    return $error;
}

function assertJsonError(int $status, int $offset, int $line, int $column): void
{
    assertError($status, 'OREG_ERR_JSON', ['offset' => $offset, 'line' => $line, 'column' => $column]);
}

/** Both oreg_json_check and oreg_json_canonicalize fail with $expected. */
function assertBothReject(string|CData|null $json, string $expected, ?int $length = null): void
{
    assertError(check($json, $length), $expected);
    assertError(canonicalize($json, $length)[0], $expected);
}

/** @return array{0: int, 1: float} status and seconds */
function timed(callable $call): array
{
    $start = hrtime(true);
    $status = $call();
    return [$status, (hrtime(true) - $start) / 1e9];
}

// --- JSON Schema helpers -------------------------------------------------------------------

const SENTINEL = 0xDEADBEEF;
const CREATE_SCHEMA = 'schema/candidate-create.schema.json';
const ERROR_MEMBERS = ['instanceLocation', 'keywordLocation', 'keyword', 'message'];
const CYCLIC_SCHEMA = '{"$defs":{"a":{"$ref":"#/$defs/b"},"b":{"$ref":"#/$defs/a"}},"$ref":"#/$defs/a"}';

function fixturesPath(): string
{
    return getenv('ONDERWIJSREGIO_FIXTURES') ?: dirname(__DIR__, 4) . '/shared/fixtures';
}

function fixture(string $relative): string
{
    $path = fixturesPath() . '/' . $relative;
    $text = is_file($path) ? file_get_contents($path) : false;
    if ($text === false) {
        fail("cannot read $path: set ONDERWIJSREGIO_FIXTURES to the shared fixtures");
    }
    return $text;
}

/** @return list<string> the payload files (without expected.json) */
function payloadNames(): array
{
    $names = array_map('basename', glob(fixturesPath() . '/payloads/*.json') ?: []);
    $names = array_values(array_filter($names, fn (string $name): bool => $name !== 'expected.json'));
    sort($names);
    return $names;
}

/** @return array<string, array<string, mixed>> payload file name => its entry of expected.json */
function expectedVerdicts(string $schema): array
{
    $verdicts = [];
    foreach (json_decode(fixture('payloads/expected.json'), true, 512, JSON_THROW_ON_ERROR) as $entry) {
        if ($entry['schema'] === $schema) {
            $verdicts[basename($entry['payload'])] = $entry;
        }
    }
    return $verdicts;
}

/**
 * oreg_schema_compile: [status, schema or null]; the caller frees the schema. The out-parameter
 * starts as a non-NULL sentinel to prove that the library resets it on failure.
 *
 * @return array{0: int, 1: ?CData}
 */
function compileSchema(?string $json, ?string $options = null, ?int $length = null): array
{
    $out = lib()->new('oreg_schema *[1]');
    $out[0] = lib()->cast('oreg_schema *', SENTINEL);
    $status = lib()->oreg_schema_compile($json, $length ?? strlen((string) $json), $options, $out);
    if ($status !== STATUSES['OREG_OK']) {
        assertTrue(FFI::isNull($out[0]), "out is not NULL after status $status");
        return [$status, null];
    }
    assertTrue(!FFI::isNull($out[0]), 'OREG_OK but out is NULL');
    return [$status, $out[0]];
}

/** Compiles (which must succeed), runs $body with the schema, frees it. */
function withSchema(string $json, ?string $options, callable $body): void
{
    [$status, $schema] = compileSchema($json, $options);
    assertSame(STATUSES['OREG_OK'], $status, 'compiling ' . show(substr($json, 0, 80)) . ' with ' . show($options)
        . ' (' . lib()->oreg_last_error() . ')');
    try {
        $body($schema);
    } finally {
        lib()->oreg_schema_free($schema);
    }
}

/**
 * oreg_schema_validate with a report: [status, decoded report or null]. The report starts as a
 * non-NULL sentinel: it must be NULL afterwards unless the status is OREG_INVALID, and then it
 * is a JSON document, released here with oreg_free.
 *
 * @return array{0: int, 1: ?array<string, mixed>}
 */
function validate(?CData $schema, string|CData|null $json, ?int $length = null): array
{
    $report = lib()->new('char *[1]');
    $report[0] = lib()->cast('char *', SENTINEL);
    $status = lib()->oreg_schema_validate($schema, $json, $length ?? strlen((string) $json), $report);
    if ($status !== STATUSES['OREG_INVALID']) {
        assertTrue(FFI::isNull($report[0]), "the report is not NULL after status $status");
        return [$status, null];
    }
    assertTrue(!FFI::isNull($report[0]), 'OREG_INVALID but the report is NULL');
    try {
        $text = FFI::string($report[0]);
    } finally {
        lib()->oreg_free($report[0]);
    }
    return [$status, json_decode($text, true, 512, JSON_THROW_ON_ERROR)];
}

/** oreg_schema_validate without a report (out_report NULL). */
function verdict(CData $schema, string $json): int
{
    return lib()->oreg_schema_validate($schema, $json, strlen($json), null);
}

function assertValid(CData $schema, string $json): void
{
    [$status, $report] = validate($schema, $json);
    assertSame(STATUSES['OREG_OK'], $status, 'status of ' . show(substr($json, 0, 80)) . ' ('
        . ($report === null ? lib()->oreg_last_error() : json_encode($report)) . ')');
    assertSame(STATUSES['OREG_OK'], verdict($schema, $json), 'status without a report');
}

function assertErrorShape(mixed $error, string $where): void
{
    assertTrue(is_array($error), "$where is an object");
    foreach (ERROR_MEMBERS as $member) {
        assertTrue(is_string($error[$member] ?? null), "$where: $member is a string in " . json_encode($error));
    }
    assertTrue($error['message'] !== '', "$where: the message is not empty");
    foreach (['instanceLocation', 'keywordLocation'] as $member) {
        assertTrue($error[$member] === '' || str_starts_with($error[$member], '/'), "$where: $member is a JSON Pointer");
    }
    if ($error['keyword'] !== 'false') { // the schema false fails at its own location
        assertTrue(str_ends_with($error['keywordLocation'], '/' . $error['keyword']),
            "$where: keyword at the end of keywordLocation in " . json_encode($error));
    }
    if (array_key_exists('absoluteKeywordLocation', $error)) {
        assertTrue(is_string($error['absoluteKeywordLocation']), "$where: absoluteKeywordLocation is a string");
    }
    foreach ($error['errors'] ?? [] as $index => $nested) {
        assertErrorShape($nested, "$where/errors/$index");
    }
}

/**
 * Asserts OREG_INVALID with a well-formed report (and without one); returns the errors.
 *
 * @return list<array<string, mixed>>
 */
function assertInvalid(CData $schema, string $json): array
{
    [$status, $report] = validate($schema, $json);
    assertSame(STATUSES['OREG_INVALID'], $status, 'status of ' . show(substr($json, 0, 80)) . ' (' . lib()->oreg_last_error() . ')');
    assertSame(['valid', 'errors'], array_keys($report), 'report members');
    assertSame(false, $report['valid'], 'report valid');
    assertTrue(is_array($report['errors']) && $report['errors'] !== [], 'the report lists errors');
    foreach ($report['errors'] as $index => $error) {
        assertErrorShape($error, "errors/$index");
    }
    assertSame(STATUSES['OREG_INVALID'], verdict($schema, $json), 'status without a report');
    return $report['errors'];
}

// --- loading through the generated cdef ----------------------------------------------------

function test_cdef_is_preprocessed_header(): void
{
    $cdef = file_get_contents(cdefPath());
    assertTrue(!str_contains($cdef, '#'), 'the cdef has no preprocessor lines left');
    foreach (['oreg_version', 'oreg_version_number', 'oreg_status_name', 'oreg_last_error', 'oreg_free',
        'oreg_json_check', 'oreg_json_canonicalize', 'oreg_schema_compile', 'oreg_schema_validate',
        'oreg_schema_free'] as $function) {
        assertTrue(preg_match('/\b' . $function . '\(/', $cdef) === 1, "the cdef declares $function");
    }
    $header = file_get_contents(repoPath('include/onderwijsregio.h'));
    if ($header !== false) {
        preg_match_all('/^[a-z].*\boreg_\w+\(.*\);$/m', $header, $declared);
        preg_match_all('/^[a-z].*\boreg_\w+\(.*\);$/m', $cdef, $generated);
        assertSame($declared[0], $generated[0], 'the cdef declares what the header declares');
    }
}

function test_enum_constants_from_cdef(): void
{
    foreach (STATUSES as $name => $code) {
        assertSame($code, lib()->$name, "$name from the cdef");
    }
}

function test_every_function_is_bound(): void
{
    foreach (['oreg_version', 'oreg_version_number', 'oreg_last_error'] as $function) {
        lib()->$function();
    }
    lib()->oreg_status_name(0);
    lib()->oreg_free(null);
    check('1');
    canonicalize('1');
    [$status, $schema] = compileSchema('{"type":"integer"}');
    assertSame(STATUSES['OREG_OK'], $status, 'compiling {"type":"integer"}');
    try {
        assertSame([STATUSES['OREG_OK'], null], validate($schema, '1'));
    } finally {
        lib()->oreg_schema_free($schema);
    }
}

// --- version and status names --------------------------------------------------------------

function test_version_matches_header(): void
{
    assertSame(VERSION, lib()->oreg_version());
    assertSame(VERSION_NUMBER, lib()->oreg_version_number());
    $header = (string) file_get_contents(repoPath('include/onderwijsregio.h'));
    assertSame(1, preg_match('/#define OREG_VERSION "([^"]*)"/', $header, $version), 'OREG_VERSION in the header');
    assertSame(1, preg_match('/#define OREG_VERSION_NUMBER (\d+)/', $header, $number), 'OREG_VERSION_NUMBER in the header');
    assertSame(VERSION, $version[1]);
    assertSame(VERSION_NUMBER, (int) $number[1]);
}

function test_status_names(): void
{
    foreach (STATUSES as $name => $code) {
        assertSame($name, lib()->oreg_status_name($code), "name of $code");
        assertSame($name, lib()->oreg_status_name(lib()->$name), "name of $name");
    }
}

function test_status_name_of_unknown_codes(): void
{
    foreach ([4, -19, -98, -100, 2147483647, -2147483648] as $code) {
        assertSame('OREG_UNKNOWN', lib()->oreg_status_name($code), "name of $code");
    }
}

// --- oreg_last_error -----------------------------------------------------------------------
// These run first among the failing calls, so the script's thread has not failed yet.

function test_last_error_before_any_failure_is_ok_object(): void
{
    assertSame(NO_ERROR, lib()->oreg_last_error());
    assertSame(STATUSES['OREG_OK'], check('[1]'));
    assertSame(NO_ERROR, lib()->oreg_last_error(), 'after a successful call');
}

function test_last_error_describes_json_error(): void
{
    assertJsonError(check('[1,]'), 3, 1, 4);
    assertJsonError(canonicalize('[1,]')[0], 3, 1, 4);
    assertSame(['status', 'name', 'message', 'offset', 'line', 'column'], array_keys(lastError()));
}

function test_last_error_location(): void
{
    $cases = [
        ["{\"a\":\n [1,\n  2,]}", 15, 3, 5],
        ["[\r\n1,\r\n,]", 7, 3, 1],
        ["{\n\"a\":\n\n   x}", 11, 4, 4],
        ["\n\n\n", 3, 4, 1],
        ["[\"\u{e9}\", x]", 7, 1, 8], // columns count bytes
        ['', 0, 1, 1],
        ['1 2', 2, 1, 3],
        ['"abc', 0, 1, 1],
    ];
    foreach ($cases as [$json, $offset, $line, $column]) {
        assertJsonError(check($json), $offset, $line, $column);
        assertJsonError(canonicalize($json)[0], $offset, $line, $column);
    }
}

function test_last_error_describes_misuse(): void
{
    $error = assertError(check(null, 5), 'OREG_ERR_MISUSE');
    assertSame(['status', 'name', 'message'], array_keys($error));
}

function test_last_error_survives_successful_calls(): void
{
    check('[1,]');
    $before = lib()->oreg_last_error();
    assertSame(STATUSES['OREG_OK'], check('[1]'));
    assertSame('{"a":2,"b":1}', canonical('{"b":1,"a":2}'));
    lib()->oreg_version();
    lib()->oreg_status_name(-3);
    assertSame($before, lib()->oreg_last_error());
}

// --- oreg_free -----------------------------------------------------------------------------

function test_free_null_is_harmless(): void
{
    lib()->oreg_free(null);
    lib()->oreg_free(lib()->cast('void *', 0));
}

// --- oreg_json_check -----------------------------------------------------------------------

function test_check_accepts(): void
{
    $documents = ['{}', '[]', '0', '-0', '1.5e-7', '""', 'true', 'false', 'null', " \t\r\n[1] \n",
        '{"a":[1,{"b":null}],"c":"\u00e9\n"}', "\"\u{1F600}\"", '{"a":1,"a":2}', '1e999999'];
    foreach ($documents as $json) {
        assertSame(STATUSES['OREG_OK'], check($json), show($json));
    }
}

function test_check_rejects(): void
{
    $documents = ['', ' ', '[1,]', '{"a":1,}', '{a:1}', "'a'", '01', '1.', '.1', '+1', '-', '1e', 'NaN',
        'Infinity', 'tru', '[1 2]', '1 2', '[1]/**/', "\xef\xbb\xbf1", "\x0c1", "\"\0\"", "\"\x1f\"",
        '"\x41"', '"\u00"', '"abc', '[', ']'];
    foreach ($documents as $json) {
        $error = assertError(check($json), 'OREG_ERR_JSON');
        assertTrue($error['offset'] >= 0 && $error['offset'] <= strlen($json), 'offset within ' . show($json));
    }
}

// --- oreg_json_canonicalize ----------------------------------------------------------------

function test_canonicalize(): void
{
    $cases = [
        '{"b":2,"a":1}' => '{"a":1,"b":2}',
        '1.0' => '1',
        '1e21' => '1e+21',
        '1E-7' => '1e-7',
        '0.000001' => '0.000001',
        '-0' => '0',
        '1e20' => '100000000000000000000',
        '123e-20' => '1.23e-18',
        '9007199254740993' => '9007199254740992',
        '[0.1e1, 1e0, -0.0e0, 100e-2]' => '[1,1,0,1]',
        " \n{ \"a\" : [ true , false , null ] }\t" => '{"a":[true,false,null]}',
        '{"a":1,"\u0061":2}' => '{"a":2}',
        '{"a":{"c":1,"b":[{"z":0,"y":1}]}}' => '{"a":{"b":[{"y":1,"z":0}],"c":1}}',
        '{"ab":1,"a":2,"":3,"b":0}' => '{"":3,"a":2,"ab":1,"b":0}',
        "\"\\u001f\\/\\b\\f\\n\\r\\t\\\"\\\\ \\u00e9\x7f\"" => "\"\\u001f/\\b\\f\\n\\r\\t\\\"\\\\ \u{e9}\x7f\"",
        '"\ud83d\ude00"' => "\"\u{1F600}\"",
    ];
    foreach ($cases as $json => $expected) {
        assertSame($expected, canonical((string) $json), show($json));
    }
}

function test_canonicalize_sorts_by_utf16_code_units(): void
{
    // RFC 8785 section 3.2.3
    $json = '{"\u20ac":"Euro Sign","\r":"Carriage Return","\ufb33":"Hebrew Letter Dalet With Dagesh",'
        . '"1":"One","\ud83d\ude00":"Emoji: Grinning Face","\u0080":"Control",'
        . '"\u00f6":"Latin Small Letter O With Diaeresis"}';
    $expected = '{"\r":"Carriage Return","1":"One","' . "\u{80}" . '":"Control",'
        . '"' . "\u{f6}" . '":"Latin Small Letter O With Diaeresis","' . "\u{20ac}" . '":"Euro Sign",'
        . '"' . "\u{1F600}" . '":"Emoji: Grinning Face","' . "\u{fb33}" . '":"Hebrew Letter Dalet With Dagesh"}';
    assertSame($expected, canonical($json));
}

function test_canonicalize_rfc8785_example(): void
{
    // RFC 8785 section 3.2.2
    $json = <<<'JSON'
        {
          "numbers": [333333333.33333329, 1E30, 4.50,
                      2e-3, 0.000000000000000000000000001],
          "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
          "literals": [null, true, false]
        }
        JSON;
    $expected = '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],'
        . "\"string\":\"\u{20ac}\$\\u000f\\nA'B\\\"\\\\\\\\\\\"/\"}";
    assertSame($expected, canonical($json));
}

function test_canonicalize_rfc8785_numbers(): void
{
    // RFC 8785 appendix B: IEEE 754 bit patterns and their ECMAScript text.
    $cases = [
        '0000000000000000' => '0', '8000000000000000' => '0',
        '0000000000000001' => '5e-324', '8000000000000001' => '-5e-324',
        '7fefffffffffffff' => '1.7976931348623157e+308', 'ffefffffffffffff' => '-1.7976931348623157e+308',
        '4340000000000000' => '9007199254740992', 'c340000000000000' => '-9007199254740992',
        '4430000000000000' => '295147905179352830000',
        '44b52d02c7e14af5' => '9.999999999999997e+22', '44b52d02c7e14af6' => '1e+23',
        '44b52d02c7e14af7' => '1.0000000000000001e+23',
        '444b1ae4d6e2ef4e' => '999999999999999700000', '444b1ae4d6e2ef4f' => '999999999999999900000',
        '444b1ae4d6e2ef50' => '1e+21',
        '3eb0c6f7a0b5ed8c' => '9.999999999999997e-7', '3eb0c6f7a0b5ed8d' => '0.000001',
        '41b3de4355555553' => '333333333.3333332', '41b3de4355555554' => '333333333.33333325',
        '41b3de4355555555' => '333333333.3333333', '41b3de4355555556' => '333333333.3333334',
        '41b3de4355555557' => '333333333.33333343',
        'becbf647612f3696' => '-0.0000033333333333333333', '43143ff3c1cb0959' => '1424953923781206.2',
    ];
    foreach ($cases as $bits => $expected) {
        $value = unpack('E', hex2bin((string) $bits))[1];
        foreach ([sprintf('%.16e', $value), sprintf('%.17g', $value)] as $json) {
            assertSame($expected, canonical($json), "$bits written as $json");
        }
    }
}

function test_canonicalize_rounds_to_nearest_double(): void
{
    $cases = [
        '2.4703282292062327e-324' => '0', // just below half the smallest subnormal
        '2.4703282292062328e-324' => '5e-324',
        '2.2250738585072011e-308' => '2.225073858507201e-308',
        '2.2250738585072012e-308' => '2.2250738585072014e-308',
        '1.7976931348623158e308' => '1.7976931348623157e+308',
        '1' . str_repeat('0', 400) . 'e-400' => '1',
        '0.' . str_repeat('0', 400) . '1e400' => '0.1',
        '1e-400' => '0',
        // -1e-10001 is far below the smallest subnormal (about 4.9e-324): the nearest double is
        // -0, which ECMAScript writes as 0. Not a range error: it is representable.
        '-0.' . str_repeat('0', 10000) . '1' => '0',
    ];
    foreach ($cases as $json => $expected) {
        assertSame($expected, canonical((string) $json), show(substr((string) $json, 0, 40)));
    }
}

function test_canonicalize_out_of_range(): void
{
    $cases = ['1e999999' => '', '1e400' => '', '-1e400' => '', '1.7976931348623159e308' => '',
        '[1.5e308, -1e309]' => '/1', '{"a/b":{"c~d":1e400}}' => '/a~1b/c~0d'];
    foreach ($cases as $json => $location) {
        assertSame(STATUSES['OREG_OK'], check((string) $json), "check of $json");
        assertError(canonicalize((string) $json)[0], 'OREG_ERR_RANGE', ['location' => $location]);
    }
}

function test_canonicalize_nul_in_names_and_strings(): void
{
    assertSame('{"a\u0000b":"x\u0000y"}', canonical('{"a\u0000b":"x\u0000y"}'));
    assertSame('{"":2,"\u0000":1," ":3}', canonical('{"\u0000":1,"":2," ":3}'));
}

// --- bad input -----------------------------------------------------------------------------

function test_null_json_with_length_is_misuse(): void
{
    foreach ([1, 5, -1 /* SIZE_MAX */] as $length) {
        assertBothReject(null, 'OREG_ERR_MISUSE', $length);
    }
}

function test_impossible_length_is_misuse(): void
{
    foreach ([PHP_INT_MIN /* 2^63 */, -1 /* SIZE_MAX */] as $length) {
        assertBothReject('1', 'OREG_ERR_MISUSE', $length);
    }
}

function test_null_out_is_misuse(): void
{
    foreach (['1', '', null, '[1,]'] as $json) {
        assertError(lib()->oreg_json_canonicalize($json, strlen((string) $json), null), 'OREG_ERR_MISUSE');
    }
}

function test_null_json_with_length_zero_is_empty_document(): void
{
    assertJsonError(check(null, 0), 0, 1, 1);
    assertJsonError(canonicalize(null, 0)[0], 0, 1, 1);
}

function test_invalid_utf8_is_json_error(): void
{
    $documents = [
        "\"\xff\"",             // never valid in UTF-8
        "\"\xc0\xaf\"",         // overlong '/'
        "\"\xe0\x80\xaf\"",     // overlong '/', three bytes
        "\"\xed\xa0\x80\"",     // encoded surrogate U+D800
        "\"\xf4\x90\x80\x80\"", // beyond U+10FFFF
        "\"\xe2\x82\"",         // truncated
        "\"\x80\"",             // lone continuation byte
    ];
    foreach ($documents as $json) {
        assertJsonError(check($json), 1, 1, 2);
        assertJsonError(canonicalize($json)[0], 1, 1, 2);
    }
}

function test_lone_surrogate_escape_is_json_error(): void
{
    foreach (['"\ud800"', '"\udc00"', '"\ud800\u0041"', '"\ude00\ud83d"', '{"\ud800":1}'] as $json) {
        assertBothReject($json, 'OREG_ERR_JSON');
    }
}

function test_nul_after_document_is_json_error(): void
{
    assertJsonError(check("[1]\0"), 3, 1, 4);
    assertJsonError(canonicalize("[1]\0")[0], 3, 1, 4);
}

function test_length_limits_the_input(): void
{
    assertSame(STATUSES['OREG_OK'], check('[1]]]]', 3), 'a PHP string, length 3');
    $buffer = FFI::new('char[6]', false); // not NUL-terminated
    try {
        FFI::memcpy($buffer, '[1]]]]', 6);
        assertSame(STATUSES['OREG_OK'], check($buffer, 3));
        assertSame([STATUSES['OREG_OK'], '[1]'], canonicalize($buffer, 3));
        assertError(check($buffer, 4), 'OREG_ERR_JSON', ['offset' => 3]);
    } finally {
        FFI::free($buffer);
    }
}

function test_deep_nesting_is_limit_error_quickly(): void
{
    $json = str_repeat('[', 1000000);
    [$status, $seconds] = timed(fn (): int => check($json));
    assertError($status, 'OREG_ERR_LIMIT', ['offset' => MAX_DEPTH]);
    assertTrue($seconds < 1, "check took $seconds s");
    [$status, $seconds] = timed(fn (): int => canonicalize($json)[0]);
    assertError($status, 'OREG_ERR_LIMIT');
    assertTrue($seconds < 1, "canonicalize took $seconds s");
}

function test_nesting_up_to_the_limit_is_accepted(): void
{
    $arrays = str_repeat('[', MAX_DEPTH) . str_repeat(']', MAX_DEPTH);
    $objects = str_repeat('{"a":', MAX_DEPTH) . '1' . str_repeat('}', MAX_DEPTH);
    assertSame($arrays, canonical($arrays));
    assertSame($objects, canonical($objects));
    assertBothReject("[$arrays]", 'OREG_ERR_LIMIT');
    assertBothReject("{\"a\":$objects}", 'OREG_ERR_LIMIT');
}

function test_document_over_64_mib_is_limit_error(): void
{
    $json = str_repeat(' ', MAX_DOCUMENT) . '1';
    assertBothReject($json, 'OREG_ERR_LIMIT');
    assertSame(STATUSES['OREG_ERR_JSON'], check($json, MAX_DOCUMENT), 'only whitespace, within the limit');
    assertSame([STATUSES['OREG_OK'], '1'], canonicalize(substr($json, 1)), 'exactly 64 MiB');
}

// --- JSON Schema: the shared fixtures ------------------------------------------------------

function test_schema_fixture_payloads(): void
{
    $names = payloadNames();
    assertTrue($names !== [], 'payloads in ' . fixturesPath() . '/payloads');
    $verdicts = expectedVerdicts(CREATE_SCHEMA);
    $covered = array_keys($verdicts);
    sort($covered);
    assertSame($names, $covered, 'expected.json covers every payload');
    withSchema(fixture(CREATE_SCHEMA), null, function (CData $schema) use ($names, $verdicts): void {
        foreach ($names as $name) {
            $json = fixture("payloads/$name");
            if ($verdicts[$name]['valid']) {
                assertValid($schema, $json);
                continue;
            }
            $reported = [];
            foreach (assertInvalid($schema, $json) as $error) {
                $reported[$error['instanceLocation'] . ' ' . $error['keyword']] = true;
            }
            foreach ($verdicts[$name]['errors'] as $error) {
                $key = $error['instanceLocation'] . ' ' . $error['keyword'];
                assertTrue(isset($reported[$key]), "$name: expected.json's error ($key) is reported");
            }
        }
    });
}

function test_schema_report_points_into_schema_and_instance(): void
{
    withSchema(fixture(CREATE_SCHEMA), null, function (CData $schema): void {
        $byPlace = [];
        foreach (assertInvalid($schema, fixture('payloads/candidate-invalid-many.json')) as $error) {
            $byPlace[$error['instanceLocation'] . ' ' . $error['keyword']] = $error;
        }
        assertSame('/properties/firstName/minLength', $byPlace['/firstName minLength']['keywordLocation']);
        $phone = $byPlace['/phone anyOf'];
        assertSame('/properties/phone/anyOf', $phone['keywordLocation']);
        $nested = array_column($phone['errors'], 'keywordLocation');
        assertTrue(in_array('/properties/phone/anyOf/0/pattern', $nested, true), 'anyOf branch 0 nested');
        assertTrue(in_array('/properties/phone/anyOf/1/type', $nested, true), 'anyOf branch 1 nested');
        $crossedRef = $byPlace['/interactions/0/performedAt pattern'];
        assertTrue(str_contains($crossedRef['keywordLocation'], '$ref'), 'the path crossed a $ref');
        assertTrue(is_string($crossedRef['absoluteKeywordLocation'] ?? null), 'absoluteKeywordLocation after a $ref');
    });
}

function test_schema_invalid_is_not_a_failure(): void
{
    check('[1,]');
    $before = lib()->oreg_last_error();
    withSchema(fixture(CREATE_SCHEMA), null, function (CData $schema): void {
        assertInvalid($schema, fixture('payloads/candidate-invalid-many.json'));
        assertValid($schema, fixture('payloads/candidate-valid-minimal.json'));
    });
    assertSame($before, lib()->oreg_last_error(), 'OREG_INVALID leaves the last error alone');
}

function test_schema_reports_are_released_with_oreg_free(): void
{
    withSchema(fixture(CREATE_SCHEMA), null, function (CData $schema): void {
        $json = fixture('payloads/candidate-invalid-many.json');
        $first = validate($schema, $json);
        for ($i = 0; $i < 200; $i++) {
            assertSame($first, validate($schema, $json), "round $i");
        }
    });
}

function test_schema_report_escapes_pointers_and_names(): void
{
    withSchema('{"properties":{"a/b~c":{"type":"string"}}}', null, function (CData $schema): void {
        [$error] = assertInvalid($schema, '{"a/b~c":1}');
        assertSame(['/a~1b~0c', '/properties/a~1b~0c/type'], [$error['instanceLocation'], $error['keywordLocation']]);
    });
    withSchema('{"additionalProperties":false}', null, function (CData $schema): void {
        // the member name q"\<LF><NUL>é😀, escaped in the instance and again in the report
        $json = '{"q\"\\\\\n\u0000\u00e9\ud83d\ude00":1}';
        $name = json_decode($json, true, 512, JSON_THROW_ON_ERROR);
        assertSame(["q\"\\\n\0\u{e9}\u{1F600}" => 1], $name, 'the instance');
        [$error] = assertInvalid($schema, $json);
        assertSame('additionalProperties', $error['keyword']);
        assertTrue(str_contains($error['message'], "q\"\\\n\0\u{e9}\u{1F600}"), 'the message names the property');
    });
}

function test_schema_boolean_schemas(): void
{
    withSchema('true', null, function (CData $schema): void {
        foreach (['1', 'null', '{"a":[]}'] as $json) {
            assertValid($schema, $json);
        }
    });
    withSchema('false', null, function (CData $schema): void {
        [$error] = assertInvalid($schema, '1');
        assertSame(['', ''], [$error['instanceLocation'], $error['keywordLocation']]);
    });
    withSchema('{"properties":{"a":false}}', null, function (CData $schema): void {
        assertValid($schema, '{"b":1}');
        [$error] = assertInvalid($schema, '{"a":1}');
        assertSame(['/a', '/properties/a'], [$error['instanceLocation'], $error['keywordLocation']]);
    });
}

// --- JSON Schema: options ------------------------------------------------------------------

function test_schema_null_options_are_the_defaults(): void
{
    foreach ([null, '{}'] as $options) {
        withSchema('{"type":"string","format":"email"}', $options, function (CData $schema): void {
            assertValid($schema, '"a@b.nl"');
            [$error] = assertInvalid($schema, '"not an address"'); // format asserted by default
            assertSame(['format', '/format'], [$error['keyword'], $error['keywordLocation']]);
        });
    }
}

function test_schema_format_assertion_false_makes_format_an_annotation(): void
{
    withSchema('{"type":"string","format":"email"}', '{"formatAssertion":false}', function (CData $schema): void {
        assertValid($schema, '"not an address"');
        assertInvalid($schema, '12'); // other keywords still count
    });
    withSchema('{"format":"date"}', '{"formatAssertion":true}', function (CData $schema): void {
        assertInvalid($schema, '"1994-02-30"');
    });
}

function test_schema_stop_at_first_error_reports_one_error(): void
{
    $json = fixture('payloads/candidate-invalid-many.json');
    withSchema(fixture(CREATE_SCHEMA), null, function (CData $schema) use ($json): void {
        assertTrue(count(assertInvalid($schema, $json)) > 1, 'several errors without the option');
    });
    withSchema(fixture(CREATE_SCHEMA), '{"stopAtFirstError":true}', function (CData $schema) use ($json): void {
        assertSame(1, count(assertInvalid($schema, $json)), 'errors with stopAtFirstError');
        assertValid($schema, fixture('payloads/candidate-valid-full.json'));
    });
    withSchema('{"properties":{"a":{"type":"string"},"b":{"type":"string"}}}', '{"stopAtFirstError":true}', function (CData $schema): void {
        assertSame(1, count(assertInvalid($schema, '{"a":1,"b":2}')), 'errors with stopAtFirstError');
    });
}

function test_schema_bad_option_is_misuse_naming_it(): void
{
    $cases = [
        '{"bogus":1}' => 'bogus',
        '{"formatAssertion":false,"stopAtFirstEror":true}' => 'stopAtFirstEror',
        '{"stopAtFirstError":"yes"}' => 'stopAtFirstError',
        '{"formatAssertion":1}' => 'formatAssertion',
        '{"formatAssertion":null}' => 'formatAssertion',
        '{"validateSchema":"false"}' => 'validateSchema',
        '{"defaultDraft":7}' => 'defaultDraft',
        '{"defaultDraft":"draft99"}' => 'defaultDraft',
        '{"resources":[]}' => 'resources',
        '{"maxDepth":"3"}' => 'maxDepth',
        '{"maxDepth":20000}' => 'maxDepth',
        '{"maxDepth":0}' => 'maxDepth',
        '{"language":"xx"}' => 'language',
    ];
    foreach ($cases as $options => $named) {
        $error = assertError(compileSchema('{"type":"object"}', (string) $options)[0], 'OREG_ERR_MISUSE');
        assertTrue(str_contains($error['message'], $named), "$options: the message names $named: {$error['message']}");
    }
    foreach (['[]', '"formatAssertion"', 'null'] as $options) {
        assertError(compileSchema('{}', $options)[0], 'OREG_ERR_MISUSE');
    }
    assertError(compileSchema('{}', '{"formatAssertion":false,}')[0], 'OREG_ERR_JSON');
}

function test_schema_default_draft_7_reads_items_array(): void
{
    $json = '{"items":[{"type":"integer"},{"type":"string"}]}';
    assertError(compileSchema($json)[0], 'OREG_ERR_SCHEMA'); // not 2020-12
    withSchema($json, '{"defaultDraft":"draft7"}', function (CData $schema): void {
        assertValid($schema, '[1,"a"]');
        assertValid($schema, '[1,"a",null]'); // no additionalItems
        $locations = array_column(assertInvalid($schema, '["a",1]'), 'keywordLocation');
        sort($locations);
        assertSame(['/items/0/type', '/items/1/type'], $locations);
    });
}

function test_schema_resources_resolve_refs(): void
{
    $options = '{"resources":{"https://example.com/s.json":{"type":"integer"}}}';
    withSchema('{"$ref":"https://example.com/s.json"}', $options, function (CData $schema): void {
        assertValid($schema, '42');
        [$error] = assertInvalid($schema, '"42"');
        assertSame('type', $error['keyword']);
        assertTrue(str_starts_with($error['absoluteKeywordLocation'] ?? '', 'https://example.com/s.json'),
            'absoluteKeywordLocation in the resource: ' . json_encode($error));
        assertInvalid($schema, '1.5');
    });
}

function test_schema_referenced_resource_is_checked_against_its_metaschema(): void
{
    // A resource that $ref leads to is part of the schema: with validateSchema (the default) it
    // must be checked like the same subschema written inline, which fails at /properties/q/title.
    assertError(compileSchema('{"properties":{"q":{"title":12,"type":"string"}}}')[0], 'OREG_ERR_SCHEMA',
        ['location' => '/properties/q/title']);
    $options = '{"resources":{"https://example.com/q.json":{"title":12,"type":"string"}}}';
    [$status, $schema] = compileSchema('{"properties":{"q":{"$ref":"https://example.com/q.json"}}}', $options);
    lib()->oreg_schema_free($schema);
    $error = assertError($status, 'OREG_ERR_SCHEMA');
    assertTrue(str_contains($error['message'], 'https://example.com/q.json'), 'the message names the resource');
}

function test_schema_invalid_resource_error_names_the_resource(): void
{
    // "location" is a JSON Pointer into the schema; a problem inside a registered resource must
    // say which resource it is in (as the unknown-$schema error of a resource already does).
    $options = '{"resources":{"https://example.com/q.json":{"minLength":-1}}}';
    [$status, $schema] = compileSchema('{"properties":{"q":{"$ref":"https://example.com/q.json"}}}', $options);
    lib()->oreg_schema_free($schema);
    $error = assertError($status, 'OREG_ERR_SCHEMA');
    assertTrue(str_contains($error['message'], 'https://example.com/q.json'), 'the message names the resource: ' . json_encode($error));
}

function test_schema_max_depth_option(): void
{
    withSchema('{}', '{"maxDepth":3}', function (CData $schema): void {
        assertValid($schema, '[[[1]]]');
        assertError(validate($schema, '[[[[1]]]]')[0], 'OREG_ERR_LIMIT');
    });
}

// --- JSON Schema: bad input ----------------------------------------------------------------

function test_schema_not_json_is_json_error(): void
{
    assertJsonError(compileSchema('{"type":"string",}')[0], 17, 1, 18);
    assertJsonError(compileSchema('')[0], 0, 1, 1);
}

function test_schema_invalid_schema_names_its_location(): void
{
    assertError(compileSchema('{"type":12}')[0], 'OREG_ERR_SCHEMA', ['location' => '/type']);
    assertError(compileSchema('{"properties":{"a":{"minLength":-1}}}')[0], 'OREG_ERR_SCHEMA',
        ['location' => '/properties/a/minLength']);
}

function test_schema_unknown_schema_uri_is_schema_error(): void
{
    $error = assertError(compileSchema('{"$schema":"https://example.com/my-draft","type":"string"}')[0], 'OREG_ERR_SCHEMA');
    assertTrue(str_contains($error['message'], 'https://example.com/my-draft'), 'the message names the URI');
}

function test_schema_supported_schema_uris_compile(): void
{
    foreach (['https://json-schema.org/draft/2020-12/schema', 'http://json-schema.org/draft-07/schema#',
        'http://json-schema.org/draft-04/schema#'] as $uri) {
        withSchema('{"$schema":"' . $uri . '","type":"integer"}', null, function (CData $schema): void {
            assertValid($schema, '1');
            assertInvalid($schema, '"1"');
        });
    }
}

function test_schema_invalid_pattern_is_schema_error(): void
{
    foreach (['((', '[a-', 'a{2,1}', '(?<n>a)(?<n>b)'] as $pattern) {
        assertError(compileSchema('{"properties":{"p":{"pattern":"' . $pattern . '"}}}')[0], 'OREG_ERR_SCHEMA',
            ['location' => '/properties/p/pattern']);
    }
}

function test_schema_unresolvable_ref_is_schema_error_naming_it(): void
{
    $error = assertError(compileSchema('{"properties":{"a":{"$ref":"https://example.com/missing.json"}}}')[0], 'OREG_ERR_SCHEMA');
    assertTrue(str_contains($error['message'], 'https://example.com/missing.json'), 'the message names the URI: ' . $error['message']);
    $error = assertError(compileSchema('{"$ref":"#/$defs/missing"}')[0], 'OREG_ERR_SCHEMA');
    assertTrue(str_contains($error['message'], '/$defs/missing'), 'the message names the pointer: ' . $error['message']);
}

function test_schema_compile_null_out_is_misuse(): void
{
    foreach (['{}', '{"type":12}', 'nope'] as $json) {
        assertError(lib()->oreg_schema_compile($json, strlen($json), null, null), 'OREG_ERR_MISUSE');
    }
}

function test_schema_compile_null_json_with_length_is_misuse(): void
{
    assertError(compileSchema(null, null, 5)[0], 'OREG_ERR_MISUSE');
    assertError(compileSchema(null, null, 0)[0], 'OREG_ERR_JSON'); // the empty input
}

function test_schema_validate_null_schema_is_misuse(): void
{
    assertError(validate(null, '1')[0], 'OREG_ERR_MISUSE');
    assertError(lib()->oreg_schema_validate(null, '1', 1, null), 'OREG_ERR_MISUSE');
}

function test_schema_validate_null_json_with_length_is_misuse(): void
{
    withSchema('{}', null, function (CData $schema): void {
        assertError(validate($schema, null, 5)[0], 'OREG_ERR_MISUSE');
        assertJsonError(validate($schema, null, 0)[0], 0, 1, 1);
    });
}

function test_schema_instance_not_json_is_json_error(): void
{
    withSchema(fixture(CREATE_SCHEMA), null, function (CData $schema): void {
        assertJsonError(validate($schema, '{"email":"a@b.nl",}')[0], 18, 1, 19);
        assertJsonError(lib()->oreg_schema_validate($schema, '[1,]', 4, null), 3, 1, 4);
    });
}

function test_schema_instance_length_limits_the_input(): void
{
    withSchema('{"type":"array"}', null, function (CData $schema): void {
        assertSame([STATUSES['OREG_OK'], null], validate($schema, '[1]]]]', 3), 'a PHP string, length 3');
        $buffer = FFI::new('char[6]', false); // not NUL-terminated
        try {
            FFI::memcpy($buffer, '[1]]]]', 6);
            assertSame([STATUSES['OREG_OK'], null], validate($schema, $buffer, 3));
            assertJsonError(validate($schema, $buffer, 4)[0], 3, 1, 4);
        } finally {
            FFI::free($buffer);
        }
    });
}

function test_schema_deep_instance_is_limit_error(): void
{
    withSchema(fixture(CREATE_SCHEMA), null, function (CData $schema): void {
        $json = str_repeat('[', 100000) . str_repeat(']', 100000);
        [$status, $seconds] = timed(fn (): int => validate($schema, $json)[0]);
        assertError($status, 'OREG_ERR_LIMIT', ['offset' => MAX_DEPTH]);
        assertTrue($seconds < 1, "validation took $seconds s");
    });
    withSchema('{}', null, function (CData $schema): void {
        assertError(validate($schema, str_repeat('[', 100000))[0], 'OREG_ERR_LIMIT');
        assertValid($schema, str_repeat('[', MAX_DEPTH) . str_repeat(']', MAX_DEPTH));
    });
}

function test_schema_catastrophic_pattern_is_limit_error_quickly(): void
{
    withSchema('{"pattern":"^(a+)+$"}', null, function (CData $schema): void {
        assertValid($schema, '"aaaa"');
        $json = '"' . str_repeat('a', 5000) . 'b"';
        [$status, $seconds] = timed(fn (): int => validate($schema, $json)[0]);
        assertError($status, 'OREG_ERR_LIMIT');
        assertTrue($seconds < 1, "validation took $seconds s");
        [$status, $seconds] = timed(fn (): int => verdict($schema, $json));
        assertError($status, 'OREG_ERR_LIMIT');
        assertTrue($seconds < 1, "validation without a report took $seconds s");
    });
}

function test_schema_cyclic_ref_is_limit_error(): void
{
    withSchema(CYCLIC_SCHEMA, null, function (CData $schema): void {
        foreach (['1', '{}', '[{"a":[]}]'] as $json) {
            assertError(validate($schema, $json)[0], 'OREG_ERR_LIMIT');
            assertError(verdict($schema, $json), 'OREG_ERR_LIMIT');
        }
    });
}

function test_schema_free_null_is_harmless(): void
{
    lib()->oreg_schema_free(null);
    lib()->oreg_schema_free(lib()->cast('oreg_schema *', 0));
}

function test_schema_multiple_of_uses_exact_decimals(): void
{
    $cases = [
        ['0.1', '0.3', true], ['0.1', '0.7', true], ['0.1', '3', true], ['0.1', '-1.1', true],
        ['0.1', '0.35', false], ['0.1', '0.30000000000000004', false], ['0.01', '19.99', true],
        ['0.25', '32.5', true], ['0.25', '32.3', false], ['1e-8', '0.00000003', true],
    ];
    foreach ($cases as [$multipleOf, $json, $valid]) {
        withSchema('{"multipleOf":' . $multipleOf . '}', null, function (CData $schema) use ($json, $valid): void {
            if ($valid) {
                assertValid($schema, $json);
            } else {
                [$error] = assertInvalid($schema, $json);
                assertSame('multipleOf', $error['keyword']);
            }
        });
    }
}

// --- main ----------------------------------------------------------------------------------

ini_set('memory_limit', '1G');
['passed' => $passed, 'failed' => $failed] = runTests(__NAMESPACE__ . '\\test_');
echo "php-abi: $passed passed, $failed failed\n";
exit($failed === 0 ? 0 : 1);
