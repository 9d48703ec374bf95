<?php

declare(strict_types=1);

namespace Onderwijsregio\Exception;

use RuntimeException;
use Throwable;

/**
 * The base of every exception the binding throws. For a failed library call, $status is its
 * OREG_* code, $statusName its name and $details the whole oreg_last_error() object.
 */
class OnderwijsregioException extends RuntimeException
{
    /** @var array<string, mixed> */
    public readonly array $details;
    public readonly int $status;
    public readonly string $statusName;

    /** @param array<string, mixed> $details */
    public function __construct(string $message = '', int $status = 0, ?Throwable $previous = null, array $details = [])
    {
        parent::__construct($message, $status, $previous);
        $this->status = $status;
        $this->statusName = (string) ($details['name'] ?? '');
        $this->details = $details;
    }

    private const CLASSES = [
        'OREG_ERR_MISUSE' => MisuseException::class,
        'OREG_ERR_NOMEM' => OnderwijsregioException::class,
        'OREG_ERR_JSON' => InvalidJsonException::class,
        'OREG_ERR_LIMIT' => LimitException::class,
        'OREG_ERR_RANGE' => RangeException::class,
        'OREG_ERR_SCHEMA' => SchemaException::class,
        'OREG_ERR_TRANSPORT' => TransportException::class,
        'OREG_ERR_HTTP' => ApiException::class,
        'OREG_ERR_DEADLINE' => DeadlineException::class,
        'OREG_ERR_RESPONSE' => ResponseException::class,
        'OREG_ERR_SANDBOX' => SandboxException::class,
        'OREG_ERR_IO' => IoException::class,
        'OREG_ERR_HEADER_MISSING' => HeaderException::class,
        'OREG_ERR_HEADER_MALFORMED' => HeaderException::class,
        'OREG_ERR_SIGNATURE' => SignatureException::class,
        'OREG_ERR_TOO_OLD' => TimestampException::class,
        'OREG_ERR_TOO_NEW' => TimestampException::class,
        'OREG_ERR_REPLAYED' => ReplayException::class,
    ];

    /**
     * The exception for one oreg_last_error() object.
     *
     * @param array<string, mixed> $error
     * @internal
     */
    public static function fromError(array $error, string $context = ''): self
    {
        $name = (string) ($error['name'] ?? 'OREG_ERR_INTERNAL');
        $class = self::CLASSES[$name] ?? self::class;
        $message = (string) ($error['message'] ?? $name);
        if ($context !== '') {
            $message = "$context: $message";
        }
        return new $class($message, (int) ($error['status'] ?? -99), null, $error);
    }

    /** The idempotency key of a failed mutation (resubmit with it to retry safely), else null. */
    public function idempotencyKey(): ?string
    {
        $key = $this->details['idempotencyKey'] ?? null;
        return is_string($key) ? $key : null;
    }
}
