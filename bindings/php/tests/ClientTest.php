<?php

declare(strict_types=1);

namespace Onderwijsregio\Tests;

use Generator;
use Onderwijsregio\Client;
use Onderwijsregio\Exception\ApiException;
use Onderwijsregio\Exception\EncodingException;
use Onderwijsregio\Exception\MisuseException;
use Onderwijsregio\Exception\TransportException;
use Onderwijsregio\Exception\ValidationException;
use Onderwijsregio\MutationResult;
use Onderwijsregio\Tests\Support\Simulator;
use Onderwijsregio\Tests\Support\TestCase;

final class ClientTest extends TestCase
{
    private const PERFORMED_AT = '2026-11-02T10:30:00+01:00';

    protected function setUp(): void
    {
        Simulator::reset();
    }

    /** Creates one candidate and waits until it exists; its id. */
    private function createdCandidate(Client $client, array $payload): string
    {
        $result = $client->createCandidates([$payload]);
        Simulator::drain();
        [$mutation] = Simulator::mutations('?mutationId=' . rawurlencode($result->mutationId));
        $this->assertSame('succeeded', $mutation['status'], json_encode($mutation));
        return $mutation['resource']['ids'][0];
    }

    public function testUserAgentNamesTheBinding(): void
    {
        $this->client()->schema();
        $requests = Simulator::requests('?path=/api/v2/schema*');
        $this->assertNotEmpty($requests);
        $headers = array_change_key_case($requests[0]['headers'], CASE_LOWER);
        $this->assertStringContainsString('libonderwijsregio/', $headers['user-agent']);
        $this->assertStringContainsString('php-onderwijsregio/0.1.0', $headers['user-agent']);
        $this->client(['userAgentSuffix' => 'school-site/2'])->schema();
        $last = Simulator::requests('?path=/api/v2/schema*');
        $this->assertStringContainsString('php-onderwijsregio/0.1.0 school-site/2', json_encode(end($last)['headers'], JSON_UNESCAPED_SLASHES));
    }

    public function testSchemaForCreateAndUpdate(): void
    {
        $client = $this->client();
        $create = $client->schema();
        $this->assertContains('email', $create['required']);
        $this->assertArrayHasKey('email', $create['properties']);
        $update = $client->schema('update');
        $this->assertNotContains('email', $update['required'] ?? []);
        $this->assertNull($client->staleReason());
        $this->assertJson($client->schemaJson());
        $this->expectException(MisuseException::class);
        $client->schema('bogus');
    }

    public function testValidateGivesReports(): void
    {
        $client = $this->client();
        $this->assertTrue($client->validate(self::candidate())->valid);
        $report = $client->validate(['email' => 'not an address', 'firstName' => 'A', 'privacyConsent' => true]);
        $this->assertFalse($report->valid);
        $locations = array_map(fn ($e) => $e->instanceLocation, $report->errors);
        $this->assertContains('/email', $locations);
        $byField = $report->messagesByField();
        $this->assertArrayHasKey('email', $byField);
        $this->assertArrayHasKey('lastName', $byField, 'a missing required property is listed under itself');
        $this->assertTrue($client->validate(['lastName' => 'B'], 'update')->valid);
        $many = $client->validate([self::candidate(), ['email' => 'x']], 'candidates.create');
        $this->assertFalse($many->valid);
        foreach ($many->errors as $error) {
            $this->assertStringStartsWith('/1', $error->instanceLocation);
        }
        $this->assertTrue($client->validate('{"email":"a@b.nl","firstName":"A","lastName":"B","privacyConsent":true}', 'create', true)->valid);
    }

    public function testCreateCandidatesReturnsAReadonlyMutationResult(): void
    {
        $client = $this->client();
        $payload = self::candidate('anna');
        $result = $client->createCandidates([$payload], idempotencyKey: 'form-anna-1');
        $this->assertInstanceOf(MutationResult::class, $result);
        $this->assertSame(202, $result->httpStatus);
        $this->assertStringStartsWith('mut_', $result->mutationId);
        $this->assertSame('form-anna-1', $result->idempotencyKey);
        $this->assertSame('candidate.create', $result->operation);
        $this->assertFalse($result->replayed);
        $this->assertSame(1, $result->attempts);
        $this->assertNotEmpty($result->requestId);
        Simulator::drain();
        $mutations = Simulator::mutations('?idempotencyKey=form-anna-1');
        $this->assertCount(1, $mutations);
        $this->assertSame($payload['email'], $mutations[0]['body'][0]['email']);
        $this->expectException(\Error::class);
        $result->mutationId = 'x'; // readonly
    }

