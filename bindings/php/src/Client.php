<?php

declare(strict_types=1);

namespace Onderwijsregio;

use FFI;
use Generator;
use Onderwijsregio\Exception\MisuseException;
use Onderwijsregio\Exception\ValidationException;

/**
 * A client of one region's Onderwijsregio API v2: schema, validation, exactly-once mutations and
 * reads, through libonderwijsregio (one keep-alive connection per client; create one per process
 * or request and reuse it).
 *
 *     $client = new Client(['apiKey' => getenv('ONDERWIJSREGIO_API_KEY'),
 *                           'schemaCache' => ['dir' => '/var/cache/onderwijsregio']]);
 *     $result = $client->createCandidates([$payload], idempotencyKey: 'content',
 *                                         callbackUrl: 'https://school.example/hooks/onderwijsregio');
 *
 * Mutations throw ValidationException (nothing sent), ApiException, TransportException (with
 * idempotencyKey and retryable) and the other exceptions of Onderwijsregio\Exception.
 *
 * With the option 'outbox' => ['path' => '/var/lib/site/onderwijsregio-outbox.db'], a mutation
 * the service cannot take now (unreachable, timeouts, 408, 429, 5xx after the retries) is kept
 * in that SQLite file and returned as a MutationResult with $queued true instead of a
 * TransportException/ApiException; flush() sends it later (from cron). Validation failures and
 * other 4xx still throw.
 */
final class Client
{
    use OwnsHandle;

    private const HANDLE_FREE = 'oreg_client_free';
    private const HANDLE_GONE = 'the client was closed';

    private ?string $staleReason = null;

    /**
     * @param array<string, mixed> $options the options of oreg_client_new: 'apiKey' (required),
     *        'baseUrl', 'sandbox', 'timeouts' => ['connectMs', 'requestMs', 'deadlineMs'],
     *        'retry' => ['maxRetries', 'baseDelayMs', 'maxDelayMs', 'maxRetryAfterSeconds'],
     *        'schemaCache' => ['dir', 'ttlSeconds'], 'caBundle', 'userAgentSuffix',
     *        'maxResponseBytes', 'maxRequestBytes', 'allowInsecureHttp',
     *        'outbox' => ['path', 'leaseSeconds'] (or just the path as a string).
     *        "php-onderwijsregio/<version>" is always added to the User-Agent.
     */
    public function __construct(array $options)
    {
        if (isset($options['outbox']) && is_string($options['outbox'])) {
            $options['outbox'] = ['path' => $options['outbox']];
        }
        if (isset($options['outbox']) && is_array($options['outbox'])) {
            $options['outbox'] = (object) $options['outbox']; // also [] : a JSON object, refused for its missing path
        }
        foreach (['timeouts', 'retry', 'schemaCache'] as $name) {
            if (array_key_exists($name, $options) && $options[$name] === []) {
                unset($options[$name]); // an empty PHP array would be a JSON array
            }
        }
        $suffix = 'php-onderwijsregio/' . Library::BINDING_VERSION;
        if (isset($options['userAgentSuffix']) && is_string($options['userAgentSuffix']) && $options['userAgentSuffix'] !== '') {
            $suffix .= ' ' . $options['userAgentSuffix'];
        }
        $options['userAgentSuffix'] = $suffix;
        $json = Library::cString(Library::encode((object) $options, 'the client options'), 'the client options');
        $ffi = Library::ffi();
        $out = $ffi->new('oreg_client *');
        $status = $ffi->oreg_client_new($json, FFI::addr($out));
        if ($status !== Library::OK) {
            throw Library::failure($status, 'oreg_client_new');
        }
        $this->handle = $out;
    }

    // --- schema and validation --------------------------------------------------------------

    /**
     * The region's JSON Schema for 'create' or 'update', decoded. Served from the client, the
     * cache directory or the service; when the service is down and an expired copy is served,
     * staleReason() says why.
     *
     * @return array<string, mixed>
     */
    public function schema(string $operation = 'create'): array
    {
        $schema = Library::decode($this->schemaJson($operation), 'the schema');
        return is_array($schema) ? $schema : [];
    }

