#!/usr/bin/python3
"""check_openapi.py - api/openapi.yaml against the code, and a validator of
JSON documents against its schemas. Standard library only.

    check_openapi.py                      run the checks; the last line is
                                          "check_openapi: P passed, F failed",
                                          exit 1 on any failure
    check_openapi.py --validate NAME < x.json
                                          validate x.json against
                                          components/schemas/NAME; exit 0 when
                                          valid, else 1 with the JSON pointer
                                          of the first mismatch on stderr

From Python: `from check_openapi import validate; validate(obj, "Job")`
returns None when obj is valid, else "pointer: what is wrong".

The checks: (1) the document is structurally OpenAPI 3.1; (2) its
(method, path) pairs equal the routing table of src/service/routes.c, and
the table's flags agree with it (public routes have `security: []`, JSON and
CSV bodies); (3) every $ref resolves; (4) schemas use only the keywords
validate() implements; (5) every `default` is valid for its schema and
api/examples/*.json are valid JobSpecs; (6) the defaults, types and bounds of
the spec fields equal the tables of src/service/catalog.c; (7) when PyYAML
happens to be importable, it reads the file to the same value as the strict
reader below.

The YAML reader handles only the subset described at the top of
api/openapi.yaml, and rejects anything else with the line number.
"""
import json
import math
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SPEC_PATH = os.path.join(ROOT, "api", "openapi.yaml")
ROUTES_PATH = os.path.join(ROOT, "src", "service", "routes.c")
CATALOG_PATH = os.path.join(ROOT, "src", "service", "catalog.c")
EXAMPLES_DIR = os.path.join(ROOT, "api", "examples")


# ---------------------------------------------------------------- YAML subset

class YamlError(Exception):
    pass


_INT = re.compile(r"-?(0|[1-9][0-9]*)$")
_FLOAT = re.compile(r"-?(0|[1-9][0-9]*)\.[0-9]+([eE][-+][0-9]+)?$")
_NUMERIC_LOOKING = re.compile(r"[-+]?[0-9.][0-9._]*([eE][-+]?[0-9]+)?$")
_YAML11_WORDS = {"yes", "no", "on", "off", "~", "true", "false", "null"}


def _plain(text, ln):
    """A plain scalar: null, true, false, int, float with a dot, or text."""
    if text in ("null", "true", "false"):
        return {"null": None, "true": True, "false": False}[text]
    if _INT.match(text):
        return int(text)
    if _FLOAT.match(text):
        return float(text)
    if _NUMERIC_LOOKING.match(text) or text.lower() in _YAML11_WORDS or text.startswith("."):
        raise YamlError("line %d: ambiguous plain scalar %r; quote it (or write a "
                        "decimal as 1.0e-7)" % (ln, text))
    if text[0] in "#&*!|>%@`{}[]'\",?" or text.startswith("- ") or text == "-":
        raise YamlError("line %d: plain scalar %r starts with an indicator" % (ln, text))
    if ": " in text or text.endswith(":") or " #" in text:
        raise YamlError("line %d: plain scalar %r contains ': ' or ' #'; quote it" % (ln, text))
    return text


def _quoted(text, ln):
    """A whole 'single' or "double" quoted scalar; returns (value, rest)."""
    q = text[0]
    i, out = 1, []
    while i < len(text):
        c = text[i]
        if q == "'" and c == "'":
            if text[i + 1:i + 2] == "'":
                out.append("'")
                i += 2
                continue
            return "".join(out), text[i + 1:]
        if q == '"' and c == "\\":
            return _double(text, ln)
        if q == '"' and c == '"':
            return "".join(out), text[i + 1:]
        out.append(c)
        i += 1
    raise YamlError("line %d: unterminated quote" % ln)


def _double(text, ln):
    dec = json.JSONDecoder()
    try:
        val, end = dec.raw_decode(text)
    except ValueError:
        raise YamlError("line %d: bad double-quoted string" % ln)
    return val, text[end:]


def _scalar(text, ln):
    if text[0] in "'\"":
        val, rest = _quoted(text, ln)
        if rest.strip():
            raise YamlError("line %d: text after a quoted scalar" % ln)
        return val
    if text[0] == "[":
        return _flow_list(text, ln)
    return _plain(text, ln)


def _flow_list(text, ln):
    if not text.endswith("]"):
        raise YamlError("line %d: a flow list must end the line with ]" % ln)
    body, items = text[1:-1].strip(), []
    while body:
        if body[0] in "'\"":
            val, body = _quoted(body, ln)
            body = body.strip()
        else:
            m = re.match(r"([^,\[\]{}'\"]*)", body)
            raw = m.group(1).strip()
            if not raw:
                raise YamlError("line %d: empty or nested item in a flow list" % ln)
            val, body = _plain(raw, ln), body[m.end():].strip()
        items.append(val)
        if body.startswith(","):
            body = body[1:].strip()
            if not body:
                raise YamlError("line %d: trailing comma in a flow list" % ln)
        elif body:
            raise YamlError("line %d: expected ',' in a flow list" % ln)
    return items


