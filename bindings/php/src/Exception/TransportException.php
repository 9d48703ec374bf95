<?php

declare(strict_types=1);

namespace Onderwijsregio\Exception;

use Throwable;

/**
 * The service could not be reached after the retries (OREG_ERR_TRANSPORT): connection refused
 * or dropped, a timeout, a TLS failure, a redirect. For a mutation, $idempotencyKey is the key it
 * was sent with: resubmitting with it never applies the mutation twice.
 */
class TransportException extends OnderwijsregioException
{
    public readonly ?string $idempotencyKey;
    public readonly bool $retryable;
    public readonly ?int $attempts;

    /** @param array<string, mixed> $details */
    public function __construct(string $message = '', int $status = 0, ?Throwable $previous = null, array $details = [])
    {
        parent::__construct($message, $status, $previous, $details);
        $this->idempotencyKey = isset($details['idempotencyKey']) ? (string) $details['idempotencyKey'] : null;
        $this->retryable = (bool) ($details['retryable'] ?? true);
        $this->attempts = isset($details['attempts']) ? (int) $details['attempts'] : null;
    }
}