    /** The schema as JSON text, as the library holds it. */
    public function schemaJson(string $operation = 'create'): string
    {
        $out = Library::outString();
        $status = Library::ffi()->oreg_client_schema($this->handle(), Library::cString($operation, 'the operation'), FFI::addr($out));
        $json = Library::take($out);
        if ($status === Library::STALE) {
            $this->staleReason = (string) (Library::lastError()['message'] ?? 'stale');
        } elseif ($status === Library::OK) {
            $this->staleReason = null;
        } else {
            throw Library::failure($status, "schema($operation)");
        }
        return (string) $json;
    }

    /** Why the last schema() answer was an expired cached copy, or null when it was fresh. */
    public function staleReason(): ?string
    {
        return $this->staleReason;
    }

    /**
     * The region's schema compiled for local validation with schema options, such as
     * ['language' => 'nl'] for Dutch messages in a form.
     *
     * @param array<string, mixed> $options see Schema::compile()
     */
    public function compileSchema(string $operation = 'create', array $options = []): Schema
    {
        return Schema::compile($this->schemaJson($operation), $options);
    }

    /**
     * Validates a payload as the mutations do before sending: 'create' or 'update' (one
     * candidate), or a mutation name ('candidates.create': a list of 1-10 payloads,
     * 'interactions.create', 'attachments.add', ...).
     *
     * @param mixed $payload a PHP value, or JSON text when $isJson
     */
    public function validate(mixed $payload, string $operation = 'create', bool $isJson = false): ValidationReport
    {
        $json = $isJson ? (string) $payload : Library::encode($payload, 'the payload');
        $out = Library::outString();
        $status = Library::ffi()->oreg_client_validate($this->handle(), Library::cString($operation, 'the operation'),
            $json, strlen($json), FFI::addr($out));
        $report = Library::take($out);
        return match ($status) {
            Library::OK => ValidationReport::valid(),
            Library::INVALID => ValidationReport::fromJson((string) $report, $this->propertyNames(),
                $isJson ? json_decode($json, true) : $payload),
            default => throw Library::failure($status, "validate($operation)"),
        };
    }

    // --- mutations ---------------------------------------------------------------------------

    /**
     * POST /candidates with 1 to 10 create payloads.
     *
     * @param list<array<string, mixed>> $candidates
     * @param string|null $idempotencyKey your key (1-255 printable ASCII), 'content' (derived from
     *        the body: the same form twice is one candidate), or null for a random UUID
     */
    public function createCandidates(array $candidates, ?string $idempotencyKey = null, ?string $callbackUrl = null,
                                     bool $validate = true): MutationResult
    {
        return $this->submit('candidates.create', null, array_values($candidates), $idempotencyKey, $callbackUrl, $validate);
    }

    /** POST /candidates/upsert: matched by email, else phone. @param array<string, mixed> $candidate */
    public function upsertCandidate(array $candidate, ?string $idempotencyKey = null, ?string $callbackUrl = null,
                                    bool $validate = true): MutationResult
    {
        return $this->submit('candidates.upsert', null, (object) $candidate, $idempotencyKey, $callbackUrl, $validate);
    }

    /** PATCH /candidates/{id}: only the fields given change; null clears one. @param array<string, mixed> $changes */
    public function updateCandidate(string $id, array $changes, ?string $idempotencyKey = null, ?string $callbackUrl = null,
                                    bool $validate = true): MutationResult
    {
        return $this->submit('candidates.update', self::id($id), (object) $changes, $idempotencyKey, $callbackUrl, $validate);
    }

    public function archiveCandidate(string $id, ?string $idempotencyKey = null, ?string $callbackUrl = null,
                                     bool $validate = true): MutationResult
    {
        return $this->submit('candidates.archive', self::id($id), null, $idempotencyKey, $callbackUrl, $validate);
    }

