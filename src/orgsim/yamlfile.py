"""The one loader of orgsim's YAML files (scenarios, experiments): plain data, bounded, YAML 1.2.

YAML 1.2's core schema decides what a plain scalar is: only ``true``/``false`` are booleans
(``yes``, ``on`` stay text), integers are decimal, ``0o`` octal or ``0x`` hex (``5:00`` is text,
not 300), ``.inf`` and ``.nan`` are floats. Aliases (``*name``) are refused, so a file cannot
expand beyond its size ("billion laughs"). The file's size, the nesting depth and the length of
any one value are bounded, each checked as the parser reaches it, before anything deeper is
built. Every error is one line naming the file (and the line and column) and quoting at most
:data:`QUOTE` characters of the bad value.
"""

from __future__ import annotations

import re
import stat
from collections.abc import Hashable
from pathlib import Path

import yaml

MAX_BYTES = 1024 * 1024  # a file's size
MAX_DEPTH = 32  # nested mappings and lists
MAX_STRING = 10_000  # characters of one scalar (a key or a value)
QUOTE = 80  # characters of a bad value quoted in an error line


class YamlFileError(ValueError):
    """A YAML file that is missing, unreadable, too large or deep, or not well-formed; one line per problem."""


def clip(value: object, limit: int = QUOTE) -> str:
    """``repr(value)``, shortened to about ``limit`` characters with a note of the full length."""
    text = repr(value)
    return text if len(text) <= limit else f"{text[:limit]}... ({len(text)} characters)"


class _Refused(yaml.MarkedYAMLError):
    """A construct this loader does not accept (an alias, too deep, too long, a key given twice)."""


_INT = re.compile(r"[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+")
_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?|[-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN)")


class _Core12Resolver(yaml.resolver.BaseResolver):
    """Tags of plain scalars by the YAML 1.2 core schema (not YAML 1.1's base 60, yes/no, 0-octal)."""


for _tag, _pattern, _first in [
    ("bool", r"true|True|TRUE|false|False|FALSE", "tTfF"),
    ("int", _INT.pattern, "-+0123456789"),
    ("float", _FLOAT.pattern, "-+0123456789."),
    ("null", r"~|null|Null|NULL|", ["~", "n", "N", ""]),
]:
    _Core12Resolver.add_implicit_resolver(f"tag:yaml.org,2002:{_tag}", re.compile(f"^(?:{_pattern})$"), list(_first))


class _Loader(yaml.reader.Reader, yaml.scanner.Scanner, yaml.parser.Parser, yaml.composer.Composer,
              yaml.constructor.SafeConstructor, _Core12Resolver):
    """A safe (plain data only) loader with the core schema, no aliases, bounds, and no duplicate keys."""

    def __init__(self, stream: str) -> None:
        yaml.reader.Reader.__init__(self, stream)
        yaml.scanner.Scanner.__init__(self)
        yaml.parser.Parser.__init__(self)
        yaml.composer.Composer.__init__(self)
        yaml.constructor.SafeConstructor.__init__(self)
        _Core12Resolver.__init__(self)
        self.depth = 0

    def compose_node(self, parent, index):
        """A node, refused if it is an alias, nested too deep, or a scalar too long."""
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent):
            raise _Refused(problem=f"alias *{event.anchor[:QUOTE]}: aliases are not accepted; write the value out",
                           problem_mark=event.start_mark)
        if isinstance(event, yaml.ScalarEvent) and len(event.value) > MAX_STRING:
            raise _Refused(problem=f"a value of {len(event.value)} characters, {clip(event.value)}; at most "
                                   f"{MAX_STRING} are accepted", problem_mark=event.start_mark)
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise _Refused(problem=f"nested more than {MAX_DEPTH} levels deep", problem_mark=event.start_mark)
        try:
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict:
        """A mapping, after checking that no key appears twice."""
        first_line = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if not isinstance(key, Hashable):  # the safe constructor rejects it below, with its line
                continue
            if key in first_line:
                raise _Refused(problem=f"duplicate key {clip(key)} (first given on line {first_line[key]})",
                               problem_mark=key_node.start_mark)
            first_line[key] = key_node.start_mark.line + 1
        return super().construct_mapping(node, deep)

    def construct_yaml_int(self, node: yaml.ScalarNode) -> int:
        """A decimal, ``0o`` octal or ``0x`` hex integer (YAML 1.2)."""
        text = self.construct_scalar(node)
        base = {"0o": 8, "0x": 16}.get(text[:2], 10)
        digits = text[2:] if base != 10 else text
        if len(digits.lstrip("+-0")) > 30:  # beyond any count or seed orgsim takes; Python stops at 4300 digits
            raise _Refused(problem=f"the number {clip(text)} is too large", problem_mark=node.start_mark)
        return int(digits, base)

    def construct_yaml_float(self, node: yaml.ScalarNode) -> float:
        """A float, ``.inf`` or ``.nan`` (YAML 1.2)."""
        text = self.construct_scalar(node).lower()
        if text.lstrip("+-") == ".inf":
            return float(text.replace(".inf", "inf"))
        return float("nan") if text == ".nan" else float(text)


