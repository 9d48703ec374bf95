"""The simulated service's state and its Mutation Engine (contract sections 6-8).

One store, one idempotency table and one queue per environment (production and sandbox; the
sandbox is shared by every key of the region and isolated from production). A worker per
environment applies that environment's queued mutations one at a time, in order, each no
earlier than the queue delay after it was accepted. Results go to the mutation's callbackUrl,
signed (signing.py), from a thread of their own, so a slow or hanging receiver never holds up
the queue. Every applied mutation and every delivery attempt is logged for the tests.
"""
from __future__ import annotations

import base64
import binascii
import collections
import copy
import dataclasses
import datetime
import http.client
import json
import mimetypes
import secrets
import ssl
import string
import threading
import time
import urllib.parse
from typing import Any, Callable

import signing

ENVIRONMENTS = ("production", "sandbox")
ATTACHMENT_FIELDS = ("curriculumVitae", "otherAttachments")   # [doc] the two attachment fields
INTERACTIONS_FIELD = "interactions"                            # [doc] inline interactions on create
_ALPHANUMERIC = string.ascii_letters + string.digits


def record_id(prefix: str) -> str:
    """An Airtable-style id: `rec` (records) or `att` (attachments) and 14 letters or digits."""
    return prefix + "".join(secrets.choice(_ALPHANUMERIC) for _ in range(14))


def iso_time(when: float | None = None) -> str:
    moment = datetime.datetime.fromtimestamp(time.time() if when is None else when, datetime.timezone.utc)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def digits(text: str) -> str:
    return "".join(c for c in text if c in "0123456789")


