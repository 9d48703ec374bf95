"""The simulator against contract sections 2-10, over real HTTP on loopback."""
from __future__ import annotations

import base64
import datetime
import hashlib
import hmac
import http.client
import json
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from conftest import FIXTURES, KEY, OTHER_KEY, READ_ONLY_KEY, SECRET, SIMULATOR, Simulator, start, stop

MINIMAL = {"email": "a@b.nl", "firstName": "A", "lastName": "B", "privacyConsent": True}


def person(n: int, **extra) -> dict:
    return {"email": f"person{n}@example.nl", "firstName": f"P{n}", "lastName": "Test",
            "privacyConsent": True, **extra}


def unix_time(iso: str) -> float:
    return datetime.datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp()


def expected_signature(secret: str, timestamp: str, nonce: str, target: str, body: bytes) -> str:
    """Contract section 8, computed here by hand: HMAC-SHA256 over
    timestamp LF nonce LF path-and-query LF raw body, standard base64."""
    message = timestamp.encode() + b"\n" + nonce.encode() + b"\n" + target.encode() + b"\n" + body
    return base64.b64encode(hmac.new(secret.encode(), message, hashlib.sha256).digest()).decode()


# ---- process ----------------------------------------------------------------------------------

def test_first_line_is_the_base_url_with_the_real_port(server: Simulator):
    assert server.base_url.startswith("http://127.0.0.1:") and server.base_url.endswith("/api/v2")
    assert server.port > 0
    assert server.control("GET", "health")["ok"] is True


def test_sigterm_stops_it_cleanly_even_with_an_open_keep_alive_connection():
    sim = start()
    conn = sim.connection()
    assert sim.request("GET", "/__sim/health", connection=conn).status == 200
    started = time.monotonic()
    assert stop(sim) == 0
    assert time.monotonic() - started < 5
    conn.close()


def test_a_busy_port_is_a_clear_error(server: Simulator):
    result = subprocess.run([sys.executable, str(SIMULATOR / "server.py"), "--port", str(server.port)],
                            capture_output=True, text=True, timeout=20)
    assert result.returncode == 2
    assert "cannot listen" in result.stderr


def test_the_schema_copy_matches_the_shared_fixtures():
    for name in ("candidate-create.schema.json", "candidate-update.schema.json"):
        assert (SIMULATOR / "schema" / name).read_bytes() == (FIXTURES / "schema" / name).read_bytes()


# ---- authentication and envelope --------------------------------------------------------------

def test_missing_and_unknown_keys_are_401_in_the_envelope(sim: Simulator):
    for key in (None, "nope"):
        reply = sim.api("GET", "/candidates", key=key)
        assert reply.status == 401
        body = reply.json
        assert body["statusCode"] == 401 and body["error"] == "Unauthorized" and body["message"]
        assert body["meta"]["requestId"] == reply.headers["x-request-id"]
    # the key never comes back in the answer
    assert b"nope" not in sim.api("GET", "/candidates", key="nope").raw


def test_every_configured_key_works_and_the_deprecated_header_too(sim: Simulator):
    assert sim.api("GET", "/candidates", key=KEY).status == 200
    assert sim.api("GET", "/candidates", key=OTHER_KEY).status == 200
    assert sim.api("GET", "/candidates", key=None, headers={"api-key": KEY}).status == 200


def test_a_read_only_key_reads_but_may_not_write(sim: Simulator):
    assert sim.api("GET", "/candidates", key=READ_ONLY_KEY).status == 200
    reply = sim.api("POST", "/candidates", [MINIMAL], key=READ_ONLY_KEY)
    assert reply.status == 403 and reply.json["error"] == "Forbidden"
    assert sim.mutations() == [] and sim.control("GET", "mutations") == []


def test_unknown_routes_are_404_and_wrong_methods_405_in_the_envelope(sim: Simulator):
    for path in ("/api/v2/nothing", "/api/v1/candidates", "/", "/api/v2/candidates/"):
        reply = sim.request("GET", path)
        assert reply.status == 404, path
        assert reply.json["statusCode"] == 404 and reply.json["error"] == "NotFound"
    reply = sim.api("PUT", "/candidates", [MINIMAL])
    assert reply.status == 405 and reply.headers["Allow"] == "GET, POST"
    assert sim.api("DELETE", "/schema").status == 405


def test_success_envelope_has_status_message_data_and_meta(sim: Simulator):
    body = sim.api("GET", "/candidates").json
    assert body["statusCode"] == 200 and isinstance(body["message"], str)
    assert body["data"] == [] and body["meta"]["cursor"] is None
    assert body["meta"]["sandboxEnabled"] is False and body["meta"]["requestId"].startswith("req_")


# ---- schema ---------------------------------------------------------------------------------

def test_schema_create_and_update_are_the_region_schemas_in_the_envelope(sim: Simulator):
    create = sim.api("GET", "/schema")
    update = sim.api("GET", "/schema?operation=update")
    explicit = sim.api("GET", "/schema?operation=create")
    assert create.data == json.loads((SIMULATOR / "schema/candidate-create.schema.json").read_bytes())
    assert update.data == json.loads((SIMULATOR / "schema/candidate-update.schema.json").read_bytes())
    assert explicit.data == create.data
    assert sim.api("GET", "/schema?operation=delete").status == 422


def test_schema_etag_and_304(sim: Simulator):
    first = sim.api("GET", "/schema")
    etag = first.headers["ETag"]
    assert etag.startswith('"') and etag.endswith('"')
    again = sim.api("GET", "/schema", headers={"If-None-Match": etag})
    assert again.status == 304 and again.raw == b"" and again.headers["ETag"] == etag
    assert sim.api("GET", "/schema", headers={"If-None-Match": 'W/"other", ' + etag}).status == 304
    assert sim.api("GET", "/schema", headers={"If-None-Match": '"stale"'}).status == 200
    update_etag = sim.api("GET", "/schema?operation=update").headers["ETag"]
    assert update_etag != etag
    sim.configure(schemaEtag=False)
    plain = sim.api("GET", "/schema", headers={"If-None-Match": etag})
    assert plain.status == 200 and "ETag" not in plain.headers


