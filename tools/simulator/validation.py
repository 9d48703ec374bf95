"""Payload validation against the region's JSON Schema, reported as Zod-style issues.

The service validates with Zod and publishes the JSON Schema Zod generates from the same
validators (contract section 5), so "valid against the schema" and "accepted by the API" are
the same thing. The simulator validates with the `jsonschema` package and reports each failure
the way the service's 422 body does (contract section 4): `path` (a list of names and indices),
`code`, `message`; plus `keyword` and `instanceLocation`, which name the failing JSON Schema
keyword and the JSON Pointer of the value for clients that compare with their own validator.
"""
from __future__ import annotations

import copy
import datetime
import hashlib
import json
import re
from pathlib import Path
from typing import Any

import jsonschema
from jsonschema import validators
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

SCHEMA_FILES = {"create": "candidate-create.schema.json", "update": "candidate-update.schema.json"}

# Formats are checked the same way on every machine, whatever optional packages jsonschema
# finds: date-time (RFC 3339) and uri (RFC 3986) are implemented here with the standard library.
_DATE_TIME = re.compile(r"^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?"
                        r"([Zz]|[+-](\d{2}):(\d{2}))$", re.ASCII)
_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:(?:[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=]|%[0-9A-Fa-f]{2})*$")

FORMATS = jsonschema.FormatChecker()


@FORMATS.checks("date-time")
def _is_date_time(value: object) -> bool:
    if not isinstance(value, str):
        return True
    match = _DATE_TIME.match(value)
    if not match:
        return False
    year, month, day, hour, minute, second = (int(match.group(i)) for i in range(1, 7))
    try:
        datetime.date(year, month, day)
    except ValueError:
        return False
    if match.group(9) is not None and (int(match.group(9)) > 23 or int(match.group(10)) > 59):
        return False
    return hour <= 23 and minute <= 59 and second <= 60


@FORMATS.checks("uri")
def _is_uri(value: object) -> bool:
    return not isinstance(value, str) or bool(_URI.match(value))


def pointer(path: list) -> str:
    """RFC 6901 JSON Pointer of a path."""
    return "".join("/" + str(part).replace("~", "~0").replace("/", "~1") for part in path)


def _type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def issue(path: list, code: str, message: str, keyword: str | None = None,
          location: list | None = None, **extra: Any) -> dict:
    """One Zod-style issue. `location` is the path of the value the JSON Schema keyword failed
    on when it differs from `path` (a missing member: Zod names the member, JSON Schema the
    object that lacks it)."""
    result = {"path": list(path), "code": code, "message": message}
    result.update(extra)
    if keyword is not None:
        result["keyword"] = keyword
    result["instanceLocation"] = pointer(path if location is None else location)
    return result


def _issue_of(error: jsonschema.ValidationError, path: list) -> dict:
    keyword, value, instance = error.validator, error.validator_value, error.instance
    if keyword == "type":
        expected = value if isinstance(value, str) else " or ".join(value)
        return issue(path, "invalid_type",
                     f"Invalid input: expected {expected}, received {_type_name(instance)}", keyword,
                     expected=value)
    if keyword in ("enum", "const"):
        values = value if keyword == "enum" else [value]
        shown = ", ".join(json.dumps(v, ensure_ascii=False) for v in values[:20])
        return issue(path, "invalid_value", f"Invalid option: expected one of {shown}", keyword,
                     values=values)
    if keyword == "pattern":
        return issue(path, "invalid_format", f"Invalid string: must match pattern {value}", keyword,
                     format="regex", pattern=value)
    if keyword == "format":
        return issue(path, "invalid_format", f"Invalid {value}", keyword, format=value)
    if keyword in ("minLength", "minItems", "minProperties", "minimum", "exclusiveMinimum"):
        return issue(path, "too_small", _bound_message("small", keyword, value), keyword, minimum=value)
    if keyword in ("maxLength", "maxItems", "maxProperties", "maximum", "exclusiveMaximum"):
        return issue(path, "too_big", _bound_message("big", keyword, value), keyword, maximum=value)
    if keyword == "multipleOf":
        return issue(path, "not_multiple_of", f"Invalid number: must be a multiple of {value}", keyword,
                     divisor=value)
    if keyword in ("additionalProperties", "unevaluatedProperties") and isinstance(instance, dict):
        known = set(error.schema.get("properties", {}))
        patterns = [re.compile(p) for p in error.schema.get("patternProperties", {})]
        keys = [k for k in instance if k not in known and not any(p.search(k) for p in patterns)]
        names = ", ".join(json.dumps(k, ensure_ascii=False) for k in keys)
        return issue(path, "unrecognized_keys",
                     f"Unrecognized key{'s' if len(keys) != 1 else ''}: {names}", keyword, keys=keys)
    if keyword in ("anyOf", "oneOf"):
        return issue(path, "invalid_union", "Invalid input", keyword)
    if keyword == "uniqueItems":
        return issue(path, "custom", "Invalid input: items must be unique", keyword)
    return issue(path, "custom", error.message, keyword)


