"""Print docs/API.md: the REST contract as the code implements it, in Markdown.

Rendered from the app's own OpenAPI schema (the one `/openapi.json` serves and
`frontend/openapi.json` keeps), so it cannot drift from the routes: `make openapi` rewrites
it, and a unit test fails when it is stale.
"""

import re
from typing import Any

from app.main import create_app

Schema = dict[str, Any]
METHODS = ("get", "post", "put", "patch", "delete")


def _anchor(name: str) -> str:
    return "schema-" + re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def _cell(text: object) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def type_of(schema: Schema) -> str:
    """A schema as a short type: `string (date-time)`, list of [X](#x), `a` or `b`, ..."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        return f"[{name}](#{_anchor(name)})"
    if "enum" in schema:
        return "one of " + ", ".join(f"`{v}`" for v in schema["enum"])
    if "const" in schema:
        return f"`{schema['const']}`"
    for key in ("anyOf", "oneOf"):
        if key in schema:
            return " or ".join(dict.fromkeys(type_of(s) for s in schema[key]))
    kind = schema.get("type")
    if kind == "array":
        return f"list of {type_of(schema.get('items', {}))}"
    if kind == "object" and isinstance(schema.get("additionalProperties"), dict):
        return f"map of {type_of(schema['additionalProperties'])}"
    if kind == "null":
        return "null"
    if kind is None:
        return "any JSON"
    fmt = schema.get("format")
    return f"{kind} ({fmt})" if fmt else str(kind)


def _limits(schema: Schema) -> str:
    parts = []
    for key, word in (("minLength", "min length"), ("maxLength", "max length"), ("minimum", "min"),
                      ("maximum", "max"), ("exclusiveMinimum", "more than"), ("maxItems", "at most items"),
                      ("default", "default")):
        if key in schema and schema[key] is not None:
            parts.append(f"{word} {schema[key]}")
    for sub in schema.get("anyOf", []):
        parts += [p for p in _limits(sub).split("; ") if p and p not in parts]
    return "; ".join(parts)


def _operation(path: str, method: str, op: Schema) -> list[str]:
    lines = [f"### `{method.upper()} {path}`", ""]
    if op.get("summary"):
        lines += [f"**{op['summary']}.** " + _cell(op.get("description", "")), ""]
    elif op.get("description"):
        lines += [_cell(op["description"]), ""]
    if op.get("deprecated"):
        lines += ["Deprecated.", ""]
    lines += ["Caller: " + ("a bearer token (`Authorization: Bearer <token>`)" if op.get("security")
                           else "anyone, no token"), ""]
    params = op.get("parameters", [])
    if params:
        lines += ["| parameter | in | required | type | meaning |", "|---|---|---|---|---|"]
        for p in params:
            schema = p.get("schema", {})
            meaning = "; ".join(x for x in (_cell(p.get("description") or schema.get("description") or ""),
                                            _limits(schema)) if x)
            lines.append(f"| `{p['name']}` | {p['in']} | {'yes' if p.get('required') else 'no'} | "
                         f"{type_of(schema)} | {meaning} |")
        lines.append("")
    body = op.get("requestBody")
    if body:
        kinds = ", ".join(f"`{k}` {type_of(v.get('schema', {}))}" for k, v in body["content"].items())
        lines += [f"Body ({'required' if body.get('required') else 'optional'}): {kinds}", ""]
    lines += ["| answer | body | when |", "|---|---|---|"]
    for status, answer in sorted(op.get("responses", {}).items()):
        content = answer.get("content", {})
        shown = ", ".join(f"{type_of(v.get('schema', {}))}" + ("" if k == "application/json" else f" (`{k}`)")
                          for k, v in content.items()) or "none"
        lines.append(f"| {status} | {shown} | {_cell(answer.get('description', ''))} |")
    return [*lines, ""]


def _schema(name: str, schema: Schema) -> list[str]:
    lines = [f'<a id="{_anchor(name)}"></a>', f"### {name}", ""]
    if schema.get("description"):
        lines += [_cell(schema["description"]), ""]
    props = schema.get("properties")
    if not props:
        return [*lines, f"Type: {type_of(schema)}", ""]
    required = set(schema.get("required", []))
    lines += ["| field | type | required | meaning |", "|---|---|---|---|"]
    for field, sub in props.items():
        meaning = "; ".join(x for x in (_cell(sub.get("description", "")), _limits(sub)) if x)
        if sub.get("deprecated"):
            meaning = "deprecated. " + meaning
        lines.append(f"| `{field}` | {type_of(sub)} | {'yes' if field in required else 'no'} | {meaning} |")
    if schema.get("additionalProperties") is False:
        lines += ["", "Unknown fields are refused (422)."]
    return [*lines, ""]


def render() -> str:
    spec = create_app().openapi()
    ops = [(path, method, item[method]) for path, item in spec["paths"].items()
           for method in METHODS if method in item]
    out = [
        f"# {spec['info']['title']} {spec['info']['version']}: the REST contract",
        "",
        "<!-- Generated by `make openapi` (backend: `python -m app.api_doc`); do not edit by hand. -->",
        "",
        _cell(spec["info"].get("description", "")),
        "",
        "This page is the contract as the code implements it, rendered from the app's OpenAPI",
        "schema: the running server serves the same schema at `/openapi.json` (Swagger UI at",
        "`/docs`), and the repository keeps it as `frontend/openapi.json`, from which the",
        "console's typed client is generated.",
        "",
        "- **Signing in:** `POST /auth/login` with a username and password answers a bearer token;",
        "  send it as `Authorization: Bearer <token>`. It expires (`expires_in` seconds; the token's",
        "  `exp`). Alert intake also takes a service's integration key.",
        "- **Errors:** every error body is [ErrorBody](#schema-errorbody): `detail` for people,",
        "  `code` for programs, and the facts that code carries (`missing`, `allowed`,",
        "  `current_version`, `field`, `retry_after` in seconds, ...). Branch on `code`, never on",
        "  `detail`. Times and waits are fields, never inside `detail` or a timeline event's text.",
        "- **Times** are ISO 8601 in UTC.",
        "- **Guarded writes** take `If-Match: <version>`; a stale one is 409 `stale_version`.",
        "- **Creating POSTs** take an `Idempotency-Key` header: a retry gets the first answer.",
        "",
        "## Operations",
        "",
    ]
    out += [f"- `{m.upper()} {p}`: {op.get('summary', '')}" for p, m, op in ops] + [""]
    for path, method, op in ops:
        out += _operation(path, method, op)
    out += ["## Schemas", ""]
    for name, schema in sorted(spec.get("components", {}).get("schemas", {}).items()):
        out += _schema(name, schema)
    return "\n".join(out).rstrip() + "\n"


def main() -> None:
    print(render(), end="")


if __name__ == "__main__":
    main()