def _split_key(text, ln):
    """'key: rest' -> (key, rest) or None when text is not a mapping entry."""
    if text[0] in "'\"":
        key, rest = _quoted(text, ln)
        if rest == ":" or rest.startswith(": "):
            return key, rest[1:].strip()
        return None
    m = re.match(r"([^\s'\"#\[\]{},&*!|>%@`][^:#]*?|[^:#]*?):( |$)", text)
    if not m or text.startswith("- "):
        return None
    key = m.group(1)
    if _NUMERIC_LOOKING.match(key) or key.lower() in _YAML11_WORDS:
        raise YamlError("line %d: key %r must be quoted" % (ln, key))
    return key, text[m.end():].strip()


class _Tok:
    __slots__ = ("ln", "indent", "text", "block")

    def __init__(self, ln, indent, text, block=None):
        self.ln, self.indent, self.text, self.block = ln, indent, text, block


def _tokens(src):
    raw = src.split("\n")
    toks, i = [], 0
    while i < len(raw):
        line, ln = raw[i], i + 1
        i += 1
        lead = line[:len(line) - len(line.lstrip(" \t"))]
        if "\t" in lead:
            raise YamlError("line %d: tab in indentation" % ln)
        body = line.strip()
        if not body or body.startswith("#"):
            continue
        if body in ("---", "...") or body.startswith("%"):
            raise YamlError("line %d: one document, no directives" % ln)
        indent = len(line) - len(line.lstrip(" "))
        tok = _Tok(ln, indent, line.rstrip()[indent:])
        m = re.search(r":\s+([|>])(-?)$", tok.text)
        if m:
            tok.text = tok.text[:m.start() + 1]
            lines = []
            while i < len(raw) and (not raw[i].strip() or
                                    len(raw[i]) - len(raw[i].lstrip(" ")) > indent):
                lines.append(raw[i])
                i += 1
            while lines and not lines[-1].strip():
                lines.pop()
            if not lines:
                raise YamlError("line %d: empty block scalar" % ln)
            bind = len(lines[0]) - len(lines[0].lstrip(" "))
            body_lines = []
            for k, bl in enumerate(lines):
                if bl.strip() and len(bl) - len(bl.lstrip(" ")) < bind:
                    raise YamlError("line %d: block scalar less indented than its first line"
                                    % (ln + 1 + k))
                body_lines.append(bl[bind:] if bl.strip() else "")
            if m.group(1) == "|":
                val = "\n".join(body_lines)
            else:
                paras, cur = [], []
                for k, bl in enumerate(body_lines):
                    if bl.startswith(" "):
                        raise YamlError("line %d: more-indented line in a > block" % (ln + 1 + k))
                    if bl:
                        cur.append(bl)
                    else:
                        paras.append(" ".join(cur))
                        cur = []
                paras.append(" ".join(cur))
                val = "\n".join(paras)
            tok.block = val if m.group(2) == "-" else val + "\n"
        toks.append(tok)
    return toks


class _Parser:
    def __init__(self, toks):
        self.toks, self.pos = toks, 0

    def block(self, indent):
        tok = self.toks[self.pos]
        if tok.indent < indent:
            raise YamlError("line %d: expected a block indented more" % tok.ln)
        if tok.text == "-" or tok.text.startswith("- "):
            return self.seq(tok.indent)
        return self.mapping(tok.indent)

    def _value(self, tok, rest, indent):
        """The value after 'key:' (rest) or after '- ' in a token."""
        if tok.block is not None:
            return tok.block
        if rest:
            return _scalar(rest, tok.ln)
        if self.pos < len(self.toks) and self.toks[self.pos].indent > indent:
            return self.block(indent + 1)
        raise YamlError("line %d: empty value (write null or '')" % tok.ln)

    def mapping(self, indent):
        out = {}
        while self.pos < len(self.toks):
            tok = self.toks[self.pos]
            if tok.indent < indent:
                break
            if tok.indent > indent:
                raise YamlError("line %d: unexpected indentation" % tok.ln)
            if tok.text.startswith("- ") or tok.text == "-":
                break
            kv = _split_key(tok.text, tok.ln)
            if kv is None:
                raise YamlError("line %d: expected 'key: value'" % tok.ln)
            key, rest = kv
            if key in out:
                raise YamlError("line %d: duplicate key %r" % (tok.ln, key))
            self.pos += 1
            out[key] = self._value(tok, rest, indent)
        return out

    def seq(self, indent):
        out = []
        while self.pos < len(self.toks):
            tok = self.toks[self.pos]
            if tok.indent < indent:
                break
            if tok.indent > indent:
                raise YamlError("line %d: unexpected indentation" % tok.ln)
            if not (tok.text.startswith("- ") or tok.text == "-"):
                break
            rest = tok.text[1:].strip()
            if rest and rest[0] not in "[" and _split_key(rest, tok.ln) is not None:
                # "- key: value": a mapping whose keys sit at indent + 2
                self.toks[self.pos] = _Tok(tok.ln, indent + 2, rest, tok.block)
                out.append(self.mapping(indent + 2))
                continue
            self.pos += 1
            out.append(self._value(tok, rest, indent))
        return out