    public function testContentKeyMakesTheSameFormOneCandidate(): void
    {
        $client = $this->client();
        $payload = self::candidate('piet');
        $first = $client->createCandidates([$payload], idempotencyKey: 'content', callbackUrl: 'http://127.0.0.1:9/hook');
        $second = $client->createCandidates([$payload], idempotencyKey: 'content', callbackUrl: 'http://127.0.0.1:9/hook');
        $this->assertSame($first->idempotencyKey, $second->idempotencyKey);
        $this->assertSame($first->mutationId, $second->mutationId);
        $this->assertTrue($second->replayed);
        $other = $client->createCandidates([self::candidate('piet')], idempotencyKey: 'content', callbackUrl: 'http://127.0.0.1:9/hook');
        $this->assertNotSame($first->idempotencyKey, $other->idempotencyKey);
        $random = $client->createCandidates([self::candidate()]);
        $this->assertMatchesRegularExpression('/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/', $random->idempotencyKey);
        Simulator::drain();
        $this->assertCount(1, Simulator::mutations('?idempotencyKey=' . rawurlencode($first->idempotencyKey)));
        $requests = Simulator::requests('?path=/api/v2/candidates&method=POST');
        $this->assertStringContainsString('callbackUrl=http%3A%2F%2F127.0.0.1%3A9%2Fhook', $requests[0]['target']);
    }

    public function testInvalidBodyThrowsValidationExceptionAndSendsNothing(): void
    {
        $client = $this->client();
        try {
            $client->createCandidates([['email' => 'x', 'firstName' => 'A', 'lastName' => 'B', 'privacyConsent' => false]]);
            $this->fail('no ValidationException');
        } catch (ValidationException $e) {
            $this->assertFalse($e->report->valid);
            $this->assertArrayHasKey('0.privacyConsent', $e->report->messagesByField());
            $this->assertSame('OREG_INVALID', $e->statusName);
        }
        $this->assertSame([], Simulator::requests('?path=/api/v2/candidates*&method=POST'));
    }

    public function testServiceValidationErrorIsApiExceptionWithItsFields(): void
    {
        $client = $this->client();
        try {
            $client->upsertCandidate(['email' => 'x', 'firstName' => 'A', 'lastName' => 'B', 'privacyConsent' => true],
                idempotencyKey: 'bad-upsert-1', validate: false);
            $this->fail('no ApiException');
        } catch (ApiException $e) {
            $this->assertSame(422, $e->httpStatus);
            $this->assertSame('OREG_ERR_HTTP', $e->statusName);
            $this->assertNotEmpty($e->issues);
            $this->assertContains('email', array_merge(...array_map(fn ($i) => (array) ($i['path'] ?? []), $e->issues)));
            $this->assertNotEmpty($e->requestId);
            $this->assertSame('bad-upsert-1', $e->idempotencyKey);
            $this->assertFalse($e->retryable);
            $this->assertNotEmpty($e->serviceMessage);
            $this->assertNotEmpty($e->getMessage());
            $this->assertStringNotContainsString(Simulator::API_KEY, $e->getMessage() . json_encode($e->details));
        }
    }

    public function testWrongKeyIs401(): void
    {
        try {
            $this->client(['apiKey' => 'wrong-key-Zt5Yq'])->getCandidate('rec1');
            $this->fail('no ApiException');
        } catch (ApiException $e) {
            $this->assertSame(401, $e->httpStatus);
            $this->assertNull($e->idempotencyKey);
            $this->assertStringNotContainsString('wrong-key-Zt5Yq', $e->getMessage() . json_encode($e->details));
        }
    }

    public function testUnreachableServiceIsTransportExceptionWithKey(): void
    {
        $client = $this->client(['baseUrl' => 'http://127.0.0.1:9/api/v2', 'retry' => ['maxRetries' => 1, 'baseDelayMs' => 10]]);
        try {
            $client->createCandidates([self::candidate()], idempotencyKey: 'unreachable-1', validate: false);
            $this->fail('no TransportException');
        } catch (TransportException $e) {
            $this->assertSame('unreachable-1', $e->idempotencyKey);
            $this->assertTrue($e->retryable);
            $this->assertSame(2, $e->attempts);
        }
    }

