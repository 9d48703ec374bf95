<?php

declare(strict_types=1);

namespace Onderwijsregio;

/**
 * The service's answer to a mutation: 202 Accepted, queued (not yet applied; the result comes to
 * the callbackUrl). Keep $idempotencyKey: resubmitting with it never applies the mutation twice.
 */
final class MutationResult
{
    /**
     * @param array<string, mixed>|null $data the 202 envelope's data
     * @param array<string, mixed>|null $meta the 202 envelope's meta
     */
    public function __construct(
        public readonly int $httpStatus,
        public readonly string $mutationId,
        public readonly string $idempotencyKey,
        public readonly ?string $operation,
        public readonly ?string $mutationStatus,
        public readonly bool $replayed,
        public readonly ?string $requestId,
        public readonly int $attempts,
        public readonly ?array $data = null,
        public readonly ?array $meta = null,
    ) {
    }

    /** @param array<string, mixed> $result the library's result object */
    public static function fromArray(array $result): self
    {
        return new self(
            (int) ($result['httpStatus'] ?? 202),
            (string) ($result['mutationId'] ?? ''),
            (string) ($result['idempotencyKey'] ?? ''),
            isset($result['operation']) ? (string) $result['operation'] : null,
            isset($result['mutationStatus']) ? (string) $result['mutationStatus'] : null,
            (bool) ($result['replayed'] ?? false),
            isset($result['requestId']) ? (string) $result['requestId'] : null,
            (int) ($result['attempts'] ?? 1),
            is_array($result['data'] ?? null) ? $result['data'] : null,
            is_array($result['meta'] ?? null) ? $result['meta'] : null,
        );
    }
}
