<?php

declare(strict_types=1);

namespace Onderwijsregio\Exception;

use Throwable;

/**
 * The service answered with an error status (OREG_ERR_HTTP): 4xx, or 5xx after the retries.
 *
 * getMessage() is the library's sentence; $serviceMessage is the service's own "message",
 * $issues its validation issues (422), $requestId its request id, $idempotencyKey the key of a
 * failed mutation and $retryable whether resubmitting with that key can succeed.
 */
class ApiException extends OnderwijsregioException
{
    public readonly int $httpStatus;
    public readonly ?string $serviceMessage;
    /** @var list<array<string, mixed>> */
    public readonly array $issues;
    public readonly ?string $requestId;
    public readonly ?string $idempotencyKey;
    public readonly bool $retryable;
    public readonly ?string $error;
    public readonly ?int $retryAfterSeconds;
    public readonly ?int $attempts;
    /** The first 4 KiB of an answer that was not JSON. */
    public readonly ?string $body;

    /** @param array<string, mixed> $details */
    public function __construct(string $message = '', int $status = 0, ?Throwable $previous = null, array $details = [])
    {
        parent::__construct($message, $status, $previous, $details);
        $this->httpStatus = (int) ($details['httpStatus'] ?? 0);
        $this->serviceMessage = isset($details['serviceMessage']) ? (string) $details['serviceMessage'] : null;
        $this->issues = is_array($details['issues'] ?? null) ? array_values($details['issues']) : [];
        $this->requestId = isset($details['requestId']) ? (string) $details['requestId'] : null;
        $this->idempotencyKey = isset($details['idempotencyKey']) ? (string) $details['idempotencyKey'] : null;
        $this->retryable = (bool) ($details['retryable'] ?? false);
        $this->error = isset($details['error']) && is_scalar($details['error']) ? (string) $details['error'] : null;
        $this->retryAfterSeconds = isset($details['retryAfterSeconds']) ? (int) $details['retryAfterSeconds'] : null;
        $this->attempts = isset($details['attempts']) ? (int) $details['attempts'] : null;
        $this->body = isset($details['body']) && is_string($details['body']) ? $details['body'] : null;
    }
}