def parse_yaml(src):
    """The value of src (the subset of YAML described above)."""
    toks = _tokens(src)
    if not toks:
        raise YamlError("empty document")
    p = _Parser(toks)
    val = p.block(0)
    if p.pos != len(toks):
        raise YamlError("line %d: unexpected text" % toks[p.pos].ln)
    return val


# ---------------------------------------------------------------- validator

_DOC = None


def load_doc():
    global _DOC
    if _DOC is None:
        with open(SPEC_PATH, encoding="utf-8") as f:
            _DOC = parse_yaml(f.read())
    return _DOC


def resolve_ref(doc, ref):
    """The value a local $ref ('#/a/b') points at; KeyError when it does not."""
    if not ref.startswith("#"):
        raise KeyError("not a local reference: " + ref)
    node = doc
    for part in ref[1:].split("/")[1:] if ref != "#" else []:
        part = part.replace("~1", "/").replace("~0", "~")
        if isinstance(node, list):
            node = node[int(part)]
        elif isinstance(node, dict) and part in node:
            node = node[part]
        else:
            raise KeyError(ref)
    return node


# keywords validate() implements; the annotations it ignores
ASSERTIONS = {
    "$ref", "type", "enum", "const", "properties", "required", "additionalProperties",
    "propertyNames", "minProperties", "maxProperties", "items", "minItems", "maxItems",
    "uniqueItems", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum",
    "minLength", "maxLength", "pattern", "oneOf", "anyOf", "allOf", "not",
}
ANNOTATIONS = {"description", "default", "title", "format", "examples", "example",
               "deprecated", "readOnly", "writeOnly"}


def _ptr(path):
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in path)


def _is_type(x, t):
    if t == "null":
        return x is None
    if t == "boolean":
        return isinstance(x, bool)
    if t == "object":
        return isinstance(x, dict)
    if t == "array":
        return isinstance(x, list)
    if t == "string":
        return isinstance(x, str)
    if isinstance(x, bool) or not isinstance(x, (int, float)):
        return False
    if t == "number":
        return True
    if t == "integer":
        return isinstance(x, int) or (math.isfinite(x) and x == math.floor(x))
    raise ValueError("unknown type " + t)


def _same(a, b):
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    return json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True) or (
        isinstance(a, (int, float)) and isinstance(b, (int, float)) and a == b)


def _closest(errs, word):
    """The error of the alternative that got furthest: the deepest, and of
    equal depth one that did not fail on a type, const or enum (which says
    the alternative was the wrong one, not that the value is wrong in it)."""
    def rank(e):
        wrong_branch = e[1].startswith(("expected ", "matches none")) or " is not one of " in e[1]
        return len(e[0]), not wrong_branch
    best = max(errs, key=rank)
    if best[1].startswith("matches none of"):
        return best
    return best[0], "matches none of %s; closest: %s" % (word, best[1])


