<?php

declare(strict_types=1);

namespace Onderwijsregio;

/**
 * The outcome of a validation: $valid, and for an invalid payload the library's $errors.
 */
final class ValidationReport
{
    /**
     * @param list<ValidationError> $errors
     * @param array<string, true>|null $propertyNames the schema's property names (for messagesByField)
     * @param mixed $instance the validated payload (for messagesByField)
     */
    public function __construct(
        public readonly bool $valid,
        public readonly array $errors = [],
        private readonly ?array $propertyNames = null,
        private readonly mixed $instance = null,
    ) {
    }

    public static function valid(): self
    {
        return new self(true);
    }

    /** From the library's report JSON ({"valid":false,"errors":[...]}). */
    public static function fromJson(string $json, ?array $propertyNames = null, mixed $instance = null): self
    {
        $report = Library::decode($json, 'the validation report');
        $errors = is_array($report['errors'] ?? null) ? $report['errors'] : [];
        return new self(
            (bool) ($report['valid'] ?? false),
            array_map([ValidationError::class, 'fromArray'], array_values($errors)),
            $propertyNames,
            $instance,
        );
    }

    /**
     * The messages grouped by field, for showing them next to form fields: keys are the
     * payload locations with "/" replaced by $separator and without the leading one ("email",
     * "address.postalCode", "sectors.1"); "" holds errors about the payload as a whole.
     * A missing required property is listed under the property. Each message once per field.
     *
     * @return array<string, list<string>>
     */
    public function messagesByField(string $separator = '.'): array
    {
        $fields = [];
        foreach ($this->errors as $error) {
          foreach ($error->fieldLocations($this->propertyNames, $this->instance) as $pointer) {
            $segments = $pointer === '' ? [] : array_map(
                static fn (string $s): string => str_replace(['~1', '~0'], ['/', '~'], $s),
                explode('/', substr($pointer, 1))
            );
            $field = implode($separator, $segments);
            if (!in_array($error->message, $fields[$field] ?? [], true)) {
                $fields[$field][] = $error->message;
            }
          }
        }
        return $fields;
    }

    /** The messages for one field (as named by messagesByField()). @return list<string> */
    public function messagesFor(string $field, string $separator = '.'): array
    {
        return $this->messagesByField($separator)[$field] ?? [];
    }

    /**
     * Every name under a "properties" keyword of a schema document.
     *
     * @return array<string, true>
     */
    public static function propertyNames(mixed $schema): array
    {
        $names = [];
        $walk = static function (mixed $node) use (&$walk, &$names): void {
            if (!is_array($node)) {
                return;
            }
            if (isset($node['properties']) && is_array($node['properties'])) {
                foreach (array_keys($node['properties']) as $name) {
                    $names[(string) $name] = true;
                }
            }
            foreach ($node as $child) {
                $walk($child);
            }
        };
        $walk($schema);
        return $names;
    }

    /** @return array{valid: bool, errors: list<array<string, mixed>>} */
    public function toArray(): array
    {
        return ['valid' => $this->valid, 'errors' => array_map(static fn (ValidationError $e): array => $e->toArray(), $this->errors)];
    }
}