    /** DELETE /candidates/{id}: permanent. */
    public function deleteCandidate(string $id, ?string $idempotencyKey = null, ?string $callbackUrl = null,
                                    bool $validate = true): MutationResult
    {
        return $this->submit('candidates.delete', self::id($id), null, $idempotencyKey, $callbackUrl, $validate);
    }

    /** POST /candidates/{id}/interactions. @param list<array<string, mixed>> $interactions */
    public function addInteractions(string $candidateId, array $interactions, ?string $idempotencyKey = null,
                                    ?string $callbackUrl = null, bool $validate = true): MutationResult
    {
        return $this->submit('interactions.create', self::id($candidateId), array_values($interactions), $idempotencyKey,
            $callbackUrl, $validate);
    }

    /** PATCH /candidates/{id}/interactions/{interactionId}. @param array<string, mixed> $changes */
    public function updateInteraction(string $candidateId, string $interactionId, array $changes,
                                      ?string $idempotencyKey = null, ?string $callbackUrl = null,
                                      bool $validate = true): MutationResult
    {
        return $this->submit('interactions.update', self::pair($candidateId, $interactionId), (object) $changes,
            $idempotencyKey, $callbackUrl, $validate);
    }

    public function deleteInteraction(string $candidateId, string $interactionId, ?string $idempotencyKey = null,
                                      ?string $callbackUrl = null, bool $validate = true): MutationResult
    {
        return $this->submit('interactions.delete', self::pair($candidateId, $interactionId), null, $idempotencyKey,
            $callbackUrl, $validate);
    }

    /**
     * POST /candidates/{id}/attachments: append files to 'curriculumVitae' or 'otherAttachments'.
     *
     * @param list<array<string, mixed>> $files each ['url' => ...] or ['base64' => ..., 'filename' => ..., 'contentType' => ...]
     */
    public function addAttachments(string $candidateId, string $field, array $files, ?string $idempotencyKey = null,
                                   ?string $callbackUrl = null, bool $validate = true): MutationResult
    {
        return $this->submit('attachments.add', self::id($candidateId), ['field' => $field, 'files' => array_values($files)],
            $idempotencyKey, $callbackUrl, $validate);
    }

    public function deleteAttachment(string $candidateId, string $attachmentId, ?string $idempotencyKey = null,
                                     ?string $callbackUrl = null, bool $validate = true): MutationResult
    {
        return $this->submit('attachments.delete', self::pair($candidateId, $attachmentId), null, $idempotencyKey,
            $callbackUrl, $validate);
    }

    /**
     * Any mutation of oreg_client_submit ('candidates.create', ..., 'attachments.delete').
     *
     * @param mixed $body a PHP value (encoded as JSON), or null for the mutations without a body
     * @return MutationResult accepted by the service, or ($queued true) kept in the outbox
     * @throws ValidationException when the body is invalid (nothing was sent)
     */
    public function submit(string $mutation, ?string $target, mixed $body, ?string $idempotencyKey = null,
                           ?string $callbackUrl = null, bool $validate = true): MutationResult
    {
        $json = $body === null ? null : Library::encode($body, "the body of $mutation");
        $options = ['validate' => $validate];
        if ($idempotencyKey !== null) {
            $options['idempotencyKey'] = $idempotencyKey;
        }
        if ($callbackUrl !== null) {
            $options['callbackUrl'] = $callbackUrl;
        }
        $optionsJson = Library::cString(Library::encode($options, "the options of $mutation"), "the options of $mutation");
        $out = Library::outString();
        $status = Library::ffi()->oreg_client_submit($this->handle(), Library::cString($mutation, 'the mutation'),
            Library::cString($target, 'the target id'), $json, $json === null ? 0 : strlen($json), $optionsJson,
            FFI::addr($out));
        $result = Library::take($out);
        return match ($status) {
            Library::OK, Library::QUEUED => MutationResult::fromArray((array) Library::decode((string) $result, "the result of $mutation")),
            Library::INVALID => throw new ValidationException(ValidationReport::fromJson((string) $result,
                $this->propertyNames(), $body), "the body of $mutation"),
            default => throw Library::failure($status, $mutation),
        };
    }