def test_schema_can_be_served_bare(sim: Simulator):
    sim.configure(schemaWrapped=False)
    reply = sim.api("GET", "/schema")
    assert reply.status == 200
    served_from = Path(sim.control("GET", "config")["schemaDir"])
    assert reply.raw == (served_from / "candidate-create.schema.json").read_bytes()    # the file's own bytes
    assert "$schema" in reply.json and "data" not in reply.json


def test_only_the_first_schema_call_is_slow(sim: Simulator):
    sim.configure(schemaFirstCallDelayMs=600)
    started = time.monotonic()
    assert sim.api("GET", "/schema").status == 200
    first = time.monotonic() - started
    started = time.monotonic()
    assert sim.api("GET", "/schema?operation=update").status == 200
    second = time.monotonic() - started
    assert first >= 0.6 and second < 0.4


# ---- candidates ------------------------------------------------------------------------------

def test_create_is_202_queued_then_applied_and_readable(sim: Simulator):
    sim.configure(queueDelayMs=300)
    reply = sim.api("POST", "/candidates", [person(1), person(2, phone="06-12345678")],
                    query={"idempotencyKey": "create-1"})
    assert reply.status == 202
    data = reply.data
    assert data["mutationId"].startswith("mut_") and data["idempotencyKey"] == "create-1"
    assert data["operation"] == "candidate.create" and data["status"] == "queued" and data["itemCount"] == 2
    assert sim.api("GET", "/candidates").data == []          # accepted is not applied
    sim.drain()
    [applied] = sim.mutations()
    assert applied["mutationId"] == data["mutationId"] and applied["status"] == "succeeded"
    ids = applied["resource"]["ids"]
    assert len(ids) == 2 and all(i.startswith("rec") and len(i) == 17 for i in ids)
    one = sim.api("GET", f"/candidates/{ids[0]}").data
    assert one["email"] == "person1@example.nl" and one["id"] == ids[0] and one["archived"] is False
    assert one["phase"] == "new" and one["marketingConsent"] is False    # the schema's defaults
    assert sim.api("GET", f"/candidates/{ids[1]}").data["phone"] == "06-12345678"


def test_create_takes_one_to_ten_payloads(sim: Simulator):
    assert sim.api("POST", "/candidates", []).status == 422
    assert sim.api("POST", "/candidates", [person(i) for i in range(11)]).status == 422
    assert sim.api("POST", "/candidates", MINIMAL).status == 422
    assert sim.api("POST", "/candidates", [person(i) for i in range(10)]).status == 202


def test_invalid_payloads_are_422_with_zod_style_issues_and_nothing_is_queued(sim: Simulator):
    cases = json.loads((FIXTURES / "payloads/expected.json").read_bytes())
    bodies = {}
    for case in cases:
        if "create" not in case["schema"] or case["valid"]:
            continue
        payload = json.loads((FIXTURES / case["payload"]).read_bytes())
        reply = sim.api("POST", "/candidates", [MINIMAL, payload])
        assert reply.status == 422, case
        body = reply.json
        assert body["error"] == "ValidationError" and body["message"] == "Validation failed"
        for issue in body["issues"]:
            assert issue["path"][0] == 1 and issue["code"] and issue["message"]
        got = {(i["instanceLocation"].removeprefix("/1"), i["keyword"]) for i in body["issues"]}
        assert got == {(e["instanceLocation"], e["keyword"]) for e in case["errors"]}
        bodies[case["payload"]] = body
    body = bodies["payloads/candidate-invalid-many.json"]
    codes = {i["code"] for i in body["issues"]}
    assert {"invalid_type", "unrecognized_keys", "invalid_format", "invalid_value", "too_small",
            "not_multiple_of", "invalid_union"} <= codes
    missing = [i for i in body["issues"] if i["keyword"] == "required"]
    assert missing[0]["path"] == [1, "lastName"]
    sim.drain()
    assert sim.mutations() == []


def test_pagination_walks_every_candidate_once(sim: Simulator):
    created = sim.create(*[person(i) for i in range(7)])
    seen, cursor, pages = [], None, 0
    while True:
        reply = sim.api("GET", "/candidates", query={"pageSize": 3, **({"cursor": cursor} if cursor else {})})
        assert reply.status == 200
        pages += 1
        seen += [c["id"] for c in reply.data]
        cursor = reply.json["meta"]["cursor"]
        if cursor is None:
            break
    assert seen == created and pages == 3
    assert len(sim.api("GET", "/candidates").data) == 7      # default page size holds them all
    assert sim.api("GET", "/candidates?cursor=garbage!").status == 400
    for size in ("0", "101", "abc", "-1"):
        assert sim.api("GET", f"/candidates?pageSize={size}").status == 422, size


def test_find_by_email_ignores_case_and_by_phone_ignores_non_digits(sim: Simulator):
    first, second = sim.create(person(1, phone="+31 (6) 1234-5678"), person(2, email="Jan.Jansen@Example.NL"))
    assert [c["id"] for c in sim.api("GET", "/candidates/find?email=jan.jansen%40example.nl").data] == [second]
    assert [c["id"] for c in sim.api("GET", "/candidates/find?phone=31612345678").data] == [first]
    assert [c["id"] for c in sim.api("GET", "/candidates/find?phone=%2B31-6-12%2034%2056%2078").data] == [first]
    assert sim.api("GET", "/candidates/find?email=nobody%40example.nl").data == []
    assert sim.api("GET", "/candidates/find").status == 422
    assert sim.api("GET", "/candidates/find?email=a%40b.nl&phone=0612345678").status == 422
    assert sim.api("GET", "/candidates/find?phone=abc").status == 422


def test_get_unknown_candidate_is_404(sim: Simulator):
    reply = sim.api("GET", "/candidates/recDoesNotExist1")
    assert reply.status == 404 and reply.json["error"] == "NotFound"


