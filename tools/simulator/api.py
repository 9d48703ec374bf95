"""The API routes of contract sections 2-7, independent of the HTTP transport (server.py)."""
from __future__ import annotations

import base64
import json
import re
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from typing import Any, Callable

import jsonschema

import validation
from engine import ATTACHMENT_FIELDS, Config, Conflict, Engine, Mutation, compact, patched
from faults import RateLimiter
from validation import issue, issues_of

PREFIX = re.compile(r"^/api/(v2|sandbox)(/.*)?$")
MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 25
MAX_CREATE_ITEMS = 10   # [doc] POST /candidates takes 1-10 payloads

# Used for POST .../interactions when a region's schema has no `interactions` property.
FALLBACK_INTERACTIONS = {
    "type": "array",
    "items": {"type": "object", "required": ["type", "performedAt"],
              "properties": {"type": {"type": "string"},
                             "performedAt": {"type": "string", "format": "date-time"}}},
}

ERROR_NAMES = {400: "BadRequest", 401: "Unauthorized", 403: "Forbidden", 404: "NotFound",
               405: "MethodNotAllowed", 408: "RequestTimeout", 409: "IdempotencyKeyConflict",
               411: "LengthRequired", 413: "PayloadTooLarge", 415: "UnsupportedMediaType",
               422: "ValidationError", 429: "RateLimited", 500: "InternalServerError",
               502: "BadGateway", 503: "ServiceUnavailable", 504: "GatewayTimeout"}


@dataclass
class Request:
    method: str
    path: str                      # percent-encoded, as on the request line, without the query
    query: dict[str, list[str]]
    headers: Any                   # case-insensitive .get()
    body: bytes
    request_id: str


@dataclass
class Response:
    status: int
    body: bytes = b""
    headers: list[tuple[str, str]] = field(default_factory=list)
    close: bool = False
    environment: str | None = None


class HttpError(Exception):
    def __init__(self, status: int, message: str, issues: list | None = None,
                 headers: list[tuple[str, str]] | None = None, close: bool = False):
        super().__init__(message)
        self.status = status
        self.message = message
        self.issues = issues
        self.headers = headers or []
        self.close = close


def envelope(status: int, message: str, data: Any, meta: dict) -> bytes:
    return compact({"statusCode": status, "message": message, "data": data, "meta": meta})


def error_body(status: int, message: str, request_id: str, issues: list | None = None,
               sandbox: bool | None = None) -> bytes:
    """The error envelope [assumed, contract section 4]."""
    body: dict[str, Any] = {"statusCode": status, "message": message,
                            "error": ERROR_NAMES.get(status, "Error")}
    if issues is not None:
        body["issues"] = issues
    body["meta"] = {"requestId": request_id}
    if sandbox is not None:
        body["meta"]["sandboxEnabled"] = sandbox
    return compact(body)


def json_response(status: int, body: bytes, request_id: str, headers: list | None = None,
                  close: bool = False) -> Response:
    return Response(status, body, [("Content-Type", "application/json; charset=utf-8"),
                                   ("x-request-id", request_id)] + (headers or []), close)