def compact(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


class Config:
    """The settings tests may change while the simulator runs (GET/POST /__sim/config)."""

    LIMITS: dict[str, tuple] = {
        "queueDelayMs": (int, 0, 3_600_000),
        "rateLimitPerSecond": (int, 0, 1_000_000),
        "rateLimit500Share": (float, 0.0, 1.0),
        "schemaFirstCallDelayMs": (int, 0, 600_000),
        "schemaWrapped": (bool,),
        "schemaEtag": (bool,),
        "callbackTimeoutMs": (int, 1, 600_000),
        "callbackAttempts": (int, 1, 100),
        "callbackBackoffMs": (int, 0, 600_000),
        "callbackClockSkewSeconds": (int, -10**10, 10**10),
        "maxBodyBytes": (int, 1, 1 << 31),
        "idempotencyTtlSeconds": (int, 1, 10**9),
    }

    def __init__(self, **values: Any):
        self._lock = threading.Lock()
        self._initial = self._checked(values, complete=True)
        self._values = dict(self._initial)

    def _checked(self, values: Any, complete: bool = False) -> dict:
        if not isinstance(values, dict):
            raise ValueError("the configuration is a JSON object")
        unknown = sorted(set(values) - set(self.LIMITS))
        if unknown:
            raise ValueError(f"unknown setting(s): {', '.join(unknown)}")
        if complete and set(values) != set(self.LIMITS):
            raise ValueError(f"missing setting(s): {', '.join(sorted(set(self.LIMITS) - set(values)))}")
        checked = {}
        for name, value in values.items():
            kind, *bounds = self.LIMITS[name]
            if kind is bool:
                ok = isinstance(value, bool)
            elif kind is float:
                ok = isinstance(value, (int, float)) and not isinstance(value, bool)
            else:
                ok = isinstance(value, int) and not isinstance(value, bool)
            if not ok or (bounds and not bounds[0] <= value <= bounds[1]):
                wanted = "true or false" if kind is bool else f"a number from {bounds[0]} to {bounds[1]}"
                raise ValueError(f"{name} must be {wanted}")
            checked[name] = kind(value)
        return checked

    def __getitem__(self, name: str) -> Any:
        with self._lock:
            return self._values[name]

    def update(self, values: Any) -> dict:
        checked = self._checked(values)
        with self._lock:
            self._values.update(checked)
            return dict(self._values)

    def as_dict(self) -> dict:
        with self._lock:
            return dict(self._values)

    def reset(self) -> None:
        with self._lock:
            self._values = dict(self._initial)


class ApplyError(Exception):
    """A queued mutation that cannot be applied (its target is gone): the mutation fails."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


class Conflict(Exception):
    """The idempotency key was used before with another request."""


@dataclasses.dataclass(eq=False)
class Mutation:
    operation: str
    environment: str
    method: str
    path: str                        # after /api/v2 or /api/sandbox
    body: Any
    target: str | None               # the candidate
    sub_target: str | None           # the interaction or attachment
    idempotency_key: str | None
    callback_url: str | None
    item_count: int
    fingerprint: str                 # what a repeat of the key must match
    request_id: str
    id: str = dataclasses.field(default_factory=lambda: "mut_" + secrets.token_hex(12))
    accepted_at: float = dataclasses.field(default_factory=time.time)
    applied_at: float | None = None
    status: str = "queued"
    resource: dict | None = None
    error: dict | None = None
    replays: int = 0

    def accepted(self) -> dict:
        """The `data` of the 202 answer."""
        return {"mutationId": self.id, "idempotencyKey": self.idempotency_key,
                "operation": self.operation, "status": self.status, "itemCount": self.item_count}

    def result(self) -> dict:
        """The callback body: the mutation result payload of contract section 8."""
        return {"mutationId": self.id, "idempotencyKey": self.idempotency_key,
                "operation": self.operation, "status": self.status, "resource": self.resource,
                "error": self.error, "completedAt": iso_time(self.applied_at)}

    def log_entry(self) -> dict:
        return {"mutationId": self.id, "idempotencyKey": self.idempotency_key,
                "operation": self.operation, "environment": self.environment,
                "method": self.method, "path": self.path, "target": self.target,
                "subTarget": self.sub_target, "body": self.body, "callbackUrl": self.callback_url,
                "itemCount": self.item_count, "status": self.status, "resource": self.resource,
                "error": self.error, "acceptedAt": iso_time(self.accepted_at),
                "appliedAt": iso_time(self.applied_at) if self.applied_at else None,
                "replays": self.replays, "requestId": self.request_id}


class Environment:
    """The data of one environment of the region."""

    def __init__(self, name: str):
        self.name = name
        self.candidates: dict[str, dict] = {}            # in creation order
        self.sequence: dict[str, int] = {}               # candidate id -> creation number
        self.next_sequence = 1
        self.interactions: dict[str, dict[str, dict]] = {}   # candidate id -> id -> interaction
        self.idempotency: dict[str, tuple[Mutation, float]] = {}   # key -> (mutation, expiry)
        self.queue: collections.deque[Mutation] = collections.deque()


class Engine:
    def __init__(self, config: Config, schemas: dict, signing_secrets: list[str],
                 callback_ca_file: str | None = None, log: Callable[[str], None] | None = None):
        self.config = config
        self.schemas = schemas
        self.signing_secrets = list(signing_secrets)
        self._ssl = ssl.create_default_context(cafile=callback_ca_file)
        self._log = log or (lambda message: None)
        self.lock = threading.RLock()
        self._changed = threading.Condition(self.lock)
        self.environments = {name: Environment(name) for name in ENVIRONMENTS}
        self.applied: list[Mutation] = []       # in the order they ran
        self.deliveries: list[dict] = []
        self._deliveries_in_flight = 0
        self._generation = 0
        self._stopping = threading.Event()
        self._workers = [threading.Thread(target=self._work, args=(name,), name=f"queue-{name}", daemon=True)
                         for name in ENVIRONMENTS]
        for worker in self._workers:
            worker.start()

    # ---- accepting mutations ------------------------------------------------------------

    def replay_of(self, environment: str, key: str | None, fingerprint: str) -> Mutation | None:
        """The mutation an idempotency key already stands for, when the same request comes
        again; raises Conflict when the key was used for a different request."""
        if key is None:
            return None
        with self.lock:
            env = self.environments[environment]
            entry = env.idempotency.get(key)
            if entry is None or entry[1] <= time.time():
                env.idempotency.pop(key, None)
                return None
            mutation = entry[0]
            if mutation.fingerprint != fingerprint:
                raise Conflict(key)
            mutation.replays += 1
            return mutation

    def enqueue(self, mutation: Mutation) -> tuple[Mutation, bool]:
        """Queues a validated mutation; (the mutation, False). If a concurrent request with the
        same idempotency key got in first: (that mutation, True), or Conflict."""
        with self.lock:
            replay = self.replay_of(mutation.environment, mutation.idempotency_key, mutation.fingerprint)
            if replay is not None:
                return replay, True
            env = self.environments[mutation.environment]
            if mutation.idempotency_key is not None:
                ttl = self.config["idempotencyTtlSeconds"]
                env.idempotency[mutation.idempotency_key] = (mutation, time.time() + ttl)
            mutation.accepted_at = time.time()
            env.queue.append(mutation)
            self._changed.notify_all()
            return mutation, False

    # ---- reads (callers hold no lock; these take it) -------------------------------------

    def candidate(self, environment: str, candidate_id: str) -> dict | None:
        with self.lock:
            record = self.environments[environment].candidates.get(candidate_id)
            return copy.deepcopy(record) if record is not None else None

    def interaction(self, environment: str, candidate_id: str, interaction_id: str) -> dict | None:
        with self.lock:
            record = self.environments[environment].interactions.get(candidate_id, {}).get(interaction_id)
            return copy.deepcopy(record) if record is not None else None

    def candidate_page(self, environment: str, after: int, size: int) -> tuple[list[dict], int | None]:
        """Up to `size` candidates created after creation number `after`, and the creation
        number to continue after (None on the last page)."""
        with self.lock:
            env = self.environments[environment]
            page = []
            for candidate_id, record in env.candidates.items():
                if env.sequence[candidate_id] > after:
                    if len(page) == size:
                        return page, env.sequence[page[-1]["id"]]
                    page.append(copy.deepcopy(record))
            return page, None

    def find(self, environment: str, email: str | None, phone: str | None) -> list[dict]:
        with self.lock:
            env = self.environments[environment]
            return [copy.deepcopy(record) for record in env.candidates.values()
                    if _matches(record, email, phone)]

    def interactions_of(self, environment: str, candidate_id: str) -> list[dict]:
        with self.lock:
            return copy.deepcopy(list(self.environments[environment].interactions.get(candidate_id, {}).values()))

    # ---- the queue workers ----------------------------------------------------------------

    def _work(self, environment: str) -> None:
        with self._changed:
            while not self._stopping.is_set():
                env = self.environments[environment]
                if not env.queue:
                    self._changed.wait()
                    continue
                mutation = env.queue[0]
                wait = mutation.accepted_at + self.config["queueDelayMs"] / 1000 - time.time()
                if wait > 0:
                    self._changed.wait(wait)
                    continue
                env.queue.popleft()
                try:
                    kind, ids = self._apply(env, mutation)
                    mutation.status = "succeeded"
                    mutation.resource = {"type": kind, "ids": ids}
                except ApplyError as error:
                    mutation.status = "failed"
                    mutation.resource = {"type": mutation.operation.split(".")[0],
                                         "ids": [i for i in (mutation.sub_target or mutation.target,) if i]}
                    mutation.error = {"code": error.code, "message": error.message}
                except Exception as error:   # a simulator bug must not stop the queue
                    mutation.status = "failed"
                    mutation.resource = {"type": mutation.operation.split(".")[0], "ids": []}
                    mutation.error = {"code": "internal_error", "message": f"{type(error).__name__}: {error}"}
                mutation.applied_at = time.time()
                self.applied.append(mutation)
                self._log(f"applied {mutation.id} {mutation.operation} [{environment}]: {mutation.status}")
                if mutation.callback_url:
                    self._deliveries_in_flight += 1
                    threading.Thread(target=self._deliver, args=(mutation, self._generation),
                                     name=f"callback-{mutation.id}", daemon=True).start()
                self._changed.notify_all()

    def _apply(self, env: Environment, m: Mutation) -> tuple[str, list[str]]:
        op, body = m.operation, m.body
        if op == "candidate.create":
            return "candidate", [self._create_candidate(env, payload) for payload in body]
        if op == "candidate.upsert":
            match = next((cid for cid, record in env.candidates.items()
                          if _matches(record, body.get("email"), None)), None)
            if match is None and isinstance(body.get("phone"), str) and digits(body["phone"]):
                match = next((cid for cid, record in env.candidates.items()
                              if _matches(record, None, body["phone"])), None)
            if match is None:
                return "candidate", [self._create_candidate(env, body)]
            self._update_candidate(env, match, body)
            return "candidate", [match]
        if op == "candidate.update":
            self._update_candidate(env, self._existing(env, m.target)["id"], body)
            return "candidate", [m.target]
        if op == "candidate.archive":
            record = self._existing(env, m.target)
            record["archived"] = True
            record["archivedAt"] = record["updatedAt"] = iso_time()
            return "candidate", [m.target]
        if op == "candidate.delete":
            self._existing(env, m.target)
            del env.candidates[m.target], env.sequence[m.target]
            env.interactions.pop(m.target, None)
            return "candidate", [m.target]
        if op == "interaction.create":
            self._existing(env, m.target)
            return "interaction", [self._create_interaction(env, m.target, item) for item in body]
        if op == "interaction.update":
            record = self._existing_interaction(env, m.target, m.sub_target)
            fields = patched(record, body)
            identity = {name: record[name] for name in ("id", "candidateId", "createdAt")}
            record.clear()
            record.update(identity, updatedAt=iso_time(), **fields)
            return "interaction", [m.sub_target]
        if op == "interaction.delete":
            self._existing_interaction(env, m.target, m.sub_target)
            del env.interactions[m.target][m.sub_target]
            return "interaction", [m.sub_target]
        if op == "attachment.add":
            record = self._existing(env, m.target)
            files = [attachment(item) for item in body["files"]]
            record.setdefault(body["field"], []).extend(files)
            record["updatedAt"] = iso_time()
            return "attachment", [f["id"] for f in files]
        if op == "attachment.delete":
            record = self._existing(env, m.target)
            for field in ATTACHMENT_FIELDS:
                files = record.get(field) or []
                for index, item in enumerate(files):
                    if item.get("id") == m.sub_target:
                        del files[index]
                        record["updatedAt"] = iso_time()
                        return "attachment", [m.sub_target]
            raise ApplyError("not_found", f"attachment {m.sub_target} not found")
        raise ApplyError("unknown_operation", op)

    def _existing(self, env: Environment, candidate_id: str | None) -> dict:
        record = env.candidates.get(candidate_id or "")
        if record is None:
            raise ApplyError("not_found", f"candidate {candidate_id} not found")
        return record

    def _existing_interaction(self, env: Environment, candidate_id: str | None, interaction_id: str | None) -> dict:
        self._existing(env, candidate_id)
        record = env.interactions.get(candidate_id or "", {}).get(interaction_id or "")
        if record is None:
            raise ApplyError("not_found", f"interaction {interaction_id} not found")
        return record

    def _create_candidate(self, env: Environment, payload: dict) -> str:
        payload = self.schemas["create"].apply_defaults(payload)
        now = iso_time()
        candidate_id = record_id("rec")
        record = {"id": candidate_id, "createdAt": now, "updatedAt": now, "archived": False}
        for name, value in payload.items():
            if name == INTERACTIONS_FIELD or name in ("id", "createdAt", "updatedAt", "archived"):
                continue
            if name in ATTACHMENT_FIELDS and isinstance(value, list):
                value = [attachment(item) for item in value]
            if value is not None:
                record[name] = value
        env.candidates[candidate_id] = record
        env.sequence[candidate_id] = env.next_sequence
        env.next_sequence += 1
        env.interactions[candidate_id] = {}
        for item in payload.get(INTERACTIONS_FIELD) or []:
            self._create_interaction(env, candidate_id, item)
        return candidate_id

    def _update_candidate(self, env: Environment, candidate_id: str, payload: dict) -> None:
        """Patch semantics: only sent fields change, arrays are replaced, null clears; sent
        interactions are added (they are records of their own, not a field)."""
        record = env.candidates[candidate_id]
        for name, value in payload.items():
            if name in ("id", "createdAt", "updatedAt", "archived"):
                continue
            if name == INTERACTIONS_FIELD:
                for item in value or []:
                    self._create_interaction(env, candidate_id, item)
            elif value is None:
                record.pop(name, None)
            elif name in ATTACHMENT_FIELDS and isinstance(value, list):
                record[name] = [attachment(item) for item in value]
            else:
                record[name] = copy.deepcopy(value)
        record["updatedAt"] = iso_time()

    def _create_interaction(self, env: Environment, candidate_id: str, payload: dict) -> str:
        now = iso_time()
        interaction_id = record_id("rec")
        record = {"id": interaction_id, "candidateId": candidate_id, "createdAt": now, "updatedAt": now}
        record.update({k: copy.deepcopy(v) for k, v in payload.items()
                       if v is not None and k not in record})
        env.interactions.setdefault(candidate_id, {})[interaction_id] = record
        return interaction_id

    # ---- callbacks ----------------------------------------------------------------------

    def _deliver(self, mutation: Mutation, generation: int) -> None:
        """POSTs the signed result to the callbackUrl until a 2xx answer, at most
        callbackAttempts times, with backoff callbackBackoffMs * 2^(n-1) between attempts; a
        fresh timestamp and nonce for each attempt, the same body bytes."""
        body = compact(mutation.result())
        url = mutation.callback_url or ""
        scheme, host, port, target = split_url(url)
        try:
            for attempt in range(1, self.config["callbackAttempts"] + 1):
                if self._stopping.is_set() or generation != self._generation:
                    return
                timestamp = str(int(time.time()) + self.config["callbackClockSkewSeconds"])
                nonce = secrets.token_urlsafe(24)
                headers = {
                    "Content-Type": "application/json",
                    "User-Agent": "onderwijsregio-simulator/1 (mutation engine)",
                    "x-mutationengine-timestamp": timestamp,
                    "x-mutationengine-nonce": nonce,
                    "x-mutationengine-signature": signing.signature_header(
                        self.signing_secrets, timestamp, nonce, target, body),
                }
                started = time.monotonic()
                status, error = self._post(scheme, host, port, target, headers, body)
                delivered = status is not None and 200 <= status < 300
                with self.lock:
                    if generation != self._generation:
                        return
                    self.deliveries.append({
                        "mutationId": mutation.id, "idempotencyKey": mutation.idempotency_key,
                        "environment": mutation.environment, "attempt": attempt, "url": url,
                        "pathAndQuery": target, "headers": headers, "body": body.decode("utf-8"),
                        "responseStatus": status, "error": error, "delivered": delivered,
                        "durationMs": round((time.monotonic() - started) * 1000, 1), "at": iso_time()})
                self._log(f"callback {mutation.id} attempt {attempt}: {status or error}")
                if delivered:
                    return
                if attempt < self.config["callbackAttempts"]:
                    if self._stopping.wait(self.config["callbackBackoffMs"] / 1000 * 2 ** (attempt - 1)):
                        return
        finally:
            with self._changed:
                self._deliveries_in_flight -= 1
                self._changed.notify_all()

    def _post(self, scheme: str, host: str, port: int, target: str, headers: dict,
              body: bytes) -> tuple[int | None, str | None]:
        timeout = self.config["callbackTimeoutMs"] / 1000
        try:
            if scheme == "https":
                connection: http.client.HTTPConnection = http.client.HTTPSConnection(
                    host, port, timeout=timeout, context=self._ssl)
            else:
                connection = http.client.HTTPConnection(host, port, timeout=timeout)
            try:
                connection.request("POST", target, body=body, headers=headers)
                response = connection.getresponse()
                response.read(1 << 20)
                return response.status, None
            finally:
                connection.close()
        except TimeoutError:
            return None, "timeout"
        except (OSError, http.client.HTTPException, ValueError) as error:
            return None, f"{type(error).__name__}: {error}"

    # ---- control ------------------------------------------------------------------------

    def drain(self, timeout: float, callbacks: bool) -> bool:
        """Waits until every queue is empty (and, with callbacks, no delivery is still going);
        False on timeout."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while any(env.queue for env in self.environments.values()) or \
                    (callbacks and self._deliveries_in_flight):
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._changed.wait(min(left, 0.05))
            return True

    def wake(self) -> None:
        """Lets the workers see a changed queue delay at once."""
        with self._changed:
            self._changed.notify_all()

    def queued(self) -> dict:
        with self.lock:
            return {name: len(env.queue) for name, env in self.environments.items()}

    def reset(self) -> None:
        with self._changed:
            self._generation += 1
            self.environments = {name: Environment(name) for name in ENVIRONMENTS}
            self.applied.clear()
            self.deliveries.clear()
            self._changed.notify_all()

    def stop(self) -> None:
        self._stopping.set()
        with self._changed:
            self._changed.notify_all()
        for worker in self._workers:
            worker.join(timeout=5)


def _matches(record: dict, email: str | None, phone: str | None) -> bool:
    """Find semantics [doc]: email case-insensitive, phone by its digits only."""
    if email is not None:
        return isinstance(record.get("email"), str) and record["email"].casefold() == email.casefold()
    if phone is not None:
        wanted = digits(phone)
        return bool(wanted) and isinstance(record.get("phone"), str) and digits(record["phone"]) == wanted
    return False


def patched(record: dict, patch: dict) -> dict:
    """The fields of an interaction as a patch leaves them: sent members replace, null removes
    (the same function checks a patch before it is queued and applies it)."""
    result = {k: v for k, v in record.items() if k not in ("id", "candidateId", "createdAt", "updatedAt")}
    for name, value in patch.items():
        if value is None:
            result.pop(name, None)
        else:
            result[name] = copy.deepcopy(value)
    return result


def attachment(item: dict) -> dict:
    """A stored attachment, as Airtable keeps one: an id, a URL, the name, type and size."""
    attachment_id = record_id("att")
    if "url" in item:
        name = urllib.parse.unquote(urllib.parse.urlsplit(item["url"]).path.rsplit("/", 1)[-1]) or "file"
        return {"id": attachment_id, "url": item["url"], "filename": name,
                "contentType": mimetypes.guess_type(name)[0], "size": None}
    encoded = item.get("base64", "")
    try:
        size = len(base64.b64decode(encoded + "=" * (-len(encoded) % 4)))
    except (binascii.Error, ValueError):
        size = None
    filename = item.get("filename", "file")
    return {"id": attachment_id,
            "url": f"https://files.onderwijsregio.invalid/{attachment_id}/{urllib.parse.quote(filename)}",
            "filename": filename, "contentType": item.get("contentType"), "size": size}


def split_url(url: str) -> tuple[str, str, int, str]:
    """(scheme, host, port, request target) of an http(s) URL; the target is the URL's path and
    query exactly as written (no fragment), "/" when it has no path: the bytes that go on the
    request line, and so the bytes that are signed."""
    parts = urllib.parse.urlsplit(url)
    scheme = parts.scheme.lower()
    rest = url.split("://", 1)[1] if "://" in url else ""
    end = min([i for i in (rest.find("/"), rest.find("?"), rest.find("#")) if i >= 0], default=len(rest))
    target = rest[end:].split("#", 1)[0]
    if not target.startswith("/"):
        target = "/" + target
    port = parts.port or (443 if scheme == "https" else 80)
    return scheme, parts.hostname or "", port, target