    public function testServerErrorsAfterRetriesAreRetryable(): void
    {
        Simulator::fault(['method' => 'POST', 'path' => '/api/*/candidates*', 'count' => 10, 'status' => 503]);
        $client = $this->client(['retry' => ['maxRetries' => 2, 'baseDelayMs' => 10, 'maxDelayMs' => 20]]);
        try {
            $client->createCandidates([self::candidate()]);
            $this->fail('no ApiException');
        } catch (ApiException $e) {
            $this->assertSame(503, $e->httpStatus);
            $this->assertTrue($e->retryable);
            $this->assertSame(3, $e->attempts);
            $key = $e->idempotencyKey;
            $this->assertNotEmpty($key);
        }
        Simulator::control('DELETE', '/__sim/faults');
        $retry = $client->createCandidates([self::candidate()], idempotencyKey: $key);
        $this->assertSame($key, $retry->idempotencyKey);
    }

    public function testLostAnswerIsRetriedAndReportedAsReplayed(): void
    {
        Simulator::fault(['method' => 'POST', 'path' => '/api/*/candidates', 'count' => 1, 'action' => 'drop', 'when' => 'after']);
        $result = $this->client()->createCandidates([self::candidate()]);
        $this->assertTrue($result->replayed);
        $this->assertSame(2, $result->attempts);
        Simulator::drain();
        $this->assertCount(1, Simulator::mutations());
    }

    public function testCandidateLifecycle(): void
    {
        $client = $this->client();
        $payload = self::candidate('kees', ['phone' => '+31 6 1234 5678']);
        $id = $this->createdCandidate($client, $payload);
        $this->assertSame($payload['email'], $client->getCandidate($id)['email']);

        $found = $client->findCandidate(email: strtoupper($payload['email']));
        $this->assertSame([$id], array_column($found, 'id'));
        $this->assertSame([$id], array_column($client->findCandidate(phone: '0031612345678x'), 'id') ?: array_column($client->findCandidate(phone: '+31612345678'), 'id'));
        $this->assertSame([], $client->findCandidate(email: 'nobody@example.nl'));

        $update = $client->updateCandidate($id, ['firstName' => 'Cornelis'], callbackUrl: 'http://127.0.0.1:9/hook');
        $this->assertSame('candidate.update', $update->operation);
        $upsert = $client->upsertCandidate(['lastName' => 'de Vries'] + $payload);
        $this->assertSame('candidate.upsert', $upsert->operation);
        Simulator::drain();
        $candidate = $client->getCandidate($id);
        $this->assertSame('de Vries', $candidate['lastName']);

        $this->assertSame('candidate.archive', $client->archiveCandidate($id)->operation);
        Simulator::drain();
        $this->assertSame('candidate.delete', $client->deleteCandidate($id, idempotencyKey: 'delete-' . $id)->operation);
        Simulator::drain();
        try {
            $client->getCandidate($id);
            $this->fail('the candidate was not deleted');
        } catch (ApiException $e) {
            $this->assertSame(404, $e->httpStatus);
        }
        $statuses = array_column(Simulator::mutations(), 'status');
        $this->assertSame(['succeeded', 'succeeded', 'succeeded', 'succeeded', 'succeeded'], $statuses);
    }

    public function testInteractions(): void
    {
        $client = $this->client();
        $id = $this->createdCandidate($client, self::candidate());
        $added = $client->addInteractions($id, [['type' => 'intake', 'performedAt' => self::PERFORMED_AT],
            ['type' => 'phone_call', 'performedAt' => self::PERFORMED_AT, 'durationMinutes' => 15]]);
        $this->assertStringStartsWith('mut_', $added->mutationId);
        Simulator::drain();
        $interactions = $client->listInteractions($id);
        $this->assertCount(2, $interactions);
        $interactionId = $interactions[0]['id'];
        $client->updateInteraction($id, $interactionId, ['performedBy' => 'Mevrouw de Boer']);
        Simulator::drain();
        $this->assertSame('Mevrouw de Boer', $client->listInteractions($id)[0]['performedBy'] ?? null);
        $client->deleteInteraction($id, $interactionId);
        Simulator::drain();
        $this->assertCount(1, $client->listInteractions($id));
        try {
            $client->addInteractions($id, [['type' => 'nope', 'performedAt' => 'yesterday']]);
            $this->fail('no ValidationException');
        } catch (ValidationException $e) {
            $this->assertNotEmpty($e->report->errors);
        }
        $this->assertSame(['succeeded', 'succeeded', 'succeeded', 'succeeded'], array_column(Simulator::mutations(), 'status'));
    }

