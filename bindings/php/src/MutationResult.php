<?php

declare(strict_types=1);

namespace Onderwijsregio;

/**
 * What became of a mutation; two cases, told apart by $queued:
 *
 *  - $queued false: the service accepted it (202). It waits at the service, not yet applied; the
 *    result comes to the callbackUrl. $mutationId is the service's id, $mutationStatus its status
 *    there, $replayed true when the service had already accepted this idempotency key.
 *  - $queued true: the client has an outbox (option 'outbox') and the service could not be
 *    reached (or failed after the retries), so the mutation was written to the outbox, to be sent
 *    by Client::flush() (from cron). Nothing is lost and nothing reached the service yet:
 *    $mutationId, $httpStatus, $operation, $mutationStatus and $requestId are null, $outboxId is
 *    the entry's id and $lastError the library's description of the failure.
 *
 * $idempotencyKey is always set; keep it: the outbox sends the entry with the same key, and
 * resubmitting with it never applies the mutation twice.
 */
final class MutationResult
{
    /**
     * @param array<string, mixed>|null $data the 202 envelope's data
     * @param array<string, mixed>|null $meta the 202 envelope's meta
     * @param array<string, mixed>|null $lastError why a queued mutation was not delivered ('message', ...)
     */
    public function __construct(
        public readonly ?int $httpStatus,
        public readonly ?string $mutationId,
        public readonly string $idempotencyKey,
        public readonly ?string $operation,
        public readonly ?string $mutationStatus,
        public readonly bool $replayed,
        public readonly ?string $requestId,
        public readonly int $attempts,
        public readonly ?array $data = null,
        public readonly ?array $meta = null,
        public readonly bool $queued = false,
        public readonly ?int $outboxId = null,
        public readonly ?array $lastError = null,
    ) {
    }

    /** @param array<string, mixed> $result the library's result object (of OREG_OK or OREG_QUEUED) */
    public static function fromArray(array $result): self
    {
        if (($result['queued'] ?? false) === true) {
            return new self(
                null,
                null,
                (string) ($result['idempotencyKey'] ?? ''),
                null,
                null,
                false,
                null,
                (int) ($result['attempts'] ?? 1),
                queued: true,
                outboxId: is_int($result['outboxId'] ?? null) ? $result['outboxId'] : null,
                lastError: is_array($result['lastError'] ?? null) ? $result['lastError'] : null,
            );
        }
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