def _check(x, s, path, doc):
    """None, or (path list, message) of the first mismatch of x with s."""
    if s is True or s == {}:
        return None
    if s is False:
        return path, "no value is allowed here"
    if "$ref" in s:
        e = _check(x, resolve_ref(doc, s["$ref"]), path, doc)
        if e:
            return e
    if "type" in s:
        types = s["type"] if isinstance(s["type"], list) else [s["type"]]
        if not any(_is_type(x, t) for t in types):
            return path, "expected %s, got %s" % (" or ".join(types), json.dumps(x)[:60])
    if "enum" in s and not any(_same(x, v) for v in s["enum"]):
        return path, "%s is not one of %s" % (json.dumps(x)[:60], json.dumps(s["enum"]))
    if "const" in s and not _same(x, s["const"]):
        return path, "expected %s" % json.dumps(s["const"])
    if _is_type(x, "number"):
        if "minimum" in s and not x >= s["minimum"]:
            return path, "%r is below the minimum %r" % (x, s["minimum"])
        if "maximum" in s and not x <= s["maximum"]:
            return path, "%r is above the maximum %r" % (x, s["maximum"])
        if "exclusiveMinimum" in s and not x > s["exclusiveMinimum"]:
            return path, "%r must be > %r" % (x, s["exclusiveMinimum"])
        if "exclusiveMaximum" in s and not x < s["exclusiveMaximum"]:
            return path, "%r must be < %r" % (x, s["exclusiveMaximum"])
    if isinstance(x, str):
        if "minLength" in s and len(x) < s["minLength"]:
            return path, "shorter than %d characters" % s["minLength"]
        if "maxLength" in s and len(x) > s["maxLength"]:
            return path, "longer than %d characters" % s["maxLength"]
        if "pattern" in s and not re.search(s["pattern"], x):
            return path, "%r does not match %s" % (x[:60], s["pattern"])
    if isinstance(x, list):
        if "minItems" in s and len(x) < s["minItems"]:
            return path, "fewer than %d items" % s["minItems"]
        if "maxItems" in s and len(x) > s["maxItems"]:
            return path, "more than %d items" % s["maxItems"]
        if s.get("uniqueItems"):
            seen = set()
            for i, v in enumerate(x):
                k = json.dumps(v, sort_keys=True)
                if k in seen:
                    return path + [i], "duplicate item"
                seen.add(k)
        if "items" in s:
            for i, v in enumerate(x):
                e = _check(v, s["items"], path + [i], doc)
                if e:
                    return e
    if isinstance(x, dict):
        for k in s.get("required", []):
            if k not in x:
                return path + [k], "required member missing"
        if "minProperties" in s and len(x) < s["minProperties"]:
            return path, "fewer than %d members" % s["minProperties"]
        if "maxProperties" in s and len(x) > s["maxProperties"]:
            return path, "more than %d members" % s["maxProperties"]
        props = s.get("properties", {})
        for k, v in x.items():
            if "propertyNames" in s:
                e = _check(k, s["propertyNames"], path + [k], doc)
                if e:
                    return e[0], "member name: " + e[1]
            if k in props:
                e = _check(v, props[k], path + [k], doc)
            elif "additionalProperties" in s:
                if s["additionalProperties"] is False:
                    return path + [k], "unknown member"
                e = _check(v, s["additionalProperties"], path + [k], doc)
            else:
                e = None
            if e:
                return e
    for sub in s.get("allOf", []):
        e = _check(x, sub, path, doc)
        if e:
            return e
    if "anyOf" in s:
        errs = [_check(x, sub, path, doc) for sub in s["anyOf"]]
        if all(errs):
            return _closest(errs, "anyOf")
    if "oneOf" in s:
        errs = [_check(x, sub, path, doc) for sub in s["oneOf"]]
        ok = [i for i, e in enumerate(errs) if e is None]
        if not ok:
            return _closest(errs, "oneOf")
        if len(ok) > 1:
            return path, "matches more than one of oneOf (alternatives %s)" % ok
    if "not" in s and _check(x, s["not"], path, doc) is None:
        return path, "must not match the 'not' schema"
    return None


def validate_schema(instance, schema, doc=None):
    """None when instance is valid against schema (a dict), else 'ptr: msg'."""
    doc = doc if doc is not None else load_doc()
    e = _check(instance, schema, [], doc)
    return None if e is None else "%s: %s" % (_ptr(e[0]) or "(root)", e[1])


def validate(instance, schema_name, doc=None):
    """None when instance is valid against components/schemas/<schema_name>,
    else 'pointer: what is wrong' for the first mismatch."""
    doc = doc if doc is not None else load_doc()
    schemas = doc.get("components", {}).get("schemas", {})
    if schema_name not in schemas:
        raise KeyError("no schema %r in api/openapi.yaml" % schema_name)
    return validate_schema(instance, {"$ref": "#/components/schemas/" + schema_name}, doc)


# ---------------------------------------------------------------- checks

METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")
REQUIRED_SCHEMAS = ("Dataset", "DatasetList", "DatasetData", "DatasetCreate", "JobSpec", "Job",
                    "JobList", "History", "PredictRequest", "PredictResponse",
                    "EvaluateRequest", "EvaluateResponse", "EvaluateGridResponse", "Catalog",
                    "Problem", "Health")
# error responses that are not problem documents, with the reason
NOT_PROBLEM = {("get", "/readyz", "503"): "readyz answers a Health document"}


class Checks:
    def __init__(self):
        self.passed = self.failed = 0

    def ok(self, name, errors):
        """One check: passes when errors (a list of strings) is empty."""
        if errors:
            self.failed += 1
            print("FAIL %s" % name)
            for e in errors[:40]:
                print("    " + e)
            if len(errors) > 40:
                print("    ... and %d more" % (len(errors) - 40))
        else:
            self.passed += 1
            print("ok   %s" % name)