def test_upsert_creates_then_updates_the_match_by_email_or_phone(sim: Simulator):
    assert sim.api("POST", "/candidates/upsert", person(1, phone="06-11112222")).status == 202
    assert sim.api("POST", "/candidates/upsert",
                   person(1, email="PERSON1@example.nl", motivation="Lesgeven")).status == 202
    sim.drain()
    [only] = sim.api("GET", "/candidates").data
    assert only["motivation"] == "Lesgeven" and only["email"] == "PERSON1@example.nl"
    assert sim.api("POST", "/candidates/upsert",
                   person(9, phone="0611112222", notes="matched by phone")).status == 202
    sim.drain()
    [only] = sim.api("GET", "/candidates").data
    assert only["notes"] == "matched by phone"
    operations = [m["operation"] for m in sim.mutations()]
    assert operations == ["candidate.upsert"] * 3
    assert len({m["resource"]["ids"][0] for m in sim.mutations()}) == 1
    assert sim.api("POST", "/candidates/upsert", {"firstName": "X"}).status == 422
    assert sim.api("POST", "/candidates/upsert", [MINIMAL]).status == 422


def test_patch_changes_only_sent_fields_replaces_arrays_and_null_clears(sim: Simulator):
    [cid] = sim.create(person(1, phone="0612345678", sectors=["primary_education", "special_education"],
                              motivation="old"))
    reply = sim.api("PATCH", f"/candidates/{cid}",
                    {"sectors": ["higher_education"], "phone": None, "phase": "employed"})
    assert reply.status == 202 and reply.data["operation"] == "candidate.update"
    sim.drain()
    record = sim.api("GET", f"/candidates/{cid}").data
    assert record["sectors"] == ["higher_education"] and "phone" not in record
    assert record["phase"] == "employed" and record["motivation"] == "old" and record["email"] == "person1@example.nl"
    assert sim.api("PATCH", "/candidates/recNope000000000", {"phase": "left"}).status == 404
    bad = sim.api("PATCH", f"/candidates/{cid}", {"phase": "asleep", "privacyConsent": "yes"})
    assert bad.status == 422 and {i["path"][0] for i in bad.json["issues"]} == {"phase", "privacyConsent"}
    assert sim.api("PATCH", f"/candidates/{cid}", {}).status == 422     # the update schema: minProperties 1


def test_archive_and_delete(sim: Simulator):
    first, second = sim.create(person(1, interactions=[{"type": "intake", "performedAt": "2026-01-02T10:00:00Z"}]),
                               person(2))
    assert sim.api("POST", f"/candidates/{first}/archive").status == 202
    assert sim.api("DELETE", f"/candidates/{second}").status == 202
    sim.drain()
    archived = sim.api("GET", f"/candidates/{first}").data
    assert archived["archived"] is True and archived["archivedAt"]
    assert sim.api("GET", f"/candidates/{second}").status == 404
    assert sim.api("DELETE", f"/candidates/{second}").status == 404
    assert sim.api("POST", "/candidates/recNope000000000/archive").status == 404
    assert [m["operation"] for m in sim.mutations()][-2:] == ["candidate.archive", "candidate.delete"]


def test_a_mutation_whose_target_is_gone_when_it_runs_fails(sim: Simulator, receiver):
    [cid] = sim.create(person(1))
    sim.configure(queueDelayMs=200)
    assert sim.api("DELETE", f"/candidates/{cid}").status == 202
    reply = sim.api("PATCH", f"/candidates/{cid}", {"phase": "left"},
                    query={"callbackUrl": receiver.url + "/cb"})
    assert reply.status == 202                                # it still existed when validated
    sim.drain()
    failed = [m for m in sim.mutations() if m["mutationId"] == reply.data["mutationId"]][0]
    assert failed["status"] == "failed" and failed["error"]["code"] == "not_found"
    [callback] = receiver.wait_for(1)
    result = json.loads(callback["body"])
    assert result["status"] == "failed" and result["error"]["code"] == "not_found"


# ---- interactions and attachments ------------------------------------------------------------

def test_interactions_inline_and_by_route(sim: Simulator):
    [cid] = sim.create(person(1, interactions=[{"type": "intake", "performedAt": "2026-01-02T10:00:00Z"}]))
    [inline] = sim.api("GET", f"/candidates/{cid}/interactions").data
    assert inline["type"] == "intake" and inline["candidateId"] == cid
    assert "interactions" not in sim.api("GET", f"/candidates/{cid}").data
    reply = sim.api("POST", f"/candidates/{cid}/interactions",
                    [{"type": "phone_call", "performedAt": "2026-01-03T09:00:00+01:00", "summary": "Gebeld"},
                     {"type": "email", "performedAt": "2026-01-04T09:00:00Z"}])
    assert reply.status == 202 and reply.data["itemCount"] == 2 and reply.data["operation"] == "interaction.create"
    sim.drain()
    interactions = sim.api("GET", f"/candidates/{cid}/interactions").data
    assert [i["type"] for i in interactions] == ["intake", "phone_call", "email"]
    call = interactions[1]["id"]
    assert sim.api("PATCH", f"/candidates/{cid}/interactions/{call}",
                   {"durationMinutes": 15, "summary": None}).status == 202
    sim.drain()
    patched = [i for i in sim.api("GET", f"/candidates/{cid}/interactions").data if i["id"] == call][0]
    assert patched["durationMinutes"] == 15 and "summary" not in patched and patched["type"] == "phone_call"
    # the interaction as the patch would leave it must still be valid
    assert sim.api("PATCH", f"/candidates/{cid}/interactions/{call}", {"performedAt": None}).status == 422
    assert sim.api("PATCH", f"/candidates/{cid}/interactions/{call}", {"type": "chat"}).status == 422
    assert sim.api("PATCH", f"/candidates/{cid}/interactions/recNope000000000", {"summary": "x"}).status == 404
    assert sim.api("DELETE", f"/candidates/{cid}/interactions/{call}").status == 202
    sim.drain()
    assert len(sim.api("GET", f"/candidates/{cid}/interactions").data) == 2
    assert sim.api("POST", f"/candidates/{cid}/interactions", []).status == 422
    assert sim.api("POST", f"/candidates/{cid}/interactions", [{"type": "intake"}]).status == 422
    assert sim.api("POST", f"/candidates/{cid}/interactions",
                   [{"type": "intake", "performedAt": "yesterday"}]).status == 422
    assert sim.api("GET", "/candidates/recNope000000000/interactions").status == 404


