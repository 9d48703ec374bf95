#!/usr/bin/env python3
"""Writes older-draft copies of a draft 2020-12 schema, for validators that stop before 2020-12.

    schema_drafts.py SCHEMA OUT_DIR

Writes, in OUT_DIR:
  schema-draft07.json    for fastjsonschema (drafts 04, 06 and 07 only)
  schema-draft04.json    for justinrainbow/json-schema 5.2 (drafts 03 and 04 only; PHP's PCRE)
  schema-drafts.txt      one line per rewrite made, so the report can say what changed

The copies are meant to check the same things as the original. The rewrites:
  both     "$schema" set to the older draft; "$defs" -> "definitions" and every "$ref" to
           "#/$defs/..." -> "#/definitions/...". Keywords with no older equivalent
           ($dynamicRef, prefixItems, unevaluated*, dependentSchemas, ...) make this script fail
           rather than silently drop a check.
  draft-04 "const": X -> "enum": [X]; a numeric "exclusiveMinimum"/"exclusiveMaximum" (draft-06+)
           -> "minimum"/"maximum" plus the draft-04 boolean; in "pattern", ECMA-262's \\uXXXX
           -> PCRE's \\x{XXXX} (justinrainbow hands patterns to preg_match, and PCRE2 rejects \\u);
           "contentEncoding" (an annotation draft-04 does not know) is dropped.
"""
import copy
import json
import os
import re
import sys

UNSUPPORTED = {"$dynamicRef", "$dynamicAnchor", "$recursiveRef", "$recursiveAnchor", "prefixItems",
               "unevaluatedProperties", "unevaluatedItems", "dependentSchemas", "dependentRequired",
               "minContains", "maxContains", "$vocabulary"}
# Keywords whose value is a schema, a list of schemas or a map of schemas (2020-12 applicators).
SCHEMA_MAPS = {"properties", "patternProperties", "$defs", "definitions"}
SCHEMA_LISTS = {"allOf", "anyOf", "oneOf"}
SCHEMA_ONE = {"items", "additionalProperties", "not", "if", "then", "else", "contains", "propertyNames"}


def walk(schema, visit, path=""):
    """Calls visit(node, path) on every subschema, depth first."""
    if not isinstance(schema, dict):
        return
    visit(schema, path)
    for key, value in schema.items():
        if key in SCHEMA_MAPS and isinstance(value, dict):
            for name, sub in value.items():
                walk(sub, visit, "%s/%s/%s" % (path, key, name))
        elif key in SCHEMA_LISTS and isinstance(value, list):
            for i, sub in enumerate(value):
                walk(sub, visit, "%s/%s/%d" % (path, key, i))
        elif key in SCHEMA_ONE:
            walk(value, visit, "%s/%s" % (path, key))


def to_draft07(schema, notes):
    out = copy.deepcopy(schema)
    out["$schema"] = "http://json-schema.org/draft-07/schema#"
    if "$defs" in out:
        out["definitions"] = out.pop("$defs")
        notes.append("$defs -> definitions")
    refs = []

    def visit(node, path):
        bad = UNSUPPORTED & node.keys()
        if bad:
            raise SystemExit("schema_drafts.py: %s uses %s, which draft-07 cannot express" % (path or "/", sorted(bad)))
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/$defs/"):
            node["$ref"] = "#/definitions/" + ref[len("#/$defs/"):]
            refs.append(path)

    walk(out, visit)
    if refs:
        notes.append("%d $ref #/$defs/... -> #/definitions/..." % len(refs))
    return out


def to_draft04(schema07, notes):
    out = copy.deepcopy(schema07)
    out["$schema"] = "http://json-schema.org/draft-04/schema#"
    counts = {}

    def bump(what):
        counts[what] = counts.get(what, 0) + 1

    def visit(node, path):
        if "const" in node:
            node["enum"] = [node.pop("const")]
            bump("const: X -> enum: [X]")
        for exclusive, inclusive in (("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")):
            value = node.get(exclusive)
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                other = node.get(inclusive)
                stricter = (other is None or (value >= other if inclusive == "minimum" else value <= other))
                if stricter:
                    node[inclusive] = value
                    node[exclusive] = True
                else:
                    del node[exclusive]
                bump("%s: N -> %s: N, %s: true" % (exclusive, inclusive, exclusive))
        pattern = node.get("pattern")
        if isinstance(pattern, str) and re.search(r"(?<!\\)(?:\\\\)*\\u[0-9A-Fa-f]{4}", pattern):
            node["pattern"] = re.sub(r"(?<!\\)((?:\\\\)*)\\u([0-9A-Fa-f]{4})", r"\1\\x{\2}", pattern)
            bump("pattern \\uXXXX -> \\x{XXXX} (PCRE)")
        if "contentEncoding" in node:
            del node["contentEncoding"]
            bump("contentEncoding dropped (annotation only)")

    walk(out, visit)
    for what, n in sorted(counts.items()):
        notes.append("%s (%d)" % (what, n))
    return out


def main():
    schema_path, out_dir = sys.argv[1], sys.argv[2]
    with open(schema_path, "rb") as f:
        schema = json.load(f)
    os.makedirs(out_dir, exist_ok=True)
    notes07, notes04 = [], []
    d07 = to_draft07(schema, notes07)
    d04 = to_draft04(d07, notes04)
    for name, doc in (("schema-draft07.json", d07), ("schema-draft04.json", d04)):
        with open(os.path.join(out_dir, name), "w") as f:
            json.dump(doc, f, indent=2, ensure_ascii=False)
            f.write("\n")
    with open(os.path.join(out_dir, "schema-drafts.txt"), "w") as f:
        for note in notes07:
            f.write("draft07\t%s\n" % note)
        for note in notes07 + notes04:
            f.write("draft04\t%s\n" % note)


if __name__ == "__main__":
    main()