def _walk(node, path=()):
    """Yields (path, dict) for every mapping in node."""
    if isinstance(node, dict):
        yield path, node
        for k, v in node.items():
            yield from _walk(v, path + (k,))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _walk(v, path + (i,))


def _deref(doc, node):
    while isinstance(node, dict) and "$ref" in node:
        node = resolve_ref(doc, node["$ref"])
    return node


def operations(doc):
    """(method, path, operation, path item) for every operation."""
    for path, item in doc.get("paths", {}).items():
        for m in METHODS:
            if isinstance(item, dict) and m in item:
                yield m, path, item[m], item


def check_structure(doc):
    errs = []
    if not re.match(r"3\.1\.\d+$", str(doc.get("openapi", ""))):
        errs.append("openapi must be 3.1.x, is %r" % doc.get("openapi"))
    info = doc.get("info")
    if not isinstance(info, dict) or not isinstance(info.get("title"), str) or \
            not isinstance(info.get("version"), str):
        errs.append("info needs title and version strings")
    if not isinstance(doc.get("paths"), dict) or not doc["paths"]:
        errs.append("paths must be a non-empty mapping")
    comps = doc.get("components")
    if not isinstance(comps, dict) or not isinstance(comps.get("schemas"), dict):
        errs.append("components.schemas must be a mapping")
        return errs
    for name in REQUIRED_SCHEMAS:
        if name not in comps["schemas"]:
            errs.append("components.schemas.%s is missing" % name)
    schemes = comps.get("securitySchemes", {})
    for req in doc.get("security", []):
        for k in req:
            if k not in schemes:
                errs.append("security names an unknown scheme %r" % k)
    op_ids = set()
    for path, item in doc.get("paths", {}).items():
        if not path.startswith("/"):
            errs.append("path %r must start with /" % path)
        for k in item:
            if k not in METHODS and k not in ("parameters", "summary", "description"):
                errs.append("%s: unexpected member %r" % (path, k))
    for m, path, op, item in operations(doc):
        where = "%s %s" % (m.upper(), path)
        oid = op.get("operationId")
        if not oid or oid in op_ids:
            errs.append("%s: operationId missing or repeated" % where)
        op_ids.add(oid)
        params = [_deref(doc, p) for p in item.get("parameters", []) + op.get("parameters", [])]
        for p in params:
            if p.get("in") not in ("path", "query", "header", "cookie") or "name" not in p \
                    or "schema" not in p:
                errs.append("%s: parameter %r needs name, in and schema" % (where, p.get("name")))
        names = {p.get("name") for p in params if p.get("in") == "path"}
        for t in re.findall(r"\{([^}]+)\}", path):
            if t not in names:
                errs.append("%s: path parameter {%s} is not declared" % (where, t))
        for p in params:
            if p.get("in") == "path" and (p.get("name") not in re.findall(r"\{([^}]+)\}", path)
                                          or p.get("required") is not True):
                errs.append("%s: path parameter %r not in the path or not required"
                            % (where, p.get("name")))
        resps = op.get("responses")
        if not isinstance(resps, dict) or not resps:
            errs.append("%s: no responses" % where)
            continue
        for code, r in resps.items():
            if not re.match(r"[1-5][0-9][0-9]$", code):
                errs.append("%s: response code %r is not a quoted 3-digit status" % (where, code))
                continue
            r = _deref(doc, r)
            if not isinstance(r.get("description"), str):
                errs.append("%s %s: response needs a description" % (where, code))
            content = r.get("content", {})
            if code == "204" and content:
                errs.append("%s 204: must have no content" % where)
            if code[0] in "45" and (m, path, code) not in NOT_PROBLEM and \
                    list(content) != ["application/problem+json"]:
                errs.append("%s %s: an error must be application/problem+json only" % (where, code))
            for media, mt in content.items():
                if "schema" not in mt:
                    errs.append("%s %s %s: no schema" % (where, code, media))
            if code[0] == "2" and code != "204" and not content:
                errs.append("%s %s: a success with a body needs content" % (where, code))
        if "security" in op and op["security"] not in ([],):
            errs.append("%s: security may only be overridden with []" % where)
    return errs


ROUTE_RE = re.compile(r'^\s*\{\s*"([A-Z]+)"\s*,\s*"([^"]+)"\s*,\s*(\w+)\s*,\s*([^,]+?)\s*,')