def _bound_message(side: str, keyword: str, bound: Any) -> str:
    what = {"Length": "characters", "Items": "items", "Properties": "properties"}
    for suffix, noun in what.items():
        if keyword.endswith(suffix):
            relation = ">=" if side == "small" else "<="
            return f"Too {side}: expected {relation}{bound} {noun}"
    relation = {"minimum": ">=", "exclusiveMinimum": ">", "maximum": "<=", "exclusiveMaximum": "<"}[keyword]
    return f"Too {side}: expected number to be {relation}{bound}"


def issues_of(validator: Any, instance: Any, prefix: list | tuple = ()) -> list[dict]:
    """Every failure of the instance as an issue, sorted by location and keyword."""
    result = []
    missing_seen = set()
    for error in validator.iter_errors(instance):
        path = list(prefix) + list(error.absolute_path)
        if error.validator == "required":
            # jsonschema reports each missing name separately; Zod puts the name in the path.
            for name in error.validator_value:
                key = (pointer(path), name)
                if isinstance(error.instance, dict) and name not in error.instance and key not in missing_seen:
                    missing_seen.add(key)
                    result.append(issue(path + [name], "invalid_type",
                                        "Invalid input: expected a value, received undefined", "required",
                                        location=path))
            continue
        result.append(_issue_of(error, path))
    result.sort(key=lambda i: (pointer(i["path"]), i.get("keyword") or ""))
    return result


class RegionSchema:
    """One operation's schema as the service publishes it, with its validators."""

    def __init__(self, operation: str, raw: bytes):
        self.operation = operation
        self.raw = raw
        self.document = json.loads(raw)
        if not isinstance(self.document, dict):
            raise ValueError(f"the {operation} schema is not a JSON object")
        self.etag = '"' + hashlib.sha256(raw).hexdigest()[:32] + '"'
        self.uri = f"urn:onderwijsregio-sim:schema:{operation}"
        self._cls = validators.validator_for(self.document, default=jsonschema.Draft202012Validator)
        self._cls.check_schema(self.document)
        resource = Resource.from_contents(self.document, default_specification=DRAFT202012)
        self._registry = Registry().with_resource(self.uri, resource)
        self.validator = self._cls(self.document, registry=self._registry, format_checker=FORMATS)

    def has(self, json_pointer: str) -> bool:
        try:
            self.resolve(json_pointer)
            return True
        except LookupError:
            return False

    def resolve(self, json_pointer: str) -> Any:
        """The subschema at a pointer into the document, following local `$ref`s on the way."""
        node: Any = self.document
        for token in json_pointer.split("/")[1:]:
            node = self._deref(node)
            token = token.replace("~1", "/").replace("~0", "~")
            if isinstance(node, dict) and token in node:
                node = node[token]
            else:
                raise LookupError(json_pointer)
        return self._deref(node)

    def _deref(self, node: Any) -> Any:
        for _ in range(32):
            if isinstance(node, dict) and isinstance(node.get("$ref"), str) and node["$ref"].startswith("#"):
                node = self.resolve(node["$ref"][1:]) if node["$ref"] != "#" else self.document
            else:
                break
        return node

    def validator_at(self, json_pointer: str) -> Any:
        """A validator for the part of the schema at a pointer (for example the items of
        `interactions`), with every `$ref` resolved against the whole document."""
        return self._cls({"$ref": self.uri + "#" + json_pointer}, registry=self._registry,
                         format_checker=FORMATS)

    def apply_defaults(self, instance: Any, json_pointer: str = "") -> Any:
        """A copy of the instance with the schema's `default` values filled in where a property
        is absent, in the instance and in the nested objects it has (Zod does this on parse)."""
        instance = copy.deepcopy(instance)
        self._fill(self.resolve(json_pointer) if json_pointer else self.document, instance, 0)
        return instance

    def _fill(self, schema: Any, instance: Any, depth: int) -> None:
        schema = self._deref(schema)
        if depth > 64 or not isinstance(schema, dict) or not isinstance(instance, dict):
            return
        for name, sub in (schema.get("properties") or {}).items():
            sub = self._deref(sub)
            if not isinstance(sub, dict):
                continue
            if name not in instance and "default" in sub:
                instance[name] = copy.deepcopy(sub["default"])
            elif isinstance(instance.get(name), dict):
                self._fill(sub, instance[name], depth + 1)


def load_schemas(directory: Path) -> dict[str, RegionSchema]:
    return {operation: RegionSchema(operation, (directory / name).read_bytes())
            for operation, name in SCHEMA_FILES.items()}
