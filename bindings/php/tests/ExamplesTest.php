<?php

declare(strict_types=1);

namespace Onderwijsregio\Tests;

use Onderwijsregio\Tests\Support\Process;
use Onderwijsregio\Tests\Support\Simulator;
use Onderwijsregio\Tests\Support\TestCase;

/** examples/php/form-handler.php under php -S against the simulator. */
final class ExamplesTest extends TestCase
{
    public function testFormHandler(): void
    {
        Simulator::reset();
        [$server, $url] = Process::phpServer(self::repo('examples/php/form-handler.php'), [
            'ONDERWIJSREGIO_API_KEY' => Simulator::API_KEY, 'ONDERWIJSREGIO_BASE_URL' => Simulator::baseUrl(),
            'ONDERWIJSREGIO_CALLBACK_URL' => 'http://127.0.0.1:9/hooks/onderwijsregio']);
        try {
            $form = Process::http('GET', "$url/?lang=en");
            $this->assertSame(200, $form['status']);
            $this->assertStringContainsString('name="privacyConsent"', $form['body']);

            $post = fn (array $fields, string $lang): array => Process::http('POST', "$url/?lang=$lang", http_build_query($fields + ['lang' => $lang]),
                ['Content-Type' => 'application/x-www-form-urlencoded']);
            $invalid = $post(['firstName' => '<script>x</script>', 'email' => 'not an address', 'postalCode' => '12'], 'en');
            $this->assertSame(422, $invalid['status']);
            $this->assertStringNotContainsString('<script>x</script>', $invalid['body']);
            $this->assertStringContainsString('&lt;script&gt;x&lt;/script&gt;', $invalid['body']);
            foreach (['email', 'lastName', 'postalCode', 'privacyConsent'] as $field) {
                $this->assertStringContainsString('data-field="' . $field . '"', $invalid['body'], $invalid['body']);
            }
            $dutch = $post(['email' => 'x'], 'nl');
            $this->assertSame(422, $dutch['status']);
            $this->assertStringContainsString('Controleer de gemarkeerde velden', $dutch['body']);
            $this->assertSame([], Simulator::requests('?path=/api/v2/candidates*&method=POST'));

            $fields = ['firstName' => 'Fatima', 'lastName' => 'El Amrani', 'email' => 'fatima@example.nl',
                'postalCode' => '3511 ab', 'privacyConsent' => 'yes', 'motivation' => 'Ik wil lesgeven.'];
            $thanks = $post($fields, 'nl');
            $this->assertSame(200, $thanks['status'], $thanks['body']);
            $this->assertStringContainsString('Bedankt', $thanks['body']);
            $this->assertMatchesRegularExpression('#<code id="mutation">(mut_[^<]+)</code>#', $thanks['body']);
            $again = $post($fields, 'nl');
            preg_match('#<code id="mutation">([^<]+)</code>#', $thanks['body'], $first);
            preg_match('#<code id="mutation">([^<]+)</code>#', $again['body'], $second);
            $this->assertSame($first[1], $second[1], 'the same form twice: one mutation');
            Simulator::drain();
            $mutations = Simulator::mutations();
            $this->assertCount(1, $mutations);
            $this->assertSame(1, $mutations[0]['replays']);
            $this->assertSame('3511 AB', $mutations[0]['body'][0]['address']['postalCode']);
            $requests = Simulator::requests('?path=/api/v2/candidates&method=POST');
            $this->assertStringContainsString('callbackUrl=http%3A%2F%2F127.0.0.1%3A9%2Fhooks%2Fonderwijsregio', $requests[0]['target']);
        } finally {
            Process::stop($server);
        }
    }
}