def parse_json(raw: bytes) -> Any:
    """Strict JSON text: UTF-8, no NaN or Infinity; duplicate names: the last value wins (as in
    the service's JSON.parse). HttpError 400 with the position otherwise."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise HttpError(400, f"Malformed JSON body: invalid UTF-8 at byte {error.start}")
    if text.startswith("\ufeff"):
        raise HttpError(400, "Malformed JSON body: byte order mark at byte 0")

    def constant(name: str) -> Any:
        raise ValueError(f"{name} is not JSON")
    try:
        return json.loads(text, parse_constant=constant)
    except json.JSONDecodeError as error:
        raise HttpError(400, f"Malformed JSON body: {error.msg} at line {error.lineno} column {error.colno}")
    except ValueError as error:
        raise HttpError(400, f"Malformed JSON body: {error}")
    except RecursionError:
        raise HttpError(400, "Malformed JSON body: nested too deeply")


def callback_url_problem(url: str) -> str | None:
    """Why a callbackUrl cannot be used, or None."""
    if len(url) > 2048:
        return "callbackUrl is longer than 2048 characters"
    if any(not 0x21 <= ord(c) <= 0x7E for c in url):
        return "callbackUrl must be printable ASCII without spaces (percent-encode the rest)"
    try:
        parts = urllib.parse.urlsplit(url)
        parts.port
    except ValueError as error:
        return f"callbackUrl is not a valid URL: {error}"
    if parts.scheme.lower() not in ("http", "https") or "://" not in url:
        return "callbackUrl must be an http or https URL"
    if not parts.hostname:
        return "callbackUrl has no host"
    return None


class Service:
    def __init__(self, config: Config, engine: Engine, schemas: dict, keys: dict[str, set[str]]):
        self.config = config
        self.engine = engine
        self.schemas = schemas
        self.keys = keys
        self.rate_limiter = RateLimiter()
        self._schema_warm = False
        self._schema_lock = threading.Lock()
        # (pattern of the path after /api/v2, {method: handler}); the first pattern that matches wins.
        self.routes: list[tuple[re.Pattern, dict[str, Callable]]] = [
            (re.compile(r"^/schema$"), {"GET": self.get_schema}),
            (re.compile(r"^/candidates$"), {"GET": self.list_candidates, "POST": self.create_candidates}),
            (re.compile(r"^/candidates/upsert$"), {"POST": self.upsert_candidate}),
            (re.compile(r"^/candidates/find$"), {"GET": self.find_candidates}),
            (re.compile(r"^/candidates/(?P<id>[^/]+)$"),
             {"GET": self.get_candidate, "PATCH": self.update_candidate, "DELETE": self.delete_candidate}),
            (re.compile(r"^/candidates/(?P<id>[^/]+)/archive$"), {"POST": self.archive_candidate}),
            (re.compile(r"^/candidates/(?P<id>[^/]+)/interactions$"),
             {"GET": self.list_interactions, "POST": self.create_interactions}),
            (re.compile(r"^/candidates/(?P<id>[^/]+)/interactions/(?P<sub>[^/]+)$"),
             {"PATCH": self.update_interaction, "DELETE": self.delete_interaction}),
            (re.compile(r"^/candidates/(?P<id>[^/]+)/attachments$"), {"POST": self.add_attachments}),
            (re.compile(r"^/candidates/(?P<id>[^/]+)/attachments/(?P<sub>[^/]+)$"),
             {"DELETE": self.delete_attachment}),
        ]

    def reset(self) -> None:
        self.rate_limiter.reset()
        with self._schema_lock:
            self._schema_warm = False

    # ---- dispatch -----------------------------------------------------------------------

    def handle(self, req: Request) -> Response:
        sandbox: bool | None = None
        try:
            match = PREFIX.match(req.path)
            if not match:
                raise HttpError(404, f"No route for {req.method} {req.path}: the API lives under /api/v2")
            base, rest = match.group(1), match.group(2) or ""
            key = req.headers.get("x-api-key")
            if key is None:
                key = req.headers.get("api-key")   # [doc] the deprecated header still works
            if not key:
                raise HttpError(401, "Missing API key: send it in the x-api-key header")
            scopes = self.keys.get(key)
            if scopes is None:
                raise HttpError(401, "Invalid API key")
            handler, params = self._route(req.method, rest)
            candidates_route = rest == "/candidates" or rest.startswith("/candidates/")
            # [doc] sandbox by prefix or header, honoured on /candidates/** only
            sandbox = candidates_route and (
                base == "sandbox" or (req.headers.get("x-api-sandbox") or "").strip().lower() == "true")
            if req.method != "GET" and "write" not in scopes:
                raise HttpError(403, "This API key may only read")
            if req.method == "GET":
                refused = self.rate_limiter.check(key, self.config["rateLimitPerSecond"],
                                                  self.config["rateLimit500Share"])
                if refused:
                    status, retry_after = refused
                    message = "Too many requests" if status == 429 else "Rate limit exceeded upstream, retry later"
                    raise HttpError(status, message, headers=[("Retry-After", str(retry_after))])
            context = Context(req, "sandbox" if sandbox else "production", bool(sandbox), rest)
            response = handler(context, **params)
            response.environment = context.environment
            return response
        except HttpError as error:
            response = json_response(error.status, error_body(error.status, error.message, req.request_id,
                                                              error.issues, sandbox),
                                     req.request_id, error.headers, error.close)
            return response

    def _route(self, method: str, rest: str) -> tuple[Callable, dict]:
        for pattern, methods in self.routes:
            match = pattern.match(rest)
            if match:
                if method not in methods:
                    allowed = ", ".join(sorted(methods))
                    raise HttpError(405, f"{method} is not allowed here; allowed: {allowed}",
                                    headers=[("Allow", allowed)])
                return methods[method], {k: urllib.parse.unquote(v) for k, v in match.groupdict().items()}
        raise HttpError(404, f"No route for {method} /api/v2{rest}")

    # ---- helpers ------------------------------------------------------------------------

    def ok(self, ctx: Context, message: str, data: Any, status: int = 200, **meta: Any) -> Response:
        body = envelope(status, message, data,
                        {"requestId": ctx.req.request_id, "sandboxEnabled": ctx.sandbox, **meta})
        return json_response(status, body, ctx.req.request_id)

    @staticmethod
    def single(ctx: Context, name: str) -> str | None:
        values = ctx.req.query.get(name)
        if not values:
            return None
        if len(values) > 1:
            raise HttpError(422, "Validation failed",
                            [issue([name], "invalid_type", f"{name} is given more than once")])
        return values[0]

    @staticmethod
    def json_body(ctx: Context) -> Any:
        req = ctx.req
        if not req.body:
            raise HttpError(400, "A JSON request body is required")
        content_type = req.headers.get("Content-Type") or ""
        media, _, parameters = content_type.partition(";")
        media = media.strip().lower()
        if media != "application/json" and not (media.startswith("application/") and media.endswith("+json")):
            raise HttpError(415, f"Content-Type must be application/json, not {content_type or 'absent'}")
        charset = re.search(r"charset\s*=\s*\"?([^\";\s]+)", parameters, re.IGNORECASE)
        if charset and charset.group(1).lower() not in ("utf-8", "utf8"):
            raise HttpError(415, f"JSON bodies are UTF-8, not {charset.group(1)}")
        return parse_json(req.body)

    @staticmethod
    def check(validator: Any, instance: Any, prefix: list | tuple = ()) -> None:
        problems = issues_of(validator, instance, prefix)
        if problems:
            raise HttpError(422, "Validation failed", problems)

    def existing_candidate(self, ctx: Context, candidate_id: str) -> dict:
        record = self.engine.candidate(ctx.environment, candidate_id)
        if record is None:
            raise HttpError(404, f"Candidate {candidate_id} not found")
        return record

    def page_size(self, ctx: Context) -> int:
        raw = self.single(ctx, "pageSize")
        if raw is None:
            return DEFAULT_PAGE_SIZE
        if not re.fullmatch(r"[0-9]{1,4}", raw) or not 1 <= int(raw) <= MAX_PAGE_SIZE:
            raise HttpError(422, "Validation failed",
                            [issue(["pageSize"], "too_big" if raw.isdigit() else "invalid_type",
                                   f"pageSize must be a whole number from 1 to {MAX_PAGE_SIZE}")])
        return int(raw)

    # ---- the Mutation Engine's front door (contract section 7) -------------------------------

    def submit(self, ctx: Context, operation: str, check: Callable[[Any], int] | None,
               target: str | None = None, sub_target: str | None = None, takes_body: bool = True) -> Response:
        """Validates, checks the idempotency key and queues; 202 with the mutation. A repeat of
        an earlier request with the same key answers that request's mutation and queues nothing;
        the same key with another request (method, path, body or callbackUrl) is 409."""
        key = self.single(ctx, "idempotencyKey")        # [assumed] both as query parameters
        callback = self.single(ctx, "callbackUrl")
        problems = []
        if key is not None and not (1 <= len(key) <= 255 and all(0x20 <= ord(c) <= 0x7E for c in key)):
            problems.append(issue(["idempotencyKey"], "invalid_format",
                                  "idempotencyKey must be 1 to 255 printable ASCII characters"))
        if callback is not None:
            problem = callback_url_problem(callback)
            if problem:
                problems.append(issue(["callbackUrl"], "invalid_format", problem))
        if problems:
            raise HttpError(422, "Validation failed", problems)
        body = self.json_body(ctx) if takes_body else None
        fingerprint = json.dumps([ctx.req.method, ctx.route_path, body, callback], sort_keys=True,
                                 ensure_ascii=False, separators=(",", ":"))
        try:
            replay = self.engine.replay_of(ctx.environment, key, fingerprint)
            if replay is not None:
                return self.accepted(ctx, replay, True)
            item_count = check(body) if check else 1
            mutation = Mutation(operation, ctx.environment, ctx.req.method, ctx.route_path, body, target,
                                sub_target, key, callback, item_count, fingerprint, ctx.req.request_id)
            mutation, replayed = self.engine.enqueue(mutation)
        except Conflict:
            raise HttpError(409, "This idempotencyKey was already used for a different request")
        return self.accepted(ctx, mutation, replayed)

    def accepted(self, ctx: Context, mutation: Mutation, replayed: bool) -> Response:
        response = self.ok(ctx, "Mutation queued", mutation.accepted(), status=202)
        if replayed:
            response.headers.append(("Idempotent-Replayed", "true"))
        return response

    # ---- schema ---------------------------------------------------------------------------

    def get_schema(self, ctx: Context) -> Response:
        operation = self.single(ctx, "operation") or "create"
        if operation not in self.schemas:
            raise HttpError(422, "Validation failed",
                            [issue(["operation"], "invalid_value", 'operation must be "create" or "update"',
                                   values=sorted(self.schemas))])
        with self._schema_lock:
            cold = not self._schema_warm
            self._schema_warm = True
        if cold and self.config["schemaFirstCallDelayMs"]:
            time.sleep(self.config["schemaFirstCallDelayMs"] / 1000)   # the first call builds the schema
        schema = self.schemas[operation]
        headers = []
        if self.config["schemaEtag"]:
            headers.append(("ETag", schema.etag))
            wanted = ctx.req.headers.get("If-None-Match")
            if wanted is not None:
                tags = [t.strip().removeprefix("W/") for t in wanted.split(",")]
                if "*" in tags or schema.etag in tags:
                    return Response(304, b"", headers + [("x-request-id", ctx.req.request_id)])
        if self.config["schemaWrapped"]:
            response = self.ok(ctx, "Schema", schema.document)
        else:
            response = json_response(200, schema.raw, ctx.req.request_id)
        response.headers.extend(headers)
        return response

    # ---- candidates -----------------------------------------------------------------------

    def list_candidates(self, ctx: Context) -> Response:
        size = self.page_size(ctx)
        cursor = self.single(ctx, "cursor")
        after = 0
        if cursor:
            try:
                decoded = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("ascii")
                if not decoded.startswith("after:"):
                    raise ValueError(decoded)
                after = int(decoded[len("after:"):])
            except (ValueError, UnicodeDecodeError):
                raise HttpError(400, "Invalid cursor: pass meta.cursor of the previous page as it is")
        page, next_after = self.engine.candidate_page(ctx.environment, after, size)
        next_cursor = None if next_after is None else \
            base64.urlsafe_b64encode(f"after:{next_after}".encode()).decode().rstrip("=")
        return self.ok(ctx, "Candidates", page, cursor=next_cursor, pageSize=size)

    def get_candidate(self, ctx: Context, id: str) -> Response:
        return self.ok(ctx, "Candidate", self.existing_candidate(ctx, id))

    def find_candidates(self, ctx: Context) -> Response:
        email, phone = self.single(ctx, "email"), self.single(ctx, "phone")
        if (email is None) == (phone is None) or (email is not None and not email.strip()) or \
                (phone is not None and not any(c in "0123456789" for c in phone)):
            raise HttpError(422, "Validation failed",
                            [issue([], "custom", "Give exactly one of email or phone (with digits)")])
        return self.ok(ctx, "Candidates", self.engine.find(ctx.environment, email, phone), cursor=None)

    def create_candidates(self, ctx: Context) -> Response:
        def check(body: Any) -> int:
            if not isinstance(body, list):
                raise HttpError(422, "Validation failed", [issue([], "invalid_type",
                                f"Invalid input: expected an array of 1 to {MAX_CREATE_ITEMS} candidates")])
            if not 1 <= len(body) <= MAX_CREATE_ITEMS:
                code = "too_small" if not body else "too_big"
                raise HttpError(422, "Validation failed", [issue([], code,
                                f"Expected 1 to {MAX_CREATE_ITEMS} candidates, got {len(body)}")])
            problems = []
            for index, item in enumerate(body):
                problems += issues_of(self.schemas["create"].validator, item, [index])
            if problems:
                raise HttpError(422, "Validation failed", problems)
            return len(body)
        return self.submit(ctx, "candidate.create", check)

    def upsert_candidate(self, ctx: Context) -> Response:
        def check(body: Any) -> int:
            self.check(self.schemas["create"].validator, body)
            if not isinstance(body.get("email"), str) and not isinstance(body.get("phone"), str):
                raise HttpError(422, "Validation failed",
                                [issue([], "custom", "An upsert needs an email or a phone to match on")])
            return 1
        return self.submit(ctx, "candidate.upsert", check)

    def update_candidate(self, ctx: Context, id: str) -> Response:
        def check(body: Any) -> int:
            self.existing_candidate(ctx, id)
            self.check(self.schemas["update"].validator, body)
            return 1
        return self.submit(ctx, "candidate.update", check, target=id)

    def archive_candidate(self, ctx: Context, id: str) -> Response:
        return self.submit(ctx, "candidate.archive", lambda _: bool(self.existing_candidate(ctx, id)),
                           target=id, takes_body=False)

    def delete_candidate(self, ctx: Context, id: str) -> Response:
        return self.submit(ctx, "candidate.delete", lambda _: bool(self.existing_candidate(ctx, id)),
                           target=id, takes_body=False)

    # ---- interactions ---------------------------------------------------------------------

    def _interactions_validator(self, items: bool) -> Any:
        schema = self.schemas["create"]
        if schema.has("/properties/interactions"):
            return schema.validator_at("/properties/interactions" + ("/items" if items else ""))
        fallback = FALLBACK_INTERACTIONS["items"] if items else FALLBACK_INTERACTIONS
        return jsonschema.Draft202012Validator(fallback, format_checker=validation.FORMATS)

    def list_interactions(self, ctx: Context, id: str) -> Response:
        self.existing_candidate(ctx, id)
        return self.ok(ctx, "Interactions", self.engine.interactions_of(ctx.environment, id), cursor=None)

    def create_interactions(self, ctx: Context, id: str) -> Response:
        def check(body: Any) -> int:
            self.existing_candidate(ctx, id)
            if isinstance(body, list) and not body:
                raise HttpError(422, "Validation failed", [issue([], "too_small", "Expected at least 1 interaction")])
            self.check(self._interactions_validator(items=False), body)
            return len(body)
        return self.submit(ctx, "interaction.create", check, target=id)

    def _existing_interaction(self, ctx: Context, id: str, sub: str) -> dict:
        self.existing_candidate(ctx, id)
        record = self.engine.interaction(ctx.environment, id, sub)
        if record is None:
            raise HttpError(404, f"Interaction {sub} of candidate {id} not found")
        return record

    def update_interaction(self, ctx: Context, id: str, sub: str) -> Response:
        def check(body: Any) -> int:
            record = self._existing_interaction(ctx, id, sub)
            if not isinstance(body, dict) or not body:
                raise HttpError(422, "Validation failed", [issue([], "invalid_type",
                                "Invalid input: expected an object with the fields to change")])
            # The interaction as the patch would leave it must be a valid interaction.
            self.check(self._interactions_validator(items=True), patched(record, body))
            return 1
        return self.submit(ctx, "interaction.update", check, target=id, sub_target=sub)

    def delete_interaction(self, ctx: Context, id: str, sub: str) -> Response:
        return self.submit(ctx, "interaction.delete", lambda _: bool(self._existing_interaction(ctx, id, sub)),
                           target=id, sub_target=sub, takes_body=False)

    # ---- attachments (append-only [doc]) -----------------------------------------------------

    def add_attachments(self, ctx: Context, id: str) -> Response:
        schema = self.schemas["create"]
        fields = [f for f in ATTACHMENT_FIELDS if schema.has(f"/properties/{f}")]

        def check(body: Any) -> int:
            record = self.existing_candidate(ctx, id)
            if not isinstance(body, dict):
                raise HttpError(422, "Validation failed", [issue([], "invalid_type",
                                'Invalid input: expected {"field": …, "files": [ … ]}')])
            problems = []
            extra = sorted(set(body) - {"field", "files"})
            if extra:
                problems.append(issue([], "unrecognized_keys", f"Unrecognized keys: {', '.join(extra)}", keys=extra))
            if body.get("field") not in fields:
                problems.append(issue(["field"], "invalid_value", f"field must be one of {', '.join(fields)}",
                                      values=fields))
            files = body.get("files")
            if not isinstance(files, list) or not files:
                problems.append(issue(["files"], "too_small" if isinstance(files, list) else "invalid_type",
                                      "files must be an array of at least 1 file"))
            if problems:
                raise HttpError(422, "Validation failed", problems)
            self.check(schema.validator_at(f"/properties/{body['field']}"), files, ["files"])
            limit = schema.resolve(f"/properties/{body['field']}").get("maxItems")
            present = len(record.get(body["field"]) or [])
            if isinstance(limit, int) and present + len(files) > limit:
                raise HttpError(422, "Validation failed", [issue(["files"], "too_big",
                                f"{body['field']} holds at most {limit} files; it has {present}", maximum=limit)])
            return len(files)
        return self.submit(ctx, "attachment.add", check, target=id)

    def delete_attachment(self, ctx: Context, id: str, sub: str) -> Response:
        def check(_: Any) -> int:
            record = self.existing_candidate(ctx, id)
            if not any(item.get("id") == sub for f in ATTACHMENT_FIELDS for item in record.get(f) or []):
                raise HttpError(404, f"Attachment {sub} of candidate {id} not found")
            return 1
        return self.submit(ctx, "attachment.delete", check, target=id, sub_target=sub, takes_body=False)


@dataclass
class Context:
    req: Request
    environment: str
    sandbox: bool
    route_path: str       # the path after /api/v2 or /api/sandbox