    // --- the outbox --------------------------------------------------------------------------

    /**
     * Sends mutations kept in the outbox, oldest first, at most $max in this call, each with its
     * original idempotency key. Entries that failed wait before their next attempt (30 s, doubling
     * up to an hour); $ignoreBackoff sends them anyway. Safe while other processes (PHP-FPM
     * workers, cron) flush the same file. Failures of single entries are in the report:
     *
     *     ['delivered' => 2, 'requeued' => 0, 'dead' => 0, 'remaining' => 0,
     *      'entries' => [['id' => 1, 'idempotencyKey' => '...', 'mutation' => 'candidates.create',
     *                     'outcome' => 'delivered'|'requeued'|'dead', 'mutationId' => 'mut_...', 'error' => '...'], ...]]
     *
     * 'remaining' counts the entries still queued; 'dead' ones were refused for good (a 4xx) and
     * are kept for inspection, never sent again.
     *
     * @return array{delivered: int, requeued: int, dead: int, remaining: int, entries: list<array<string, mixed>>}
     * @throws MisuseException without an outbox, or $max < 1
     * @throws Exception\IoException when the outbox file fails
     */
    public function flush(int $max = 100, bool $ignoreBackoff = false): array
    {
        if ($max < 1) {
            throw new MisuseException('flush: max must be at least 1');
        }
        $out = Library::outString();
        $status = Library::ffi()->oreg_client_flush($this->handle(), min($max, 2147483647),
            $ignoreBackoff ? '{"ignoreBackoff":true}' : null, FFI::addr($out));
        $report = Library::take($out);
        if ($status !== Library::OK) {
            throw Library::failure($status, 'flush');
        }
        $report = (array) Library::decode((string) $report, 'the flush report');
        return ['delivered' => (int) ($report['delivered'] ?? 0), 'requeued' => (int) ($report['requeued'] ?? 0),
            'dead' => (int) ($report['dead'] ?? 0), 'remaining' => (int) ($report['remaining'] ?? 0),
            'entries' => array_values((array) ($report['entries'] ?? []))];
    }

    /**
     * The outbox of this client's region, for monitoring: ['path' => ..., 'states' => [state =>
     * ['count' => N, 'oldest' => [entry, ...]]]] for the states 'queued', 'sending',
     * 'delivered', 'dead', 'completed' and 'failed'. Alert on dead > 0 or an old queued entry.
     *
     * @return array{path: string, states: array<string, array{count: int, oldest: list<array<string, mixed>>}>}
     * @throws MisuseException without an outbox
     */
    public function outboxStatus(): array
    {
        $out = Library::outString();
        $status = Library::ffi()->oreg_client_outbox($this->handle(), FFI::addr($out));
        $json = Library::take($out);
        if ($status !== Library::OK) {
            throw Library::failure($status, 'outboxStatus');
        }
        return (array) Library::decode((string) $json, 'the outbox status');
    }

    /**
     * Records a received callback in the outbox, AFTER Verifier::verify() accepted it: the entry
     * of its mutation becomes 'completed' or 'failed'. $body is the raw body
     * (file_get_contents('php://input')). True when an entry matched, false for a mutation that
     * never went through the outbox.
     *
     * @throws MisuseException without an outbox, or a body without mutationId/idempotencyKey or status
     * @throws Exception\InvalidJsonException when the body is not JSON
     */
    public function recordCallback(string $body): bool
    {
        $out = Library::outString();
        $status = Library::ffi()->oreg_client_outbox_callback($this->handle(), $body, strlen($body), FFI::addr($out));
        $json = Library::take($out);
        if ($status !== Library::OK) {
            throw Library::failure($status, 'recordCallback');
        }
        return (((array) Library::decode((string) $json, 'the callback result'))['matched'] ?? false) === true;
    }

