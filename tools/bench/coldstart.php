<?php

/*
 * coldstart.php - one fresh PHP process doing one thing, for the cold-start benchmark
 * (tools/bench/coldstart.py starts it many times and times the whole process).
 *
 *   php coldstart.php MODE [--rss] ARGS...
 *
 *   load      --cdef CDEF --lib LIB: FFI::cdef(file_get_contents(CDEF), LIB), nothing else
 *   verify    --cdef CDEF --lib LIB --body FILE --secret S --path P --ts T --nonce N --sig HEADER:
 *             the FFI load, then oreg_verifier_new({"secrets":[S]}, default replay store) and one
 *             oreg_verifier_verify of the callback (now = T); exit 3 unless OREG_OK
 *   validate  --cdef CDEF --lib LIB --schema FILE --payload FILE: the FFI load, oreg_schema_compile,
 *             one oreg_schema_validate (verdict); exit 3 unless OREG_OK
 *   hmac      --body FILE --secret S --path P --ts T --nonce N --sig HEADER: the alternative for
 *             verify: contract section 8 by hand (hash_hmac, base64_encode, hash_equals)
 *   jr        --autoload FILE --schema DRAFT04_SCHEMA --payload FILE: the alternative for validate:
 *             justinrainbow/json-schema (require its autoloader, json_decode, Validator::validate)
 *
 * --rss: print "rss<TAB>MODE<TAB>before_kB<TAB>after_kB" (VmRSS of /proc/self/status before and
 * after the work above); without it the script prints nothing and only its exit status tells.
 */

declare(strict_types=1);

function vmrss(): int
{
    $status = (string)@file_get_contents('/proc/self/status');
    return preg_match('/^VmRSS:\s+(\d+)\s+kB/m', $status, $m) ? (int)$m[1] : -1;
}

$mode = $argv[1] ?? '';
$opt = [];
$rss = false;
for ($i = 2; $i < $argc; $i++) {
    if ($argv[$i] === '--rss') {
        $rss = true;
    } elseif (str_starts_with($argv[$i], '--') && $i + 1 < $argc) {
        $opt[substr($argv[$i], 2)] = $argv[++$i];
    }
}
$before = $rss ? vmrss() : 0;
$ok = true;
switch ($mode) {
    case 'load':
    case 'verify':
    case 'validate':
        $ffi = FFI::cdef(file_get_contents($opt['cdef']), $opt['lib']);
        if ($mode === 'verify') {
            $v = $ffi->new('oreg_verifier *');
            $ok = $ffi->oreg_verifier_new(json_encode(['secrets' => [$opt['secret']]]), FFI::addr($v)) === 0;
            $body = file_get_contents($opt['body']);
            $ok = $ok && $ffi->oreg_verifier_verify($v, $opt['path'], $body, strlen($body), $opt['ts'], $opt['nonce'],
                                                    $opt['sig'], (int)$opt['ts']) === 0;
        } elseif ($mode === 'validate') {
            $schemaText = file_get_contents($opt['schema']);
            $s = $ffi->new('oreg_schema *');
            $ok = $ffi->oreg_schema_compile($schemaText, strlen($schemaText), null, FFI::addr($s)) === 0;
            $payload = file_get_contents($opt['payload']);
            $ok = $ok && $ffi->oreg_schema_validate($s, $payload, strlen($payload), null) === 0;
        }
        break;
    case 'hmac':
        $body = file_get_contents($opt['body']);
        $expected = base64_encode(hash_hmac('sha256', "{$opt['ts']}\n{$opt['nonce']}\n{$opt['path']}\n$body",
                                            $opt['secret'], true));
        $ok = false;
        foreach (explode(' ', $opt['sig']) as $entry) {
            if (str_starts_with($entry, 'v2=') && hash_equals($expected, substr($entry, 3))) {
                $ok = true;
            }
        }
        break;
    case 'jr':
        require $opt['autoload'];
        $schema = json_decode(file_get_contents($opt['schema']));
        $data = json_decode(file_get_contents($opt['payload']));
        $validator = new JsonSchema\Validator();
        $validator->validate($data, $schema);
        $ok = $validator->isValid();
        break;
    default:
        fwrite(STDERR, "coldstart.php: unknown mode '$mode'\n");
        exit(2);
}
if ($rss) {
    printf("rss\t%s\t%d\t%d\n", $mode, $before, vmrss());
}
exit($ok ? 0 : 3);