def routes_from_c(path=ROUTES_PATH):
    """[(method, path, flags text)] of the http_routes[] table."""
    with open(path, encoding="utf-8") as f:
        src = f.read()
    m = re.search(r"http_routes\[\]\s*=\s*\{(.*?)\n\};", src, re.S)
    if not m:
        raise ValueError("no http_routes[] table in " + path)
    out = []
    for line in m.group(1).split("\n"):
        r = ROUTE_RE.match(line)
        if r:
            out.append((r.group(1), r.group(2), r.group(4)))
    return out


def check_routes(doc, checks):
    try:
        table = routes_from_c()
    except (OSError, ValueError) as e:
        checks.ok("routes.c readable", [str(e)])
        return
    code = {(m, p) for m, p, _ in table}
    spec = {(m.upper(), p) for m, p, _, _ in operations(doc)}
    errs = ["in routes.c, not in openapi.yaml: %s %s" % r for r in sorted(code - spec)]
    errs += ["in openapi.yaml, not in routes.c: %s %s" % r for r in sorted(spec - code)]
    if len(code) != len(table):
        errs.append("routes.c lists a (method, path) twice")
    checks.ok("routes: openapi.yaml has exactly the %d routes of routes.c" % len(table), errs)
    errs = []
    ops = {(m.upper(), p): op for m, p, op, _ in operations(doc)}
    for m, p, flags in table:
        op = ops.get((m, p))
        if op is None:
            continue
        public = "ROUTE_PUBLIC" in flags
        if public != (op.get("security") == []):
            errs.append("%s %s: %s in routes.c, but security %s in openapi.yaml"
                        % (m, p, "public" if public else "token-protected",
                           "[]" if op.get("security") == [] else "inherited"))
        body = _deref(doc, op.get("requestBody", {})).get("content", {})
        want = set()
        if "ROUTE_BODY_JSON" in flags:
            want.add("application/json")
        if "ROUTE_BODY_CSV" in flags:
            want.add("text/csv")
        if set(body) != want:
            errs.append("%s %s: request media types %s, routes.c takes %s"
                        % (m, p, sorted(body), sorted(want)))
        if want and "415" not in op.get("responses", {}):
            errs.append("%s %s: takes a body but lists no 415" % (m, p))
        if not p.startswith("/v1/") and not public:
            errs.append("%s %s: outside /v1 but not public" % (m, p))
        if p.startswith("/v1/") and "401" not in op.get("responses", {}):
            errs.append("%s %s: a /v1 route without a 401 response" % (m, p))
    checks.ok("routes: public routes, request media types, 401 and 415 agree with the flags", errs)


def check_refs(doc):
    errs, n = [], 0
    for path, node in _walk(doc):
        ref = node.get("$ref")
        if ref is None:
            continue
        n += 1
        where = "/".join(str(p) for p in path)
        if not isinstance(ref, str):
            errs.append("%s: $ref is not a string" % where)
            continue
        try:
            target = resolve_ref(doc, ref)
            if not isinstance(target, dict):
                errs.append("%s: %s does not point at an object" % (where, ref))
        except (KeyError, ValueError, IndexError):
            errs.append("%s: %s does not resolve" % (where, ref))
    if n == 0:
        errs.append("no $ref at all")
    return errs


def _schemas(doc):
    """(where, schema) for every schema object in the document."""
    out = []

    def visit(s, where):
        if not isinstance(s, dict):
            return
        out.append((where, s))
        for k in ("items", "additionalProperties", "propertyNames", "not"):
            if isinstance(s.get(k), dict):
                visit(s[k], where + "/" + k)
        for k, v in s.get("properties", {}).items():
            visit(v, where + "/properties/" + k)
        for k in ("oneOf", "anyOf", "allOf"):
            for i, v in enumerate(s.get(k, [])):
                visit(v, "%s/%s/%d" % (where, k, i))

    for name, s in doc.get("components", {}).get("schemas", {}).items():
        visit(s, "#/components/schemas/" + name)
    for path, node in _walk(doc.get("paths", {})):
        if "schema" in node and isinstance(node["schema"], dict):
            visit(node["schema"], "paths/" + "/".join(str(p) for p in path) + "/schema")
    for kind in ("parameters", "headers"):
        for name, p in doc.get("components", {}).get(kind, {}).items():
            visit(p.get("schema"), "#/components/%s/%s/schema" % (kind, name))
    return out


def check_keywords(doc):
    errs = []
    types = {"null", "boolean", "object", "array", "number", "integer", "string"}
    for where, s in _schemas(doc):
        for k in s:
            if k not in ASSERTIONS and k not in ANNOTATIONS:
                errs.append("%s: keyword %r is not implemented by validate()" % (where, k))
        t = s.get("type")
        for x in (t if isinstance(t, list) else [t] if t is not None else []):
            if x not in types:
                errs.append("%s: unknown type %r" % (where, x))
        if "pattern" in s:
            try:
                re.compile(s["pattern"])
            except re.error as e:
                errs.append("%s: bad pattern: %s" % (where, e))
        if "required" in s and "properties" in s:
            for r in s["required"]:
                if r not in s["properties"] and s.get("additionalProperties") is False:
                    errs.append("%s: required %r is not a property" % (where, r))
    return errs