    public function testAttachments(): void
    {
        $client = $this->client();
        $id = $this->createdCandidate($client, self::candidate());
        $client->addAttachments($id, 'curriculumVitae', [['url' => 'https://example.nl/cv.pdf'],
            ['base64' => base64_encode('%PDF-1.4 test'), 'filename' => 'cv2.pdf', 'contentType' => 'application/pdf']]);
        Simulator::drain();
        $attachments = $client->getCandidate($id)['curriculumVitae'] ?? [];
        $this->assertCount(2, $attachments);
        $client->deleteAttachment($id, $attachments[0]['id']);
        Simulator::drain();
        $this->assertCount(1, $client->getCandidate($id)['curriculumVitae'] ?? []);
        $this->expectException(ValidationException::class);
        $client->addAttachments($id, 'notAField', [['url' => 'https://example.nl/x.pdf']]);
    }

    public function testIterateCandidatesFollowsCursors(): void
    {
        $client = $this->client();
        $emails = [];
        for ($batch = 0; $batch < 3; $batch++) {
            $candidates = [];
            for ($i = 0; $i < ($batch < 2 ? 10 : 3); $i++) {
                $candidates[] = $candidate = self::candidate('page');
                $emails[] = $candidate['email'];
            }
            $client->createCandidates($candidates);
        }
        Simulator::drain();
        $before = count(Simulator::requests('?path=/api/v2/candidates&method=GET'));
        $iterator = $client->iterateCandidates(pageSize: 5);
        $this->assertInstanceOf(Generator::class, $iterator);
        $this->assertSame($before, count(Simulator::requests('?path=/api/v2/candidates&method=GET')), 'lazy: nothing fetched yet');
        $seen = [];
        foreach ($iterator as $candidate) {
            $seen[] = $candidate['email'];
        }
        sort($seen);
        sort($emails);
        $this->assertSame($emails, $seen);
        $pages = Simulator::requests('?path=/api/v2/candidates&method=GET');
        $this->assertCount(5, $pages, '23 candidates in pages of 5');
        $this->assertSame(2, substr_count(json_encode(array_column($pages, 'target')), 'cursor=') >= 4 ? 2 : 0);
        $this->assertSame([], iterator_to_array($this->client(['apiKey' => Simulator::OTHER_KEY, 'sandbox' => true])->iterateCandidates(10)));
        $this->expectException(MisuseException::class);
        iterator_to_array($client->iterateCandidates(0));
    }

    public function testMisuse(): void
    {
        try {
            new Client(['apiKey' => 'k', 'bogusOption' => 1]);
            $this->fail('no MisuseException');
        } catch (MisuseException $e) {
            $this->assertStringContainsString('bogusOption', $e->getMessage());
        }
        $client = $this->client();
        try {
            $client->createCandidates([self::candidate()], callbackUrl: 'http://example.com/hook');
            $this->fail('no MisuseException');
        } catch (MisuseException $e) {
            $this->assertStringContainsString('callbackUrl', $e->getMessage());
        }
        $this->expectException(MisuseException::class);
        $client->findCandidate();
    }

    /**
     * onderwijsregio.h: "Every failure of a mutation (oreg_client_submit) carries
     * "idempotencyKey" in oreg_last_error()". A callbackUrl the library refuses is such a failure,
     * with a valid key given by the caller.
     */
    public function testRefusedCallbackUrlStillCarriesTheIdempotencyKey(): void
    {
        try {
            $this->client()->createCandidates([self::candidate()], idempotencyKey: 'misuse-key-1', callbackUrl: 'http://example.com/hook');
            $this->fail('no MisuseException');
        } catch (MisuseException $e) {
            $this->assertSame('misuse-key-1', $e->idempotencyKey(), 'oreg_last_error(): ' . json_encode($e->details));
        }
    }

    public function testNonUtf8PayloadIsRefusedBeforeSending(): void
    {
        $client = $this->client();
        foreach ([fn () => $client->createCandidates([self::candidate('x', ['motivation' => "caf\xE9"])]),
            fn () => $client->validate(['firstName' => "Ren\xE9"]),
            fn () => $client->updateCandidate('rec1', ["k\xFF" => 1])] as $call) {
            try {
                $call();
                $this->fail('no EncodingException');
            } catch (EncodingException $e) {
                $this->assertMatchesRegularExpression('#(/0/motivation|/firstName|/k.*the key) is not valid UTF-8|the string at#', $e->getMessage());
                $this->assertStringContainsString('UTF-8', $e->getMessage());
            }
        }
        $this->assertSame([], Simulator::requests('?path=/api/v2/candidates*'));
    }

    public function testClosedClientIsMisuse(): void
    {
        $client = $this->client();
        $client->close();
        $client->close();
        $this->expectException(MisuseException::class);
        $client->schema();
    }
}