_Loader.add_constructor("tag:yaml.org,2002:int", _Loader.construct_yaml_int)
_Loader.add_constructor("tag:yaml.org,2002:float", _Loader.construct_yaml_float)


def read_bytes(path: Path) -> bytes:
    """The bytes of a regular file of at most :data:`MAX_BYTES`; :class:`YamlFileError` otherwise."""
    try:
        info = path.stat()
    except FileNotFoundError:
        raise YamlFileError(f"{path}: file not found") from None
    except (OSError, RuntimeError, ValueError) as exc:  # a link loop, a name too long or not encodable, no permission
        raise YamlFileError(f"{path}: cannot be read ({getattr(exc, 'strerror', None) or exc})") from None
    if stat.S_ISDIR(info.st_mode):
        example = next(iter(sorted(path.glob("*.yaml"))), None)
        raise YamlFileError(f"{path}: a folder; expected a YAML file" + (f", such as {example}" if example else ""))
    if not stat.S_ISREG(info.st_mode):
        raise YamlFileError(f"{path}: not a regular file (a device, pipe or socket); expected a YAML file")
    if info.st_size > MAX_BYTES:
        raise YamlFileError(f"{path}: {info.st_size} bytes; a YAML file of at most {MAX_BYTES} bytes is accepted")
    try:
        with path.open("rb") as file:
            return file.read(MAX_BYTES + 1)[:MAX_BYTES]
    except OSError as exc:
        raise YamlFileError(f"{path}: cannot be read ({exc.strerror or exc})") from None


def load(text: str, source: str) -> object:
    """Parse YAML ``text`` with the bounded 1.2 loader; errors name ``source``."""
    if len(text) > MAX_BYTES:
        raise YamlFileError(f"{source}: {len(text)} characters; at most {MAX_BYTES} are accepted")
    loader = None
    try:
        loader = _Loader(text)  # reads the text: refuses a character YAML does not allow
        return loader.get_single_data()
    except yaml.reader.ReaderError as exc:
        line = text[:exc.position].count("\n") + 1
        raise YamlFileError(f"{source} (line {line}): character {chr(exc.character)!r} is not allowed in YAML "
                            "(a control character); remove it") from None
    except _Refused as exc:
        raise YamlFileError(f"{source}{_where(exc.problem_mark)}: {exc.problem}") from None
    except yaml.YAMLError as exc:
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise YamlFileError(f"{source}{_where(getattr(exc, 'problem_mark', None))}: YAML syntax error: "
                            f"{problem[:200]}") from None
    except (ValueError, RecursionError) as exc:  # a scalar its constructor refuses, a stack exhausted elsewhere
        raise YamlFileError(f"{source}: not accepted: {clip(str(exc), 200)}") from None
    finally:
        if loader is not None:
            loader.dispose()


def _where(mark: yaml.Mark | None) -> str:
    return f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""


def read_mapping(path: Path) -> dict:
    """Load one YAML file whose top level is a mapping; :class:`YamlFileError` with one line per problem."""
    raw = read_bytes(path)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        raise YamlFileError(f"{path} (line {line}): not UTF-8 text (byte 0x{raw[exc.start]:02x}); "
                            "save the file as UTF-8") from None
    data = load(text, str(path))
    if data is None:
        raise YamlFileError(f"{path}: the file is empty; expected a mapping of sections (see scenarios/)")
    if not isinstance(data, dict):
        raise YamlFileError(f"{path}: expected a mapping of sections at the top level, got {type(data).__name__}")
    return data
