<?php

/*
 * A school website's "I want to become a teacher" form: validate against the region's own schema
 * (errors next to the fields, in Dutch or English), submit exactly once (a content-derived
 * idempotency key: the same form posted twice is one candidate) with a callback URL, thank you.
 *
 * Configuration (environment):
 *   ONDERWIJSREGIO_API_KEY        the region's API key (required)
 *   ONDERWIJSREGIO_BASE_URL       default: the production API; the local simulator for a test
 *   ONDERWIJSREGIO_CALLBACK_URL   where the signed result is POSTed (examples/php/callback.php)
 *   ONDERWIJSREGIO_SCHEMA_CACHE   a directory shared by all PHP workers for the schema (optional)
 *   ONDERWIJSREGIO_SANDBOX        "1": use the sandbox
 *
 * Try it against the simulator:
 *   python3 tools/simulator/server.py --port 8787 &
 *   ONDERWIJSREGIO_API_KEY=sim-api-key ONDERWIJSREGIO_BASE_URL=http://127.0.0.1:8787/api/v2 \
 *   ONDERWIJSREGIO_CALLBACK_URL=http://127.0.0.1:9000/hooks/onderwijsregio \
 *   php -d ffi.enable=1 -S 127.0.0.1:8080 examples/php/form-handler.php
 * and open http://127.0.0.1:8080/ (?lang=en for English).
 */

declare(strict_types=1);

use Onderwijsregio\Client;
use Onderwijsregio\Exception\ApiException;
use Onderwijsregio\Exception\MisuseException;
use Onderwijsregio\Exception\OnderwijsregioException;
use Onderwijsregio\Exception\TransportException;
use Onderwijsregio\Exception\ValidationException;
use Onderwijsregio\Schema;
use Onderwijsregio\ValidationReport;

$autoload = __DIR__ . '/../../vendor/autoload.php';
require is_file($autoload) ? $autoload : __DIR__ . '/../../bindings/php/autoload.php';

const TEXT = [
    'nl' => [
        'title' => 'Word leraar in onze regio',
        'intro' => 'Laat je gegevens achter, dan nemen we contact met je op.',
        'firstName' => 'Voornaam', 'lastName' => 'Achternaam', 'email' => 'E-mailadres',
        'phone' => 'Telefoonnummer (optioneel)', 'postalCode' => 'Postcode (optioneel)',
        'motivation' => 'Waarom wil je het onderwijs in? (optioneel)',
        'privacyConsent' => 'Ik ga akkoord met de verwerking van mijn gegevens',
        'submit' => 'Versturen', 'fix' => 'Controleer de gemarkeerde velden.',
        'thanks' => 'Bedankt!', 'thanksText' => 'We hebben je aanmelding ontvangen en nemen snel contact met je op.',
        'reference' => 'Referentie', 'failed' => 'Er ging iets mis bij het versturen. Probeer het later nog eens; je aanmelding wordt niet dubbel verwerkt.',
        'other' => 'English',
    ],
    'en' => [
        'title' => 'Become a teacher in our region',
        'intro' => 'Leave your details and we will contact you.',
        'firstName' => 'First name', 'lastName' => 'Last name', 'email' => 'Email address',
        'phone' => 'Phone number (optional)', 'postalCode' => 'Postal code (optional)',
        'motivation' => 'Why do you want to teach? (optional)',
        'privacyConsent' => 'I agree to the processing of my details',
        'submit' => 'Send', 'fix' => 'Please check the marked fields.',
        'thanks' => 'Thank you!', 'thanksText' => 'We received your registration and will contact you soon.',
        'reference' => 'Reference', 'failed' => 'Sending failed. Please try again later; your registration will not be processed twice.',
        'other' => 'Nederlands',
    ],
];

/** Form field => where it goes in the candidate payload (the keys of messagesByField()). */
const FIELDS = [
    'firstName' => 'firstName', 'lastName' => 'lastName', 'email' => 'email', 'phone' => 'phone',
    'postalCode' => 'address.postalCode', 'motivation' => 'motivation', 'privacyConsent' => 'privacyConsent',
];

function h(mixed $text): string
{
    return htmlspecialchars((string) $text, ENT_QUOTES | ENT_SUBSTITUTE | ENT_HTML5, 'UTF-8');
}

function client(): Client
{
    static $client = null;
    $options = ['apiKey' => (string) getenv('ONDERWIJSREGIO_API_KEY')];
    if (getenv('ONDERWIJSREGIO_BASE_URL')) {
        $options['baseUrl'] = getenv('ONDERWIJSREGIO_BASE_URL');
    }
    if (getenv('ONDERWIJSREGIO_SCHEMA_CACHE')) {
        $options['schemaCache'] = ['dir' => getenv('ONDERWIJSREGIO_SCHEMA_CACHE')];
    }
    if (getenv('ONDERWIJSREGIO_SANDBOX') === '1') {
        $options['sandbox'] = true;
    }
    return $client ??= new Client($options);
}

/** The region's create schema with messages in $lang (English where the library has no Dutch yet). */
function schema(string $lang): Schema
{
    $json = client()->schemaJson('create');
    try {
        return Schema::compile($json, ['language' => $lang]);
    } catch (MisuseException) {
        return Schema::compile($json, ['language' => 'en']);
    }
}