def check_defaults(doc):
    errs = []
    for where, s in _schemas(doc):
        if "default" in s:
            e = validate_schema(s["default"], {k: v for k, v in s.items() if k != "default"}, doc)
            if e:
                errs.append("%s: default %r is invalid: %s" % (where, s["default"], e))
    return errs


def check_examples(doc, checks):
    try:
        names = sorted(n for n in os.listdir(EXAMPLES_DIR) if n.endswith(".json"))
    except OSError:
        names = []
    for n in names:
        with open(os.path.join(EXAMPLES_DIR, n), encoding="utf-8") as f:
            try:
                e = validate(load_json_strict(f.read()), "JobSpec", doc)
            except ValueError as ex:
                e = "not JSON: %s" % ex
        checks.ok("api/examples/%s is a valid JobSpec" % n, [e] if e else [])


# catalog.c table -> where its fields live in the document
_CAT_CONST = {"INF": math.inf, "-INF": -math.inf, "ROWS_MAX": 1e8, "SEED_MAX": 2.0 ** 53,
              "(double)FIT_MAX_EPOCHS": 1e6}
_KIND_SCHEMAS = {
    "OPTIM_SGD": ["OptimizerSgd"], "OPTIM_ADAM": ["OptimizerAdam"],
    "OPTIM_RMSPROP": ["OptimizerRmsprop"], "OPTIM_ADAGRAD": ["OptimizerAdagrad"],
    "CATALOG_ANY_KIND": ["OptimizerSgd", "OptimizerAdam", "OptimizerRmsprop",
                         "OptimizerAdagrad"],
    "LOSS_HUBER": ["LossHuber"], "GEN_LINEAR": ["GenerateLinear"],
    "GEN_GAUSSIAN": ["GenerateGaussian"],
}
_PLAIN_TABLES = {
    "catalog_train_fields": "#/components/schemas/JobSpec",
    "catalog_early_fields": "#/components/schemas/EarlyStopping",
    "catalog_normal_fields": "#/components/schemas/Initializer/oneOf/2/properties/normal",
    "catalog_uniform_fields": "#/components/schemas/Initializer/oneOf/3/properties/uniform",
}
# fields whose default is not the table's constant (the reader decides)
_NO_DEFAULT = {("#/components/schemas/JobSpec", "shuffle"), ("#/components/schemas/JobSpec", "seed")}
_ROW = re.compile(r'\{\s*(?:(\w+)\s*,\s*\{\s*)?"(\w+)"\s*,\s*(NUM|INT|BOOL|SEED)\s*,\s*([^,]+?)\s*,'
                  r'\s*([^,]+?)\s*,\s*([^,]+?)\s*,\s*([^,]+?)\s*,')


def _cnum(text):
    text = text.strip()
    if text in _CAT_CONST:
        return _CAT_CONST[text]
    return float(text)


def catalog_rows(path=CATALOG_PATH):
    """[(schema location, field name, type, default, min, max, flags)]."""
    with open(path, encoding="utf-8") as f:
        src = f.read()
    rows = []
    for table in ("catalog_optim_fields", "catalog_loss_fields", "catalog_gen_fields",
                  "catalog_train_fields", "catalog_early_fields", "catalog_normal_fields",
                  "catalog_uniform_fields"):
        m = re.search(r"\b%s\[\]\s*=\s*\{(.*?)\n\};" % table, src, re.S)
        if not m:
            raise ValueError("no table %s in %s" % (table, path))
        body = re.sub(r"\s+", " ", m.group(1))
        found = 0
        for r in _ROW.finditer(body):
            kind, name, typ, d, lo, hi, flags = r.groups()
            if table in _PLAIN_TABLES:
                if kind:
                    continue
                where = [_PLAIN_TABLES[table]]
            else:
                if not kind:
                    continue
                where = ["#/components/schemas/" + s for s in _KIND_SCHEMAS[kind]]
            found += 1
            for w in where:
                rows.append((w, name, typ, _cnum(d), _cnum(lo), _cnum(hi), flags))
        if not found:
            raise ValueError("no rows read from %s" % table)
    return rows