    // --- reads -------------------------------------------------------------------------------

    /** @return array<string, mixed> the candidate (GET /candidates/{id}) */
    public function getCandidate(string $id): array
    {
        return (array) ($this->get('/candidates/' . rawurlencode(self::id($id)))['data'] ?? []);
    }

    /**
     * GET /candidates/find by email (case-insensitive) or phone (digits only): the matches.
     *
     * @return list<array<string, mixed>>
     */
    public function findCandidate(?string $email = null, ?string $phone = null): array
    {
        if (($email === null) === ($phone === null)) {
            throw new MisuseException('findCandidate: give exactly one of email: or phone:');
        }
        $query = $email !== null ? 'email=' . rawurlencode($email) : 'phone=' . rawurlencode((string) $phone);
        return array_values((array) ($this->get('/candidates/find?' . $query)['data'] ?? []));
    }

    /** @return list<array<string, mixed>> GET /candidates/{id}/interactions */
    public function listInteractions(string $candidateId): array
    {
        return array_values((array) ($this->get('/candidates/' . rawurlencode(self::id($candidateId)) . '/interactions')['data'] ?? []));
    }

    /**
     * Every candidate, page by page (GET /candidates?pageSize=N, following the cursors); pages
     * are fetched as the generator is consumed.
     *
     * @return Generator<int, array<string, mixed>>
     */
    public function iterateCandidates(int $pageSize = 25): Generator
    {
        if ($pageSize < 1 || $pageSize > 100) {
            throw new MisuseException('iterateCandidates: pageSize must be 1 to 100');
        }
        $cursor = null;
        do {
            $path = '/candidates?pageSize=' . $pageSize . ($cursor === null ? '' : '&cursor=' . rawurlencode($cursor));
            $page = $this->get($path);
            foreach ((array) ($page['data'] ?? []) as $candidate) {
                yield $candidate;
            }
            $next = $page['cursor'] ?? null;
            if ($next !== null && $next === $cursor) {
                throw new Exception\ResponseException('the service returned the same cursor twice');
            }
            $cursor = $next === null ? null : (string) $next;
        } while ($cursor !== null && $cursor !== '');
    }

    /**
     * A read relative to the base URL ('/candidates?pageSize=50'; percent-encoded by you):
     * ['httpStatus', 'requestId', 'attempts', 'data', 'meta', 'cursor'].
     *
     * @return array<string, mixed>
     */
    public function get(string $pathAndQuery): array
    {
        $out = Library::outString();
        $status = Library::ffi()->oreg_client_get($this->handle(), Library::cString($pathAndQuery, 'the path'), FFI::addr($out));
        $response = Library::take($out);
        if ($status !== Library::OK) {
            throw Library::failure($status, "GET $pathAndQuery");
        }
        return (array) Library::decode((string) $response, "the answer to GET $pathAndQuery");
    }

    /** @return array<string, true>|null the create schema's property names (the client holds the schema by now) */
    private function propertyNames(): ?array
    {
        try {
            return ValidationReport::propertyNames(json_decode($this->schemaJson('create'), true));
        } catch (Exception\OnderwijsregioException) {
            return null;
        }
    }

    // --- lifetime ----------------------------------------------------------------------------

    /** Closes the connection and releases the client now (the destructor does it otherwise). */
    public function close(): void
    {
        $this->release();
    }

    private static function id(string $id): string
    {
        if ($id === '') {
            throw new MisuseException('an id must not be empty');
        }
        return $id;
    }

    private static function pair(string $candidateId, string $subId): string
    {
        if (str_contains($candidateId, '/')) {
            throw new MisuseException('a candidate id must not contain "/"');
        }
        return self::id($candidateId) . '/' . self::id($subId);
    }
}