/** The candidate payload from the posted form: trimmed, empty optional fields left out. */
function payload(array $form): array
{
    $text = static fn (string $name): string => trim(is_string($form[$name] ?? null) ? $form[$name] : '');
    $payload = [
        'firstName' => $text('firstName'),
        'lastName' => $text('lastName'),
        'email' => $text('email'),
        'privacyConsent' => ($form['privacyConsent'] ?? '') === 'yes',
    ];
    foreach (['phone', 'motivation'] as $optional) {
        if ($text($optional) !== '') {
            $payload[$optional] = $text($optional);
        }
    }
    if ($text('postalCode') !== '') {
        $payload['address'] = ['postalCode' => strtoupper($text('postalCode'))];
    }
    return $payload;
}

function page(string $lang, string $title, string $content, int $status = 200): never
{
    http_response_code($status);
    header('Content-Type: text/html; charset=utf-8');
    $t = TEXT[$lang];
    $other = $lang === 'nl' ? 'en' : 'nl';
    echo "<!doctype html>\n<html lang=\"", h($lang), "\"><head><meta charset=\"utf-8\"><title>", h($title), "</title>",
        "<style>body{font-family:sans-serif;max-width:36em;margin:2em auto}label{display:block;margin-top:1em}",
        ".error{color:#b00020;font-size:.9em}input[type=text],input[type=email],textarea{width:100%}</style></head><body>\n",
        "<p><a href=\"?lang=", h($other), "\">", h($t['other']), "</a></p>\n<h1>", h($title), "</h1>\n", $content, "\n</body></html>\n";
    exit;
}

/** @param array<string, list<string>> $errors messagesByField() */
function form(string $lang, array $form, array $errors): string
{
    $t = TEXT[$lang];
    $html = '<p>' . h($t['intro']) . "</p>\n";
    if ($errors !== []) {
        $html .= '<p class="error" role="alert">' . h($t['fix']) . "</p>\n";
    }
    $html .= '<form method="post" action="?lang=' . h($lang) . "\" novalidate>\n<input type=\"hidden\" name=\"lang\" value=\"" . h($lang) . "\">\n";
    foreach (FIELDS as $name => $path) {
        $messages = $errors[$path] ?? [];
        $value = is_string($form[$name] ?? null) ? $form[$name] : '';
        $described = $messages === [] ? '' : ' aria-invalid="true" aria-describedby="' . h($name) . '-error"';
        if ($name === 'privacyConsent') {
            $html .= '<label><input type="checkbox" name="privacyConsent" value="yes"' . ($value === 'yes' ? ' checked' : '')
                . $described . '> ' . h($t[$name]) . '</label>';
        } elseif ($name === 'motivation') {
            $html .= '<label for="motivation">' . h($t[$name]) . '</label><textarea id="motivation" name="motivation" rows="4"'
                . $described . '>' . h($value) . '</textarea>';
        } else {
            $type = $name === 'email' ? 'email' : 'text';
            $html .= '<label for="' . h($name) . '">' . h($t[$name]) . '</label><input type="' . $type . '" id="' . h($name)
                . '" name="' . h($name) . '" value="' . h($value) . '"' . $described . '>';
        }
        if ($messages !== []) {
            $html .= '<div class="error" id="' . h($name) . '-error" data-field="' . h($name) . '">'
                . implode('<br>', array_map('h', $messages)) . '</div>';
        }
        $html .= "\n";
    }
    // Errors about fields this form does not have (a region's required custom field, say).
    $unplaced = array_diff_key($errors, array_flip(array_values(FIELDS)));
    foreach ($unplaced as $field => $messages) {
        $html .= '<div class="error" data-field="' . h($field) . '">' . h($field === '' ? '' : "$field: ")
            . implode('<br>', array_map('h', $messages)) . "</div>\n";
    }
    return $html . '<p><button type="submit">' . h($t['submit']) . "</button></p>\n</form>";
}

$requested = $_POST['lang'] ?? $_GET['lang'] ?? 'nl';
$lang = is_string($requested) && isset(TEXT[$requested]) ? $requested : 'nl';
$t = TEXT[$lang];

if (($_SERVER['REQUEST_METHOD'] ?? 'GET') !== 'POST') {
    page($lang, $t['title'], form($lang, [], []));
}

try {
    $payload = payload($_POST);
    $report = schema($lang)->validate($payload);
    if (!$report->valid) {
        page($lang, $t['title'], form($lang, $_POST, $report->messagesByField()), 422);
    }
    $result = client()->createCandidates(
        [$payload],
        idempotencyKey: 'content',                        // the same form twice: one candidate
        callbackUrl: getenv('ONDERWIJSREGIO_CALLBACK_URL') ?: null,
    );
} catch (ValidationException $e) {
    // The client validates again before sending (English messages): show them all the same.
    page($lang, $t['title'], form($lang, $_POST, $e->report->messagesByField()), 422);
} catch (ApiException | TransportException $e) {
    // Safe to retry: the content-derived key makes a resubmission the same mutation.
    error_log(sprintf('onderwijsregio: %s (key %s, retryable %s)', $e->getMessage(), (string) $e->idempotencyKey,
        $e->retryable ? 'yes' : 'no'));
    page($lang, $t['title'], '<p class="error">' . h($t['failed']) . '</p>' . form($lang, $_POST, []), 503);
} catch (OnderwijsregioException $e) {
    error_log('onderwijsregio: ' . $e->getMessage());
    page($lang, $t['title'], '<p class="error">' . h($t['failed']) . '</p>', 500);
}

page($lang, $t['thanks'], '<p>' . h($t['thanksText']) . '</p><p><small>' . h($t['reference']) . ': <code id="mutation">'
    . h($result->mutationId) . '</code></small></p>');