def check_catalog(doc):
    errs = []
    try:
        rows = catalog_rows()
    except (OSError, ValueError) as e:
        return [str(e)]
    for where, name, typ, d, lo, hi, flags in rows:
        try:
            obj = _deref(doc, resolve_ref(doc, where))
        except KeyError:
            errs.append("%s does not resolve" % where)
            continue
        s = _deref(doc, obj.get("properties", {}).get(name))
        at = "%s/properties/%s" % (where, name)
        if not isinstance(s, dict):
            errs.append("%s: missing (catalog.c has the field)" % at)
            continue
        nullable = "NULLABLE" in flags
        want = {"NUM": "number", "INT": "integer", "SEED": "integer", "BOOL": "boolean"}[typ]
        want_type = [want, "null"] if nullable else want
        if s.get("type") != want_type:
            errs.append("%s: type %r, catalog.c says %r" % (at, s.get("type"), want_type))
        if (where, name) not in _NO_DEFAULT:
            if nullable and d == 0:
                want_def = None
            elif typ == "BOOL":
                want_def = d != 0
            else:
                want_def = d
            if "default" not in s or not _same(s["default"], want_def) or \
                    isinstance(s["default"], bool) != isinstance(want_def, bool):
                errs.append("%s: default %r, catalog.c says %r" % (at, s.get("default"), want_def))
        if typ == "BOOL":
            continue
        lo_keys = ("exclusiveMinimum", "minimum") if "OPEN_LO" in flags else \
            ("minimum", "exclusiveMinimum")
        hi_keys = ("exclusiveMaximum", "maximum") if "OPEN_HI" in flags else \
            ("maximum", "exclusiveMaximum")
        for (key, wrong), bound in ((lo_keys, lo), (hi_keys, hi)):
            if math.isfinite(bound):
                if key not in s or s[key] != bound:
                    errs.append("%s: %s %r, catalog.c says %r" % (at, key, s.get(key), bound))
            elif key in s:
                errs.append("%s: %s %r, catalog.c has no bound" % (at, key, s[key]))
            if wrong in s:
                errs.append("%s: %s given, catalog.c says %s" % (at, wrong, key))
    return errs


def check_pyyaml(doc, checks):
    try:
        import yaml  # only when it happens to be there; never required
    except ImportError:
        print("skip PyYAML cross-check (PyYAML not installed)")
        return
    with open(SPEC_PATH, encoding="utf-8") as f:
        ref = yaml.safe_load(f)
    checks.ok("PyYAML reads openapi.yaml to the same value as the strict reader",
              [] if ref == doc else ["the two readings differ"])


def run_checks():
    checks = Checks()
    try:
        with open(SPEC_PATH, encoding="utf-8") as f:
            doc = parse_yaml(f.read())
    except (OSError, YamlError) as e:
        checks.ok("api/openapi.yaml parses", [str(e)])
        return checks
    checks.ok("api/openapi.yaml parses (strict YAML subset)", [])
    global _DOC
    _DOC = doc
    checks.ok("structure: OpenAPI 3.1 (openapi, info, paths, components, operations, responses)",
              check_structure(doc))
    check_routes(doc, checks)
    ref_errs = check_refs(doc)
    checks.ok("every $ref resolves", ref_errs)
    if ref_errs:
        return checks
    checks.ok("schemas use only keywords validate() implements", check_keywords(doc))
    checks.ok("every default is valid for its own schema", check_defaults(doc))
    check_examples(doc, checks)
    checks.ok("spec fields: types, defaults and bounds equal src/service/catalog.c",
              check_catalog(doc))
    check_pyyaml(doc, checks)
    return checks


def _no_dups(pairs):
    out = {}
    for k, v in pairs:
        if k in out:
            raise ValueError("duplicate member %r" % k)
        out[k] = v
    return out


def _no_constant(name):
    raise ValueError("%s is not JSON (a non-finite number must be written as null)" % name)


def load_json_strict(text):
    """JSON text as fitd must write it: no NaN/Infinity, no duplicate keys."""
    return json.loads(text, object_pairs_hook=_no_dups, parse_constant=_no_constant)


def main(argv):
    if len(argv) >= 2 and argv[1] == "--validate":
        if len(argv) != 3:
            print("usage: check_openapi.py --validate SchemaName < doc.json", file=sys.stderr)
            return 2
        try:
            instance = load_json_strict(sys.stdin.read())
        except ValueError as e:
            print("check_openapi: the input is not JSON: %s" % e, file=sys.stderr)
            return 1
        try:
            err = validate(instance, argv[2])
        except (KeyError, OSError, YamlError) as e:
            print("check_openapi: %s" % e, file=sys.stderr)
            return 2
        if err:
            print("check_openapi: not a valid %s at %s" % (argv[2], err), file=sys.stderr)
            return 1
        return 0
    if len(argv) != 1:
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    checks = run_checks()
    print("check_openapi: %d passed, %d failed" % (checks.passed, checks.failed))
    return 1 if checks.failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