def test_attachments_are_appended_and_removed_by_id(sim: Simulator):
    [cid] = sim.create(person(1, curriculumVitae=[{"url": "https://files.example.nl/cv.pdf"}]))
    pdf = base64.b64encode(b"%PDF-1.4 test").decode()
    reply = sim.api("POST", f"/candidates/{cid}/attachments",
                    {"field": "curriculumVitae",
                     "files": [{"base64": pdf, "filename": "brief.pdf", "contentType": "application/pdf"}]})
    assert reply.status == 202 and reply.data["operation"] == "attachment.add"
    sim.drain()
    cv = sim.api("GET", f"/candidates/{cid}").data["curriculumVitae"]
    assert [f["filename"] for f in cv] == ["cv.pdf", "brief.pdf"]
    assert cv[1]["size"] == len(b"%PDF-1.4 test") and all(f["id"].startswith("att") for f in cv)
    assert sim.api("DELETE", f"/candidates/{cid}/attachments/{cv[0]['id']}").status == 202
    sim.drain()
    assert [f["filename"] for f in sim.api("GET", f"/candidates/{cid}").data["curriculumVitae"]] == ["brief.pdf"]
    assert sim.api("DELETE", f"/candidates/{cid}/attachments/attNope000000000").status == 404
    url = {"url": "https://files.example.nl/x.pdf"}
    assert sim.api("POST", f"/candidates/{cid}/attachments", {"field": "photo", "files": [url]}).status == 422
    assert sim.api("POST", f"/candidates/{cid}/attachments", {"field": "otherAttachments", "files": []}).status == 422
    assert sim.api("POST", f"/candidates/{cid}/attachments",
                   {"field": "otherAttachments", "files": [{"url": "x", "filename": "a"}]}).status == 422
    over = sim.api("POST", f"/candidates/{cid}/attachments", {"field": "curriculumVitae", "files": [url] * 5})
    assert over.status == 422 and over.json["issues"][0]["code"] == "too_big"     # 1 + 5 > maxItems 5
    assert sim.api("POST", f"/candidates/{cid}/attachments",
                   {"field": "otherAttachments", "files": [url] * 5}).status == 202


# ---- idempotency -----------------------------------------------------------------------------

def test_same_key_same_body_is_the_same_mutation_applied_once(sim: Simulator):
    first = sim.api("POST", "/candidates", [person(1)], query={"idempotencyKey": "form-42"})
    again = sim.api("POST", "/candidates", [person(1)], query={"idempotencyKey": "form-42"})
    assert first.status == again.status == 202
    assert again.data["mutationId"] == first.data["mutationId"]
    assert again.headers["Idempotent-Replayed"] == "true" and "Idempotent-Replayed" not in first.headers
    sim.drain()
    later = sim.api("POST", "/candidates", [person(1)], query={"idempotencyKey": "form-42"})
    assert later.data["mutationId"] == first.data["mutationId"] and later.data["status"] == "succeeded"
    sim.drain()
    [applied] = sim.mutations()
    assert applied["replays"] == 2
    assert len(sim.api("GET", "/candidates").data) == 1


def test_same_key_different_request_is_409(sim: Simulator):
    assert sim.api("POST", "/candidates", [person(1)], query={"idempotencyKey": "k"}).status == 202
    conflict = sim.api("POST", "/candidates", [person(2)], query={"idempotencyKey": "k"})
    assert conflict.status == 409 and conflict.json["statusCode"] == 409
    assert sim.api("POST", "/candidates/upsert", person(1), query={"idempotencyKey": "k"}).status == 409
    assert sim.api("POST", "/candidates", [person(1)],
                   query={"idempotencyKey": "k", "callbackUrl": "http://127.0.0.1:9/x"}).status == 409
    sim.drain()
    assert len(sim.mutations()) == 1


def test_a_rejected_request_does_not_use_up_its_key(sim: Simulator):
    assert sim.api("POST", "/candidates", [{"email": "bad"}], query={"idempotencyKey": "k"}).status == 422
    assert sim.api("POST", "/candidates", [person(1)], query={"idempotencyKey": "k"}).status == 202


def test_keys_are_1_to_255_printable_ascii(sim: Simulator):
    for key in ("", "x" * 256, "caf\u00e9", "tab\there"):
        reply = sim.api("POST", "/candidates", [person(1)], query={"idempotencyKey": key})
        assert reply.status == 422 and reply.json["issues"][0]["path"] == ["idempotencyKey"], key
    assert sim.api("POST", "/candidates", [person(1)], query={"idempotencyKey": "x" * 255}).status == 202
    assert sim.api("POST", "/candidates", [person(2)], query={"idempotencyKey": "a b~!"}).status == 202
    twice = sim.api("POST", "/candidates?idempotencyKey=a&idempotencyKey=b", [person(3)])
    assert twice.status == 422


def test_keys_are_per_environment(sim: Simulator):
    production = sim.api("POST", "/candidates", [person(1)], query={"idempotencyKey": "same"})
    sandbox = sim.request("POST", "/api/sandbox/candidates", [person(1)], query={"idempotencyKey": "same"})
    assert production.status == sandbox.status == 202
    assert production.data["mutationId"] != sandbox.data["mutationId"]


