<?php

declare(strict_types=1);

namespace Onderwijsregio\Tests\Support;

use Onderwijsregio\Client;
use PHPUnit\Framework\TestCase as BaseTestCase;

abstract class TestCase extends BaseTestCase
{
    public const REPO = __DIR__ . '/../../../..';

    public static function repo(string $relative = ''): string
    {
        return realpath(self::REPO) . ($relative === '' ? '' : '/' . $relative);
    }

    public static function fixtures(): string
    {
        return getenv('ONDERWIJSREGIO_FIXTURES') ?: dirname(self::repo()) . '/shared/fixtures';
    }

    public static function fixture(string $relative): string
    {
        $text = file_get_contents(self::fixtures() . '/' . $relative);
        self::assertIsString($text, "fixture $relative");
        return $text;
    }

    /** @param array<string, mixed> $options */
    protected function client(array $options = []): Client
    {
        return new Client($options + [
            'apiKey' => Simulator::API_KEY,
            'baseUrl' => Simulator::baseUrl(),
            'retry' => ['baseDelayMs' => 10, 'maxDelayMs' => 50, 'jitterSeed' => 1],
            'timeouts' => ['connectMs' => 2000, 'requestMs' => 5000, 'deadlineMs' => 30000],
        ]);
    }

    /** @return array<string, mixed> a valid create payload with a unique email */
    protected static function candidate(string $name = 'jan', array $extra = []): array
    {
        static $n = 0;
        $n++;
        return $extra + ['email' => sprintf('%s.%d.%s@example.nl', $name, $n, bin2hex(random_bytes(3))),
            'firstName' => ucfirst($name), 'lastName' => 'Jansen', 'privacyConsent' => true];
    }
}
