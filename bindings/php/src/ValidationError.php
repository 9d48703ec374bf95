<?php

declare(strict_types=1);

namespace Onderwijsregio;

/**
 * One error of a validation report. Locations are JSON Pointers: $instanceLocation into the
 * payload ("" is the payload itself), $keywordLocation into the schema. anyOf, oneOf and not fail
 * as one error with their branches' errors in $errors.
 */
final class ValidationError
{
    /** @param list<ValidationError> $errors */
    public function __construct(
        public readonly string $instanceLocation,
        public readonly string $keywordLocation,
        public readonly string $keyword,
        public readonly string $message,
        public readonly ?string $absoluteKeywordLocation = null,
        public readonly array $errors = [],
    ) {
    }

    /** @param array<string, mixed> $error one error object of the library's report */
    public static function fromArray(array $error): self
    {
        return new self(
            (string) ($error['instanceLocation'] ?? ''),
            (string) ($error['keywordLocation'] ?? ''),
            (string) ($error['keyword'] ?? ''),
            (string) ($error['message'] ?? ''),
            isset($error['absoluteKeywordLocation']) ? (string) $error['absoluteKeywordLocation'] : null,
            array_map([self::class, 'fromArray'], array_values(is_array($error['errors'] ?? null) ? $error['errors'] : [])),
        );
    }

    /**
     * The payload locations this error is about, for a form. A missing required property
     * ("required", "dependentRequired") is attributed to the property itself rather than to the
     * object that lacks it: the property names in the message that the schema defines
     * ($propertyNames) and the object does not have ($instance) - in any message language. Without
     * them, the message's last word is taken when it looks like a property name.
     *
     * @param array<string, true>|null $propertyNames every name under a "properties" of the schema
     * @return list<string> JSON Pointers
     */
    public function fieldLocations(?array $propertyNames = null, mixed $instance = null): array
    {
        if (!in_array($this->keyword, ['required', 'dependentRequired'], true)) {
            return [$this->instanceLocation];
        }
        $escape = static fn (string $name): string => str_replace(['~', '/'], ['~0', '~1'], $name);
        if ($propertyNames !== null) {
            $object = self::resolve($instance, $this->instanceLocation);
            preg_match_all('/[\p{L}\p{N}_$][\p{L}\p{N}_$.-]*/u', $this->message, $m);
            $locations = [];
            foreach (array_unique($m[0]) as $word) {
                $word = rtrim($word, '.');
                if (isset($propertyNames[$word]) && !(is_array($object) && array_key_exists($word, $object))) {
                    $locations[] = $this->instanceLocation . '/' . $escape($word);
                }
            }
            if ($locations !== []) {
                return $locations;
            }
        } elseif (preg_match('/([A-Za-z_$][A-Za-z0-9_$-]*)["\'”»]?\.?$/u', $this->message, $m) === 1) {
            return [$this->instanceLocation . '/' . $escape($m[1])];
        }
        return [$this->instanceLocation];
    }

    private static function resolve(mixed $value, string $pointer): mixed
    {
        if ($pointer === '') {
            return $value;
        }
        foreach (explode('/', substr($pointer, 1)) as $segment) {
            $segment = str_replace(['~1', '~0'], ['/', '~'], $segment);
            if (is_object($value)) {
                $value = get_object_vars($value);
            }
            if (!is_array($value) || !array_key_exists($segment, $value)) {
                return null;
            }
            $value = $value[$segment];
        }
        return is_object($value) ? get_object_vars($value) : $value;
    }

    /** @return array<string, mixed> */
    public function toArray(): array
    {
        $array = [
            'instanceLocation' => $this->instanceLocation,
            'keywordLocation' => $this->keywordLocation,
            'keyword' => $this->keyword,
            'message' => $this->message,
        ];
        if ($this->absoluteKeywordLocation !== null) {
            $array['absoluteKeywordLocation'] = $this->absoluteKeywordLocation;
        }
        if ($this->errors !== []) {
            $array['errors'] = array_map(static fn (ValidationError $e): array => $e->toArray(), $this->errors);
        }
        return $array;
    }
}