def test_concurrent_repeats_of_one_key_queue_one_mutation(sim: Simulator):
    replies = []

    def send():
        replies.append(sim.api("POST", "/candidates", [person(1)], query={"idempotencyKey": "race"}))
    threads = [threading.Thread(target=send) for _ in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [r.status for r in replies] == [202] * 16
    assert len({r.data["mutationId"] for r in replies}) == 1
    sim.drain()
    assert len(sim.mutations()) == 1 and len(sim.api("GET", "/candidates").data) == 1


def test_replay_after_the_target_is_gone_still_answers_the_original(sim: Simulator):
    [cid] = sim.create(person(1))
    first = sim.api("DELETE", f"/candidates/{cid}", query={"idempotencyKey": "del"})
    sim.drain()
    again = sim.api("DELETE", f"/candidates/{cid}", query={"idempotencyKey": "del"})
    assert again.status == 202 and again.data["mutationId"] == first.data["mutationId"]


def test_keys_expire_after_the_ttl(sim: Simulator):
    sim.configure(idempotencyTtlSeconds=1)
    first = sim.api("POST", "/candidates", [person(1)], query={"idempotencyKey": "short"})
    time.sleep(1.2)
    later = sim.api("POST", "/candidates", [person(1)], query={"idempotencyKey": "short"})
    assert later.data["mutationId"] != first.data["mutationId"]


# ---- the queue -------------------------------------------------------------------------------

def test_the_queue_runs_one_at_a_time_in_order_after_the_delay(sim: Simulator):
    [cid] = sim.create(person(1))
    sim.configure(queueDelayMs=150)
    sent = []
    for n in range(8):
        reply = sim.api("PATCH", f"/candidates/{cid}", {"motivation": f"version {n}"})
        sent.append((reply.data["mutationId"], time.time()))
    sim.drain()
    applied = sim.mutations(operation="candidate.update")
    assert [m["mutationId"] for m in applied] == [m for m, _ in sent]
    assert sim.api("GET", f"/candidates/{cid}").data["motivation"] == "version 7"
    applied_times = [unix_time(m["appliedAt"]) for m in applied]
    assert applied_times == sorted(applied_times)
    for (_, sent_at), applied_at in zip(sent, applied_times):
        assert applied_at >= sent_at + 0.15 - 0.01


def test_queue_delay_can_be_changed_while_running(sim: Simulator):
    sim.configure(queueDelayMs=60_000)
    sim.api("POST", "/candidates", [person(1)])
    time.sleep(0.2)
    assert sim.mutations() == []
    assert sim.control("GET", "mutations") == [] and \
        sim.request("GET", "/__sim/mutations", key=None).json["meta"]["queued"]["production"] == 1
    sim.configure(queueDelayMs=0)
    sim.drain()
    assert len(sim.mutations()) == 1


def test_drain_times_out_with_408(sim: Simulator):
    sim.configure(queueDelayMs=60_000)
    sim.api("POST", "/candidates", [person(1)])
    assert sim.request("POST", "/__sim/drain?timeoutMs=100", key=None).status == 408


# ---- sandbox ---------------------------------------------------------------------------------

def test_sandbox_by_header_and_by_prefix_is_isolated_from_production(sim: Simulator):
    header = {"x-api-sandbox": "true"}
    in_sandbox = sim.api("POST", "/candidates", [person(1)], headers=header)
    assert in_sandbox.status == 202 and in_sandbox.json["meta"]["sandboxEnabled"] is True
    sim.request("POST", "/api/sandbox/candidates", [person(2)])
    sim.api("POST", "/candidates", [person(3)])
    sim.drain()
    production = sim.api("GET", "/candidates")
    assert [c["email"] for c in production.data] == ["person3@example.nl"]
    assert production.json["meta"]["sandboxEnabled"] is False
    by_header = sim.api("GET", "/candidates", headers=header)
    by_prefix = sim.request("GET", "/api/sandbox/candidates")
    assert [c["email"] for c in by_header.data] == [c["email"] for c in by_prefix.data] == \
        ["person1@example.nl", "person2@example.nl"]
    assert by_header.json["meta"]["sandboxEnabled"] is by_prefix.json["meta"]["sandboxEnabled"] is True
    sandbox_id = by_prefix.data[0]["id"]
    assert sim.api("GET", f"/candidates/{sandbox_id}").status == 404
    assert sim.request("GET", f"/api/sandbox/candidates/{sandbox_id}").status == 200
    # every key of the region shares the sandbox
    assert len(sim.request("GET", "/api/sandbox/candidates", key=OTHER_KEY).data) == 2
    envs = {m["mutationId"]: m["environment"] for m in sim.mutations()}
    assert envs[in_sandbox.data["mutationId"]] == "sandbox"


def test_sandbox_header_is_ignored_outside_candidates(sim: Simulator):
    reply = sim.api("GET", "/schema", headers={"x-api-sandbox": "true"})
    assert reply.status == 200 and reply.json["meta"]["sandboxEnabled"] is False
    assert sim.request("GET", "/api/sandbox/schema").json["meta"]["sandboxEnabled"] is False


# ---- callbacks -------------------------------------------------------------------------------

def test_callback_is_delivered_signed_over_path_query_body_timestamp_and_nonce(sim: Simulator, receiver):
    url = receiver.url + "/hooks/onderwijsregio?site=3&x=%2F"
    reply = sim.api("POST", "/candidates", [person(1)],
                    query={"idempotencyKey": "cb-1", "callbackUrl": url})
    [callback] = receiver.wait_for(1)
    headers = {k.lower(): v for k, v in callback["headers"].items()}
    assert callback["target"] == "/hooks/onderwijsregio?site=3&x=%2F"
    timestamp, nonce = headers["x-mutationengine-timestamp"], headers["x-mutationengine-nonce"]
    assert abs(int(timestamp) - time.time()) < 10
    assert 16 <= len(nonce) <= 128 and all(c.isalnum() or c in "-_" for c in nonce)
    assert headers["x-mutationengine-signature"] == "v2=" + expected_signature(
        SECRET, timestamp, nonce, callback["target"], callback["body"])
    assert headers["content-type"] == "application/json"
    result = json.loads(callback["body"])
    assert set(result) == {"mutationId", "idempotencyKey", "operation", "status", "resource", "error", "completedAt"}
    assert result["mutationId"] == reply.data["mutationId"] and result["idempotencyKey"] == "cb-1"
    assert result["operation"] == "candidate.create" and result["status"] == "succeeded" and result["error"] is None
    assert result["resource"]["type"] == "candidate" and len(result["resource"]["ids"]) == 1
    assert result["completedAt"].endswith("Z")
    sim.drain(callbacks=True)
    [logged] = sim.callbacks()
    assert logged["delivered"] and logged["responseStatus"] == 200 and logged["pathAndQuery"] == callback["target"]
    assert logged["body"].encode() == callback["body"]


def test_callback_to_a_bare_host_signs_slash(sim: Simulator, receiver):
    sim.api("POST", "/candidates", [person(1)], query={"callbackUrl": receiver.url})
    [callback] = receiver.wait_for(1)
    headers = {k.lower(): v for k, v in callback["headers"].items()}
    assert callback["target"] == "/"
    assert headers["x-mutationengine-signature"] == "v2=" + expected_signature(
        SECRET, headers["x-mutationengine-timestamp"], headers["x-mutationengine-nonce"], "/", callback["body"])


def test_several_secrets_give_several_signatures(fresh, receiver):
    second = "the-next-secret-after-rotation"
    sim = fresh("--signing-secret", second)
    sim.api("POST", "/candidates", [person(1)], query={"callbackUrl": receiver.url + "/cb"})
    [callback] = receiver.wait_for(1)
    headers = {k.lower(): v for k, v in callback["headers"].items()}
    args = (headers["x-mutationengine-timestamp"], headers["x-mutationengine-nonce"], "/cb", callback["body"])
    assert headers["x-mutationengine-signature"] == \
        f"v2={expected_signature(SECRET, *args)} v2={expected_signature(second, *args)}"


def test_failed_deliveries_are_retried_with_a_fresh_nonce_until_2xx(sim: Simulator, receiver):
    receiver.script = [500, 503]
    reply = sim.api("POST", "/candidates", [person(1)], query={"callbackUrl": receiver.url + "/cb"})
    received = receiver.wait_for(3)
    sim.drain(callbacks=True)
    time.sleep(0.3)
    assert len(receiver.received) == 3
    nonces = {r["headers"]["x-mutationengine-nonce"] for r in received}
    assert len(nonces) == 3 and len({r["body"] for r in received}) == 1
    assert all(json.loads(r["body"])["mutationId"] == reply.data["mutationId"] for r in received)
    attempts = sim.callbacks(mutationId=reply.data["mutationId"])
    assert [a["attempt"] for a in attempts] == [1, 2, 3]
    assert [a["responseStatus"] for a in attempts] == [500, 503, 200]
    assert [a["delivered"] for a in attempts] == [False, False, True]
    first_wait, second_wait = (b["at"] - a["at"] for a, b in zip(received, received[1:]))
    assert first_wait >= 0.05 and second_wait >= 0.1            # backoff 50 ms, doubled


def test_delivery_gives_up_after_five_attempts(sim: Simulator, receiver):
    receiver.script = [500] * 10
    sim.api("POST", "/candidates", [person(1)], query={"callbackUrl": receiver.url + "/cb"})
    receiver.wait_for(5)
    sim.drain(callbacks=True)
    time.sleep(0.5)
    assert len(receiver.received) == 5 and len(sim.callbacks()) == 5


def test_unreachable_receivers_are_retried_too(sim: Simulator):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    sim.api("POST", "/candidates", [person(1)], query={"callbackUrl": f"http://127.0.0.1:{port}/cb"})
    sim.drain(callbacks=True)
    attempts = sim.callbacks()
    assert len(attempts) == 5 and all(a["responseStatus"] is None and a["error"] for a in attempts)


def test_a_hanging_receiver_times_out_and_never_blocks_the_queue(sim: Simulator, receiver):
    sim.configure(callbackTimeoutMs=400, callbackAttempts=2)
    receiver.script = [("hang", 3), ("hang", 3)]
    sim.api("POST", "/candidates", [person(1)], query={"callbackUrl": receiver.url + "/slow"})
    receiver.wait_for(1)
    started = time.monotonic()
    sim.api("POST", "/candidates", [person(2)])
    sim.drain()
    assert time.monotonic() - started < 1.0                  # applied while the receiver hangs
    assert len(sim.api("GET", "/candidates").data) == 2
    sim.drain(callbacks=True)
    attempts = sim.callbacks()
    assert [a["error"] for a in attempts] == ["timeout", "timeout"]
    assert all(a["durationMs"] < 1500 for a in attempts)


def test_callback_clock_skew_moves_the_timestamp(sim: Simulator, receiver):
    sim.configure(callbackClockSkewSeconds=-3600)
    sim.api("POST", "/candidates", [person(1)], query={"callbackUrl": receiver.url + "/cb"})
    [callback] = receiver.wait_for(1)
    assert abs(int(callback["headers"]["x-mutationengine-timestamp"]) - (time.time() - 3600)) < 10


def test_callback_url_must_be_http_or_https(sim: Simulator):
    for url in ("ftp://example.nl/cb", "javascript:alert(1)", "/relative", "http://", "https://exa mple.nl/",
                "http://example.nl:99999/"):
        reply = sim.api("POST", "/candidates", [person(1)], query={"callbackUrl": url})
        assert reply.status == 422, url
        assert reply.json["issues"][0]["path"] == ["callbackUrl"]
    assert sim.api("POST", "/candidates", [person(1)],
                   query={"callbackUrl": "https://school.example.nl/hook?x=1"}).status == 202


# ---- rate limits -----------------------------------------------------------------------------

def test_reads_are_rate_limited_per_key_with_retry_after(sim: Simulator):
    sim.configure(rateLimitPerSecond=3)
    conn = sim.connection()
    statuses = [sim.api("GET", "/candidates", connection=conn).status for _ in range(3)]
    limited = sim.api("GET", "/candidates", connection=conn)
    assert statuses == [200, 200, 200] and limited.status == 429
    assert limited.headers["Retry-After"] == "1" and limited.json["error"] == "RateLimited"
    assert sim.api("GET", "/candidates", key=OTHER_KEY).status == 200     # per key
    assert sim.api("POST", "/candidates", [person(1)], connection=conn).status == 202   # writes are queued instead
    time.sleep(1.05)
    assert sim.api("GET", "/candidates", connection=conn).status == 200


def test_a_share_of_rate_limited_reads_answers_500(sim: Simulator):
    sim.configure(rateLimitPerSecond=1, rateLimit500Share=0.5)
    assert sim.api("GET", "/candidates").status == 200
    statuses = [sim.api("GET", "/candidates") for _ in range(4)]
    assert sorted(r.status for r in statuses) == [429, 429, 500, 500]
    assert all(r.headers["Retry-After"] == "1" for r in statuses)


def test_the_default_rate_limit_is_five_per_second(fresh):
    sim = fresh("--rate-limit", "5")
    statuses = [sim.api("GET", "/schema").status for _ in range(6)]
    assert statuses == [200] * 5 + [429]


# ---- bad input ---------------------------------------------------------------------------------

def test_malformed_json_is_400_with_the_position(sim: Simulator):
    reply = sim.api("POST", "/candidates", raw=b'[{"email": "a@b.nl",}]')
    assert reply.status == 400 and reply.json["error"] == "BadRequest"
    assert "line 1 column" in reply.json["message"]
    for raw in (b"[NaN]", b"\xff[]", b"[1] x", b"[" * 100000, b"\xef\xbb\xbf[]"):
        assert sim.api("POST", "/candidates", raw=raw).status == 400, raw[:10]
    assert sim.api("POST", "/candidates", key=KEY).status == 400          # no body


def test_wrong_content_type_is_415(sim: Simulator):
    raw = json.dumps([person(1)]).encode()
    for content_type in ("text/plain", "application/x-www-form-urlencoded", "application/json; charset=latin-1"):
        reply = sim.api("POST", "/candidates", raw=raw, headers={"Content-Type": content_type})
        assert reply.status == 415, content_type
    assert sim.api("POST", "/candidates", raw=raw,
                   headers={"Content-Type": "application/json; charset=UTF-8"}).status == 202


def test_oversized_bodies_are_413(sim: Simulator):
    sim.configure(maxBodyBytes=1000)
    reply = sim.api("POST", "/candidates", raw=b"[" + b" " * 2000 + b"]")
    assert reply.status == 413 and reply.json["error"] == "PayloadTooLarge"
    conn = sim.connection()
    conn.putrequest("POST", "/api/v2/candidates")
    conn.putheader("x-api-key", KEY)
    conn.putheader("Content-Type", "application/json")
    conn.putheader("Content-Length", "5000000")
    conn.putheader("Expect", "100-continue")
    conn.endheaders()
    response = conn.getresponse()                 # answered before the body is sent
    assert response.status == 413
    conn.close()


def test_chunked_bodies_are_read(sim: Simulator):
    conn = sim.connection()
    body = json.dumps([person(1)]).encode()
    conn.putrequest("POST", "/api/v2/candidates")
    conn.putheader("x-api-key", KEY)
    conn.putheader("Content-Type", "application/json")
    conn.putheader("Transfer-Encoding", "chunked")
    conn.endheaders()
    for part in (body[:10], body[10:]):
        conn.send(b"%x\r\n%s\r\n" % (len(part), part))
    conn.send(b"0\r\n\r\n")
    response = conn.getresponse()
    assert response.status == 202, response.read()
    response.read()
    assert sim.api("GET", "/candidates", connection=conn).status == 200   # the connection is still in step
    conn.close()


# ---- faults ----------------------------------------------------------------------------------

def test_status_faults_hit_the_next_n_matching_requests(sim: Simulator):
    sim.control("POST", "faults", {"method": "GET", "path": "/api/v2/candidates", "count": 2,
                                   "status": 503, "retryAfter": 2})
    assert sim.api("GET", "/schema").status == 200            # not matching
    first, second, third = (sim.api("GET", "/candidates") for _ in range(3))
    assert first.status == second.status == 503 and third.status == 200
    assert first.headers["Retry-After"] == "2" and first.json["statusCode"] == 503
    assert sim.control("GET", "faults") == []


def test_faults_match_by_glob_and_method_and_can_be_listed_and_cleared(sim: Simulator):
    sim.control("POST", "faults", [{"method": "POST", "path": "/api/*/candidates*", "count": 5, "status": 500},
                                   {"path": "/api/v2/schema", "status": 429,
                                    "retryAfter": "Wed, 21 Oct 2026 07:28:00 GMT"}])
    listed = sim.control("GET", "faults")
    assert [f["remaining"] for f in listed] == [5, 1]
    assert sim.api("GET", "/candidates").status == 200
    assert sim.request("POST", "/api/sandbox/candidates/upsert", person(1)).status == 500
    limited = sim.api("GET", "/schema")
    assert limited.status == 429 and limited.headers["Retry-After"] == "Wed, 21 Oct 2026 07:28:00 GMT"
    sim.control("DELETE", "faults")
    assert sim.api("POST", "/candidates", [person(1)]).status == 202
    sim.drain()
    assert len(sim.mutations()) == 1                           # the faulted write was never processed


def test_fault_with_a_non_json_body(sim: Simulator):
    sim.control("POST", "faults", {"status": 502, "body": "<html>Bad gateway</html>", "contentType": "text/html"})
    reply = sim.api("GET", "/candidates")
    assert reply.status == 502 and reply.raw == b"<html>Bad gateway</html>"
    assert reply.headers["Content-Type"] == "text/html"


def test_drop_before_closes_without_an_answer_and_processes_nothing(sim: Simulator):
    sim.control("POST", "faults", {"method": "POST", "action": "drop"})
    with pytest.raises((http.client.RemoteDisconnected, ConnectionError)):
        sim.api("POST", "/candidates", [person(1)], query={"idempotencyKey": "drop-1"})
    sim.drain()
    assert sim.mutations() == []
    assert sim.api("POST", "/candidates", [person(1)], query={"idempotencyKey": "drop-1"}).status == 202


def test_drop_after_processing_loses_the_answer_but_a_retry_with_the_key_is_applied_once(sim: Simulator):
    sim.control("POST", "faults", {"method": "POST", "action": "drop", "when": "after"})
    with pytest.raises((http.client.RemoteDisconnected, ConnectionError)):
        sim.api("POST", "/candidates", [person(1)], query={"idempotencyKey": "lost"})
    retry = sim.api("POST", "/candidates", [person(1)], query={"idempotencyKey": "lost"})
    assert retry.status == 202 and retry.headers["Idempotent-Replayed"] == "true"
    sim.drain()
    [applied] = sim.mutations()
    assert applied["replays"] == 1 and len(sim.api("GET", "/candidates").data) == 1
    logged = sim.control("GET", "requests?method=POST")
    assert logged[0]["status"] is None and logged[0]["processedStatus"] == 202 and logged[0]["fault"]["action"] == "drop"


def test_answer_after_the_clients_timeout(sim: Simulator):
    sim.control("POST", "faults", {"method": "POST", "action": "none", "delayMs": 1500, "when": "after"})
    with pytest.raises(TimeoutError):
        sim.api("POST", "/candidates", [person(1)], timeout=0.5)
    sim.drain()
    assert len(sim.mutations()) == 1                           # it took effect all the same


def test_delay_before_processing(sim: Simulator):
    sim.control("POST", "faults", {"path": "/api/v2/candidates", "delayMs": 400})
    started = time.monotonic()
    assert sim.api("GET", "/candidates").status == 200
    assert time.monotonic() - started >= 0.4


def test_truncated_answers(sim: Simulator):
    sim.control("POST", "faults", {"path": "/api/v2/schema", "action": "truncate", "when": "after"})
    conn = sim.connection()
    conn.request("GET", "/api/v2/schema", headers={"x-api-key": KEY})
    response = conn.getresponse()
    assert response.status == 200
    with pytest.raises(http.client.IncompleteRead) as cut:
        response.read()
    assert cut.value.partial.startswith(b'{"statusCode":200,"message":"Schema"')      # the real answer, cut
    conn.close()
    sim.control("POST", "faults", {"method": "POST", "action": "truncate", "status": 200})
    with pytest.raises(http.client.IncompleteRead):
        sim.api("POST", "/candidates", [person(1)])
    sim.drain()
    assert sim.mutations() == []


def test_invalid_fault_specifications_are_400(sim: Simulator):
    for spec in ({"status": 99}, {"action": "explode"}, {"action": "status"}, {"count": 0, "status": 500},
                 {"colour": "red"}, [1], {"when": "later", "status": 500}, {"retryAfter": True, "status": 500}):
        reply = sim.request("POST", "/__sim/faults", spec, key=None)
        assert reply.status == 400, spec
    assert sim.control("GET", "faults") == []


def test_control_routes_are_never_faulted(sim: Simulator):
    sim.control("POST", "faults", {"status": 500, "count": 3})
    assert sim.control("GET", "health")["ok"] is True
    assert len(sim.control("GET", "faults")) == 1


# ---- connections, request log, reset ------------------------------------------------------------

def test_keep_alive_serves_many_requests_on_one_connection(sim: Simulator):
    before = sim.control("GET", "connections")["accepted"]
    conn = sim.connection()
    for _ in range(5):
        assert sim.api("GET", "/candidates", connection=conn).status == 200
    assert sim.api("POST", "/candidates", [person(1)], connection=conn).status == 202
    assert sim.api("GET", "/nothing", connection=conn).status == 404
    conn.close()
    after = sim.control("GET", "connections")["accepted"]
    assert after - before == 2                                 # ours and the control request's
    for _ in range(3):
        sim.api("GET", "/candidates")
    assert sim.control("GET", "connections")["accepted"] - after == 4
    ids = {e["connection"] for e in sim.control("GET", "requests?path=/api/v2/*")[:7]}
    assert len(ids) == 1


def test_request_log_redacts_the_key(sim: Simulator):
    sim.api("GET", "/schema", headers={"User-Agent": "test-agent/1"})
    [entry] = sim.control("GET", "requests?path=/api/v2/schema")
    assert entry["headers"]["x-api-key"] == "[redacted]" and entry["headers"]["user-agent"] == "test-agent/1"
    assert entry["status"] == 200 and entry["method"] == "GET" and entry["target"] == "/api/v2/schema"
    assert KEY not in json.dumps(sim.control("GET", "requests"))


def test_reset_forgets_everything(sim: Simulator):
    sim.create(person(1))
    sim.api("POST", "/candidates", [person(2)], query={"idempotencyKey": "r"})
    sim.control("POST", "faults", {"status": 500, "path": "/never"})
    sim.configure(queueDelayMs=5000)
    sim.control("POST", "reset")
    assert sim.api("GET", "/candidates").data == []
    assert sim.mutations() == [] and sim.control("GET", "faults") == [] and sim.callbacks() == []
    assert sim.control("GET", "config")["queueDelayMs"] == 20
    first = sim.api("POST", "/candidates", [person(3)], query={"idempotencyKey": "r"})
    assert first.status == 202 and "Idempotent-Replayed" not in first.headers


def test_config_rejects_unknown_or_bad_settings(sim: Simulator):
    for settings in ({"queueDelay": 1}, {"queueDelayMs": -1}, {"schemaWrapped": 1}, {"rateLimit500Share": 2}, [1]):
        assert sim.request("POST", "/__sim/config", settings, key=None).status == 400, settings
    assert sim.request("GET", "/__sim/nothing", key=None).status == 404
    assert sim.request("DELETE", "/__sim/config", key=None).status == 405
