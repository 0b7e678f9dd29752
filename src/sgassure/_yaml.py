"""Safe, located YAML reading and writing (the only module that imports yaml).

YAML is composed with PyYAML's safe loader into nodes, then built into plain
Python values by hand so that every value keeps the place it was written at.
Duplicate mapping keys, merge keys and every tag that is not a plain scalar,
sequence or mapping are refused with located problems: nothing is lost or
silently replaced.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from typing import Any, TypeAlias

import attrs
import yaml

from sgassure.errors import LoadError, Location, Problem

PathElement: TypeAlias = str | int
Path: TypeAlias = tuple[PathElement, ...]

_STANDARD_TAG = "tag:yaml.org,2002:"
_SCALAR_TAGS = frozenset(_STANDARD_TAG + name for name in ("str", "int", "float", "bool", "null", "timestamp"))
_MAP_TAG = _STANDARD_TAG + "map"
_SEQ_TAG = _STANDARD_TAG + "seq"


def format_path(path: Path) -> str:
    """Render a path as ``ratings[2].evidence[0].effective``."""
    out = []
    for element in path:
        if isinstance(element, int):
            out.append(f"[{element}]")
        elif out:
            out.append(f".{element}")
        else:
            out.append(str(element))
    return "".join(out)


@attrs.frozen(kw_only=True)
class Document:
    """A parsed YAML document: its data, and where each value and key was written."""

    source: str
    data: Any
    values: Mapping[Path, Location]
    keys: Mapping[Path, Location]

    def locate(self, path: Path, *, key: bool = False) -> Location:
        """The place of the value at ``path`` (or of its key), else of its nearest parent."""
        table = self.keys if key else self.values
        probe = path
        while probe:
            if probe in table:
                return table[probe]
            if probe in self.values:
                return self.values[probe]
            probe = probe[:-1]
        return self.values.get((), Location(file=self.source, line=1, column=1))

    def problem(self, path: Path, message: str, *, key: bool = False) -> Problem:
        """A problem located at ``path``."""
        return Problem(location=self.locate(path, key=key), path=format_path(path), message=message)


class _Loader(yaml.SafeLoader):
    """The safe loader; object construction is never reached (nodes are built by hand)."""


def _show_tag(tag: str) -> str:
    return "!!" + tag.removeprefix(_STANDARD_TAG) if tag.startswith(_STANDARD_TAG) else tag


def _location(source: str, mark: yaml.Mark | None) -> Location:
    if mark is None:
        return Location(file=source)
    return Location(file=source, line=mark.line + 1, column=mark.column + 1)


class _Builder:
    def __init__(self, source: str) -> None:
        self.source = source
        self.values: dict[Path, Location] = {}
        self.keys: dict[Path, Location] = {}
        self.problems: list[Problem] = []
        self.constructor = yaml.SafeLoader("")

    def fail(self, node: yaml.Node, path: Path, message: str) -> None:
        self.problems.append(
            Problem(location=_location(self.source, node.start_mark), path=format_path(path), message=message)
        )

    def build(self, node: yaml.Node, path: Path) -> Any:
        self.values[path] = _location(self.source, node.start_mark)
        if isinstance(node, yaml.MappingNode):
            if node.tag != _MAP_TAG:
                self.fail(
                    node,
                    path,
                    f"YAML tag {_show_tag(node.tag)!r} is not allowed; only plain values, lists and mappings are read",
                )
                return None
            return self.build_mapping(node, path)
        if isinstance(node, yaml.SequenceNode):
            if node.tag != _SEQ_TAG:
                self.fail(
                    node,
                    path,
                    f"YAML tag {_show_tag(node.tag)!r} is not allowed; only plain values, lists and mappings are read",
                )
                return None
            return [self.build(child, (*path, i)) for i, child in enumerate(node.value)]
        assert isinstance(node, yaml.ScalarNode)
        if node.tag not in _SCALAR_TAGS:
            self.fail(
                node,
                path,
                f"YAML tag {_show_tag(node.tag)!r} is not allowed; only plain values, lists and mappings are read",
            )
            return None
        try:
            return self.constructor.construct_object(node, deep=True)
        except (yaml.YAMLError, ValueError, OverflowError) as exc:
            self.fail(node, path, f"unreadable {node.tag.removeprefix(_STANDARD_TAG)} value {node.value!r} ({exc})")
            return None

    def build_mapping(self, node: yaml.MappingNode, path: Path) -> dict[Any, Any]:
        result: dict[Any, Any] = {}
        first_seen: dict[Any, yaml.Node] = {}
        for key_node, value_node in node.value:
            if key_node.tag == _STANDARD_TAG + "merge":
                self.fail(key_node, path, "YAML merge keys ('<<') are not allowed; write the fields out")
                continue
            key = self.build(key_node, (*path, "<key>"))
            if not isinstance(key, str | int) or isinstance(key, bool):
                self.fail(key_node, path, f"mapping keys must be strings; got {key!r}")
                continue
            child = (*path, key)
            if key in first_seen:
                earlier = first_seen[key].start_mark
                self.fail(
                    key_node,
                    child,
                    f"duplicate key {key!r} (first written at line {earlier.line + 1}, column {earlier.column + 1})",
                )
                continue
            first_seen[key] = key_node
            self.keys[child] = _location(self.source, key_node.start_mark)
            result[key] = self.build(value_node, child)
        self.values.pop((*path, "<key>"), None)
        return result


def parse_document(text: str, *, source: str = "<string>") -> Document:
    """Compose YAML text safely into a located :class:`Document`.

    Raises:
        LoadError: on a syntax error, a refused tag, a merge key or a duplicate key.
    """
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        message = " ".join(part for part in (exc.context, exc.problem) if part)
        raise LoadError(
            [Problem(location=_location(source, mark), path="", message=f"YAML syntax: {message}")]
        ) from None
    except yaml.YAMLError as exc:
        raise LoadError([Problem(location=Location(file=source), path="", message=f"YAML syntax: {exc}")]) from None
    builder = _Builder(source)
    if node is None:
        data: Any = None
        builder.values[()] = Location(file=source, line=1, column=1)
    else:
        data = builder.build(node, ())
    if builder.problems:
        raise LoadError(builder.problems)
    return Document(source=source, data=data, values=builder.values, keys=builder.keys)


class _Dumper(yaml.SafeDumper):
    """Safe dumper that keeps key order and writes multi-line strings as blocks."""


# Characters that YAML treats as line breaks or folds inside quoted scalars: write them escaped.
_BREAKS = frozenset("\r\x85\u2028\u2029")


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style: str | None = None
    if any(ch in _BREAKS for ch in value):
        style = '"'
    elif "\n" in value:
        lines = value.split("\n")
        simple = all(line == line.rstrip() for line in lines) and not value.startswith((" ", "\t"))
        style = "|" if simple else '"'
    return dumper.represent_scalar(_STANDARD_TAG + "str", value, style=style)


_Dumper.add_representer(str, _represent_str)


def dump_yaml(data: Any) -> str:
    """Dump plain data (dicts, lists, scalars, dates) as safe YAML, keeping key order."""
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)


def iter_paths(data: Any, path: Path = ()) -> Iterator[tuple[Path, Any]]:
    """Every (path, value) in plain data, depth first."""
    yield path, data
    if isinstance(data, dict):
        for key, value in data.items():
            yield from iter_paths(value, (*path, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from iter_paths(value, (*path, index))


def is_date(value: object) -> bool:
    """True for a date that is not a datetime."""
    return isinstance(value, dt.date) and not isinstance(value, dt.datetime)
