<?php

declare(strict_types=1);

namespace Onderwijsregio;

use FFI;
use FFI\CData;

/**
 * A compiled JSON Schema (drafts 2020-12, draft-07, draft-04), validated by the library.
 * Immutable; compile once per process and reuse.
 *
 *     $schema = Schema::compile($client->schema(), ['language' => 'nl']);
 *     $report = $schema->validate($_POST_payload);
 */
final class Schema
{
    use OwnsHandle;

    private const HANDLE_FREE = 'oreg_schema_free';
    private const HANDLE_GONE = 'the schema was freed';

    /** @var array<string, true>|null */
    private ?array $propertyNames = null;

    private function __construct(CData $handle, private readonly string $json)
    {
        $this->handle = $handle;
    }

    /**
     * @param string|array<mixed>|object $schema the schema: JSON text, or a decoded schema
     * @param array<string, mixed> $options the library's options: 'formatAssertion' (bool, default
     *        true), 'defaultDraft' ('2020-12' | 'draft7' | 'draft4'), 'stopAtFirstError',
     *        'validateSchema', 'maxDepth', 'resources' (uri => schema), 'language' ('en', 'nl'
     *        where the library has it)
     * @throws Exception\SchemaException|Exception\MisuseException|Exception\InvalidJsonException
     */
    public static function compile(string|array|object $schema, array $options = []): self
    {
        $json = Library::jsonText($schema, 'the schema');
        $optionsJson = $options === [] ? null : Library::cString(Library::encode((object) $options, 'the schema options'), 'the schema options');
        $ffi = Library::ffi();
        $out = $ffi->new('oreg_schema *');
        $status = $ffi->oreg_schema_compile($json, strlen($json), $optionsJson, FFI::addr($out));
        if ($status !== Library::OK) {
            throw Library::failure($status, 'oreg_schema_compile');
        }
        return new self($out, $json);
    }

    /**
     * Validates a payload: a PHP value (encoded as JSON; strings that are not UTF-8 are refused)
     * or, with $isJson, JSON text as received.
     *
     * @throws Exception\InvalidJsonException|Exception\LimitException|Exception\EncodingException
     */
    public function validate(mixed $instance, bool $isJson = false): ValidationReport
    {
        $json = $isJson ? (string) $instance : Library::encode($instance, 'the payload');
        $out = Library::outString();
        $status = Library::ffi()->oreg_schema_validate($this->handle(), $json, strlen($json), FFI::addr($out));
        $report = Library::take($out); // copied and freed (also when the copy fails)
        return match ($status) {
            Library::OK => ValidationReport::valid(),
            Library::INVALID => ValidationReport::fromJson((string) $report, $this->propertyNames(),
                $isJson ? json_decode($json, true) : $instance),
            default => throw Library::failure($status, 'oreg_schema_validate'),
        };
    }

    /** The verdict only: the fastest check (stops at the first error, builds no report). */
    public function isValid(mixed $instance, bool $isJson = false): bool
    {
        $json = $isJson ? (string) $instance : Library::encode($instance, 'the payload');
        $status = Library::ffi()->oreg_schema_validate($this->handle(), $json, strlen($json), null);
        return match ($status) {
            Library::OK => true,
            Library::INVALID => false,
            default => throw Library::failure($status, 'oreg_schema_validate'),
        };
    }

    /** @return array<string, true> */
    private function propertyNames(): array
    {
        return $this->propertyNames ??= ValidationReport::propertyNames(json_decode($this->json, true));
    }

    /** Releases the compiled schema now (the destructor does it otherwise). */
    public function free(): void
    {
        $this->release();
    }
}
