<?php

declare(strict_types=1);

namespace Onderwijsregio\Tests;

use Onderwijsregio\Exception\EncodingException;
use Onderwijsregio\Exception\InvalidJsonException;
use Onderwijsregio\Exception\LimitException;
use Onderwijsregio\Exception\MisuseException;
use Onderwijsregio\Exception\SchemaException;
use Onderwijsregio\Schema;
use Onderwijsregio\Tests\Support\TestCase;
use Onderwijsregio\ValidationError;

final class SchemaTest extends TestCase
{
    private static function createSchema(array $options = []): Schema
    {
        return Schema::compile(self::fixture('schema/candidate-create.schema.json'), $options);
    }

    public function testCompileFromStringOrArrayAndValidate(): void
    {
        $fromString = self::createSchema();
        $fromArray = Schema::compile(json_decode(self::fixture('schema/candidate-create.schema.json'), true));
        foreach ([$fromString, $fromArray] as $schema) {
            $this->assertTrue($schema->validate(json_decode(self::fixture('payloads/candidate-valid-full.json'), true))->valid);
            $this->assertTrue($schema->isValid(self::fixture('payloads/candidate-valid-minimal.json'), true));
            $this->assertFalse($schema->isValid(self::fixture('payloads/candidate-invalid-many.json'), true));
        }
    }

    public function testReportErrorsHaveTheirFields(): void
    {
        $report = self::createSchema()->validate(['email' => 'x', 'firstName' => '', 'phone' => '1',
            'address' => ['city' => 'Utrecht'], 'privacyConsent' => false]);
        $this->assertFalse($report->valid);
        $byLocation = [];
        foreach ($report->errors as $error) {
            $this->assertInstanceOf(ValidationError::class, $error);
            $byLocation[$error->instanceLocation][] = $error;
        }
        $this->assertSame('minLength', $byLocation['/firstName'][0]->keyword);
        $this->assertSame('/properties/firstName/minLength', $byLocation['/firstName'][0]->keywordLocation);
        $this->assertNotSame('', $byLocation['/firstName'][0]->message);
        $this->assertSame('anyOf', $byLocation['/phone'][0]->keyword);
        $this->assertCount(2, $byLocation['/phone'][0]->errors, 'the branches are nested');
        $fields = $report->messagesByField();
        foreach (['email', 'firstName', 'lastName', 'phone', 'address.postalCode', 'privacyConsent'] as $field) {
            $this->assertArrayHasKey($field, $fields, json_encode($fields));
            $this->assertContainsOnly('string', $fields[$field]);
        }
        $this->assertSame($fields['firstName'], $report->messagesFor('firstName'));
        $this->assertArrayHasKey('address/postalCode', $report->messagesByField('/'));
        $this->assertSame(['valid' => false], array_slice($report->toArray(), 0, 1));
        $this->assertTrue(self::createSchema()->validate(json_decode(self::fixture('payloads/candidate-valid-minimal.json'), true))->valid);
        $this->assertSame([], self::createSchema()->validate(json_decode(self::fixture('payloads/candidate-valid-minimal.json'), true))->messagesByField());
    }

    public function testOptionsArePassedThrough(): void
    {
        $this->assertTrue(Schema::compile(['type' => 'string', 'format' => 'email'], ['formatAssertion' => false])->isValid('not an address'));
        $this->assertFalse(Schema::compile(['type' => 'string', 'format' => 'email'])->isValid('not an address'));
        $this->assertCount(1, self::createSchema(['stopAtFirstError' => true])->validate(['email' => 'x'])->errors);
        $this->assertTrue(Schema::compile('{"items":[{"type":"integer"}]}', ['defaultDraft' => 'draft7'])->isValid([1, 'a']));
        $this->assertFalse(self::createSchema(['language' => 'en'])->validate(['email' => 'x'])->valid);
        try {
            Schema::compile('{}', ['bogus' => true]);
            $this->fail('no MisuseException');
        } catch (MisuseException $e) {
            $this->assertStringContainsString('bogus', $e->getMessage());
            $this->assertSame('OREG_ERR_MISUSE', $e->statusName);
        }
    }

    public function testDutchMessages(): void
    {
        try {
            $schema = self::createSchema(['language' => 'nl']);
        } catch (MisuseException $e) {
            $this->assertStringContainsString('language', $e->getMessage());
            $this->markTestSkipped('the library has no Dutch messages yet: ' . $e->getMessage());
        }
        $english = self::createSchema(['language' => 'en'])->validate(['firstName' => ''])->messagesByField();
        $dutch = $schema->validate(['firstName' => ''])->messagesByField();
        $this->assertSame(array_keys($english), array_keys($dutch), 'the same fields, also for required properties');
        $this->assertNotSame($english['firstName'], $dutch['firstName']);
    }

    public function testBadSchemasAndInput(): void
    {
        try {
            Schema::compile('{"properties":{"a":{"minLength":-1}}}');
            $this->fail('no SchemaException');
        } catch (SchemaException $e) {
            $this->assertSame('/properties/a/minLength', $e->details['location']);
        }
        try {
            Schema::compile('{"type":"string",}');
            $this->fail('no InvalidJsonException');
        } catch (InvalidJsonException $e) {
            $this->assertSame(17, $e->details['offset']);
            $this->assertSame(1, $e->details['line']);
        }
        $schema = Schema::compile('{}');
        try {
            $schema->validate(str_repeat('[', 600) . str_repeat(']', 600), true);
            $this->fail('no LimitException');
        } catch (LimitException $e) {
            $this->assertSame('OREG_ERR_LIMIT', $e->statusName);
        }
        $this->expectException(InvalidJsonException::class);
        $schema->validate('{"a":1,}', true);
    }

    public function testNonUtf8ArraysAreRefusedBeforeTheCall(): void
    {
        $schema = self::createSchema();
        try {
            $schema->validate(['address' => ['city' => "Den Haag \xC3"]]);
            $this->fail('no EncodingException');
        } catch (EncodingException $e) {
            $this->assertStringContainsString('/address/city', $e->getMessage());
            $this->assertStringContainsString('UTF-8', $e->getMessage());
        }
        $this->expectException(EncodingException::class);
        Schema::compile(['type' => "str\xFFing"]);
    }

    public function testFreedSchemaIsMisuse(): void
    {
        $schema = Schema::compile('{}');
        $schema->free();
        $schema->free();
        $this->expectException(MisuseException::class);
        $schema->isValid(1);
    }

    /** 100,000 validations: memory_get_usage() and the RSS stay flat within 2 MB after a warm-up. */
    public function testNoLeaks(): void
    {
        $schema = self::createSchema();
        $valid = json_decode(self::fixture('payloads/candidate-valid-full.json'), true);
        $invalid = ['email' => 'x', 'firstName' => '', 'privacyConsent' => false];
        $round = function (int $n) use ($schema, $valid, $invalid): void {
            for ($i = 0; $i < $n; $i++) {
                if ($i % 2 === 0) {
                    $schema->validate($valid);
                } else {
                    $schema->validate($invalid);
                }
            }
        };
        $round(5000); // warm-up
        gc_collect_cycles();
        $memory = memory_get_usage();
        $rss = self::rss();
        $round(100000);
        gc_collect_cycles();
        $this->assertLessThan(2 * 1024 * 1024, memory_get_usage() - $memory, 'memory_get_usage() grew');
        $this->assertLessThan(2 * 1024 * 1024, self::rss() - $rss, 'the RSS grew');
    }

    private static function rss(): int
    {
        $fields = explode(' ', trim((string) file_get_contents('/proc/self/statm')));
        return (int) $fields[1] * 4096;
    }
}
