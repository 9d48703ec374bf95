<?php

/*
 * Sends the mutations the website kept in its outbox while the Onderwijsregio API could not be
 * reached. Run it from cron (every minute is fine: an empty outbox costs one SQLite query, and
 * entries that failed wait 30 s, doubling up to an hour, before they are tried again):
 *
 *   * * * * *  www-data  ONDERWIJSREGIO_API_KEY=... ONDERWIJSREGIO_OUTBOX=/var/lib/site/onderwijsregio-outbox.db \
 *                        php -d ffi.enable=1 /var/www/site/examples/php/flush-outbox.php
 *
 * It must run as the user the website runs as (the outbox file is 0600), with the same API key,
 * base URL and sandbox setting as the website: entries are filed under that region and only
 * ever sent by a client of the same region. Several flushers at once are safe.
 *
 * Configuration (environment):
 *   ONDERWIJSREGIO_API_KEY    the region's API key (required)
 *   ONDERWIJSREGIO_OUTBOX     the outbox file the website's Client uses (required)
 *   ONDERWIJSREGIO_BASE_URL   default: the production API
 *   ONDERWIJSREGIO_SANDBOX    "1": the sandbox
 *
 * With --ignore-backoff (by hand, when the service is back) entries still waiting are sent too.
 *
 * Prints one line, "outbox flush: 2 delivered, 0 requeued, 0 dead; left: 0 queued, 0 dead".
 * Exit status: 0 when nothing is left queued or dead, 1 when entries remain (cron mails the line;
 * dead entries were refused by the service and need a person: see Client::outboxStatus()),
 * 2 on a configuration error.
 */

declare(strict_types=1);

use Onderwijsregio\Client;
use Onderwijsregio\Exception\OnderwijsregioException;

$autoload = __DIR__ . '/../../vendor/autoload.php';
require is_file($autoload) ? $autoload : __DIR__ . '/../../bindings/php/autoload.php';

$apiKey = getenv('ONDERWIJSREGIO_API_KEY');
$outbox = getenv('ONDERWIJSREGIO_OUTBOX');
if ($apiKey === false || $apiKey === '' || $outbox === false || $outbox === '') {
    fwrite(STDERR, "flush-outbox: set ONDERWIJSREGIO_API_KEY and ONDERWIJSREGIO_OUTBOX\n");
    exit(2);
}
$options = ['apiKey' => $apiKey, 'outbox' => ['path' => $outbox], 'sandbox' => getenv('ONDERWIJSREGIO_SANDBOX') === '1'];
$baseUrl = getenv('ONDERWIJSREGIO_BASE_URL');
if ($baseUrl !== false && $baseUrl !== '') {
    $options['baseUrl'] = $baseUrl;
}

try {
    $client = new Client($options);
    $report = $client->flush(max: 100, ignoreBackoff: in_array('--ignore-backoff', array_slice($argv, 1), true));
    $states = $client->outboxStatus()['states'];
} catch (OnderwijsregioException $e) {
    fwrite(STDERR, 'flush-outbox: ' . $e->getMessage() . "\n");
    exit(2);
}
$queued = (int) ($states['queued']['count'] ?? 0);
$dead = (int) ($states['dead']['count'] ?? 0);
printf("outbox flush: %d delivered, %d requeued, %d dead; left: %d queued, %d dead\n",
    $report['delivered'], $report['requeued'], $report['dead'], $queued, $dead);
foreach ($report['entries'] as $entry) {
    if ($entry['outcome'] !== 'delivered') {
        printf("  %s %s (key %s): %s\n", $entry['outcome'], $entry['mutation'], $entry['idempotencyKey'],
            $entry['error'] ?? '');
    }
}
exit($queued > 0 || $dead > 0 ? 1 : 0);
