"""Injected faults (POST /__sim/faults) and the read rate limit."""
from __future__ import annotations

import collections
import fnmatch
import math
import threading
import time
from typing import Any

ACTIONS = ("status", "drop", "truncate", "none")


class FaultError(ValueError):
    """A fault specification that cannot be used; the message says why."""


class Fault:
    """One rule: the next `count` requests whose method and path match get this treatment.

    - action "status": answer `status` (with `retryAfter`, `body`, `contentType` when given);
    - action "drop": close the connection without answering;
    - action "truncate": announce the full body, send half of it, close the connection (with
      `when` "after" the real answer is cut; before, an answer of `status`, default 502);
    - action "none": only the delay.
    `when` "before" (default) replaces the request: it is never processed. `when` "after"
    processes it first (a mutation is queued) and then spoils the answer: with "drop" the
    client loses the response of a request that took effect; with a delay it is answered after
    the client's timeout. `delayMs` waits before the action (before or after processing).
    """

    FIELDS = {"method", "path", "count", "action", "status", "retryAfter", "delayMs", "when",
              "body", "contentType", "headers"}

    def __init__(self, spec: Any):
        if not isinstance(spec, dict):
            raise FaultError("a fault is a JSON object")
        unknown = sorted(set(spec) - self.FIELDS)
        if unknown:
            raise FaultError(f"unknown fault field(s): {', '.join(unknown)}")
        self.method = _string(spec, "method", "*").upper()
        self.path = _string(spec, "path", "*")
        self.count = _integer(spec, "count", 1, 1, 1_000_000)
        self.status = _integer(spec, "status", None, 100, 599) if "status" in spec else None
        self.action = _string(spec, "action", "status" if self.status is not None else "none")
        if self.action not in ACTIONS:
            raise FaultError(f"action must be one of {', '.join(ACTIONS)}")
        if self.action == "status" and self.status is None:
            raise FaultError('action "status" needs a status')
        self.when = _string(spec, "when", "before")
        if self.when not in ("before", "after"):
            raise FaultError('when must be "before" or "after"')
        self.delay_ms = _integer(spec, "delayMs", 0, 0, 600_000)
        retry_after = spec.get("retryAfter")
        if isinstance(retry_after, bool) or (retry_after is not None and not isinstance(retry_after, (str, int))):
            raise FaultError("retryAfter is a number of seconds or an HTTP date string")
        self.retry_after = None if retry_after is None else str(retry_after)
        body = spec.get("body")
        if body is not None and not isinstance(body, str):
            raise FaultError("body is a string (sent as it is)")
        self.body = body
        self.content_type = _string(spec, "contentType", "application/json")
        headers = spec.get("headers", {})
        if not isinstance(headers, dict) or not all(isinstance(v, str) for v in headers.values()):
            raise FaultError("headers is an object of strings")
        self.headers = headers
        self.used = 0

    def matches(self, method: str, path: str) -> bool:
        return (self.method in ("*", method)) and fnmatch.fnmatchcase(path, self.path)

    def describe(self) -> dict:
        return {"method": self.method, "path": self.path, "remaining": self.count - self.used,
                "used": self.used, "action": self.action, "status": self.status,
                "retryAfter": self.retry_after, "delayMs": self.delay_ms, "when": self.when,
                "body": self.body, "contentType": self.content_type, "headers": self.headers}


def _string(spec: dict, name: str, default: str) -> str:
    value = spec.get(name, default)
    if not isinstance(value, str) or not value:
        raise FaultError(f"{name} is a non-empty string")
    return value


def _integer(spec: dict, name: str, default: int | None, low: int, high: int) -> int:
    value = spec.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise FaultError(f"{name} is an integer from {low} to {high}")
    return value


class Faults:
    """The active rules, used first come first served."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rules: list[Fault] = []

    def add(self, specs: Any) -> list[Fault]:
        rules = [Fault(spec) for spec in (specs if isinstance(specs, list) else [specs])]
        with self._lock:
            self._rules.extend(rules)
        return rules

    def take(self, method: str, path: str) -> Fault | None:
        with self._lock:
            for rule in self._rules:
                if rule.matches(method, path):
                    rule.used += 1
                    if rule.used >= rule.count:
                        self._rules.remove(rule)
                    return rule
        return None

    def describe(self) -> list[dict]:
        with self._lock:
            return [rule.describe() for rule in self._rules]

    def clear(self) -> None:
        with self._lock:
            self._rules.clear()


class RateLimiter:
    """At most `limit` reads per key in any one-second window (0: no limit). A refused read is
    answered 429, or 500 for the configured share of refusals (the service's rate-limit errors
    can come back as either, contract section 9); the share is spread evenly, not drawn at
    random, so tests are repeatable."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._seen: dict[str, collections.deque] = {}
        self._share_credit = 0.0

    def check(self, key: str, limit: int, share_500: float, now: float | None = None) -> tuple[int, int] | None:
        """None when allowed; else (status, retry-after seconds)."""
        if limit <= 0:
            return None
        now = time.monotonic() if now is None else now
        with self._lock:
            seen = self._seen.setdefault(key, collections.deque())
            while seen and seen[0] <= now - 1.0:
                seen.popleft()
            if len(seen) < limit:
                seen.append(now)
                return None
            retry_after = max(1, math.ceil(seen[0] + 1.0 - now))
            self._share_credit += share_500
            if self._share_credit >= 1.0 - 1e-9:
                self._share_credit -= 1.0
                return 500, retry_after
            return 429, retry_after

    def reset(self) -> None:
        with self._lock:
            self._seen.clear()
            self._share_credit = 0.0
