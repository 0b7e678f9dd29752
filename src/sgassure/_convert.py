"""The one strict cattrs converter, and structuring with located problems.

Structuring never coerces: ``title: no`` is a boolean and is refused where a
string is expected, ``2.9`` is refused where an integer is expected, ``~`` is
refused for a required field, and an unknown key is an error with a
did-you-mean hint. Every problem of a document is collected and raised once as
a :class:`~sgassure.errors.LoadError`.
"""

from __future__ import annotations

import datetime as dt
import difflib
import enum
import functools
import types
import typing
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Any, TypeVar

import attrs
import cattrs
from cattrs.errors import AttributeValidationNote, ForbiddenExtraKeysError, IterableValidationNote
from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn, override

from sgassure._yaml import Document, Path, format_path, is_date
from sgassure.errors import LoadError, Problem

T = TypeVar("T")

FILE_VERSION = 1


class _Invalid(ValueError):
    """A value that does not fit its declared type; the message is shown as is."""


def _kind(value: object) -> str:
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return f"a boolean ({'true' if value else 'false'})"
    if isinstance(value, int):
        return f"an integer ({value})"
    if isinstance(value, float):
        return f"a decimal number ({value})"
    if isinstance(value, str):
        return f"a string ({value!r})"
    if isinstance(value, dt.datetime):
        return f"a date and time ({value.isoformat()})"
    if isinstance(value, dt.date):
        return f"a date ({value.isoformat()})"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


def did_you_mean(word: str, choices: Sequence[str]) -> str:
    """A ``; did you mean 'x'?`` hint, or an empty string."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


def one_of(choices: Sequence[str]) -> str:
    """``'a', 'b', 'c'`` for a message."""
    return ", ".join(repr(c) for c in choices)


def _structure_str(value: object, cls: type) -> str:
    if cls is not str and _is_enum(cls):
        # Single dispatch hands StrEnum subclasses to the str hook.
        return _enum_hook(cls)(value, cls)  # type: ignore[return-value]
    if not isinstance(value, str):
        hint = " (quote it if you mean the text)" if isinstance(value, bool | int | float | dt.date) else ""
        raise _Invalid(f"expected a string; got {_kind(value)}{hint}")
    return value


def _structure_int(value: object, _: type) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise _Invalid(f"expected an integer; got {_kind(value)}")
    return value


def _structure_float(value: object, _: type) -> float:
    if not isinstance(value, int | float) or isinstance(value, bool):
        raise _Invalid(f"expected a number; got {_kind(value)}")
    return float(value)


def _structure_bool(value: object, _: type) -> bool:
    if not isinstance(value, bool):
        raise _Invalid(f"expected true or false; got {_kind(value)}")
    return value


def _structure_date(value: object, _: type) -> dt.date:
    if is_date(value):
        assert isinstance(value, dt.date)
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise _Invalid(f"expected a date (YYYY-MM-DD); got {_kind(value)}")


def _structure_decimal(value: object, _: type) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise _Invalid(f"expected a number; got {_kind(value)}")
    try:
        result = Decimal(str(value).strip())
    except InvalidOperation:
        raise _Invalid(f"expected a number; got {_kind(value)}") from None
    if not result.is_finite():
        raise _Invalid(f"expected a finite number; got {_kind(value)}")
    return result


def _structure_fraction(value: object, _: type) -> Fraction:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise _Invalid(f"expected a number or a fraction like '11/60'; got {_kind(value)}")
    try:
        return Fraction(str(value).strip())
    except (ValueError, ZeroDivisionError):
        raise _Invalid(f"expected a number or a fraction like '11/60'; got {_kind(value)}") from None


def _is_enum(cls: Any) -> bool:
    return isinstance(cls, type) and issubclass(cls, enum.Enum)


@functools.cache
def _enum_hook(cls: type[enum.Enum]) -> Callable[[object, type], enum.Enum]:
    values = [str(member.value) for member in cls]

    def structure(value: object, _: type) -> enum.Enum:
        if isinstance(value, str) and value in values:
            return cls(value)
        hint = did_you_mean(value, values) if isinstance(value, str) else ""
        got = repr(value) if isinstance(value, str) else _kind(value)
        raise _Invalid(f"expected one of {one_of(values)}; got {got}{hint}")

    return structure


def _is_tuple(cls: Any) -> bool:
    return typing.get_origin(cls) is tuple


def _tuple_hook_factory(converter: cattrs.Converter) -> Callable[[Any], Callable[[object, Any], tuple[Any, ...]]]:
    def factory(cls: Any) -> Callable[[object, Any], tuple[Any, ...]]:
        args = typing.get_args(cls)
        if len(args) != 2 or args[1] is not Ellipsis:
            raise TypeError(f"only homogeneous tuples are supported in the model: {cls}")
        item_type = args[0]
        handler = converter.get_structure_hook(item_type)

        def structure(value: object, _: Any) -> tuple[Any, ...]:
            if not isinstance(value, list):
                raise _Invalid(f"expected a list; got {_kind(value)}")
            items: list[Any] = []
            errors: list[Exception] = []
            for index, item in enumerate(value):
                try:
                    items.append(handler(item, item_type))
                except Exception as exc:  # noqa: BLE001 - collected and re-raised as a group
                    exc.__notes__ = [
                        *getattr(exc, "__notes__", []),
                        IterableValidationNote(f"@ index {index}", index, item_type),
                    ]
                    errors.append(exc)
            if errors:
                raise cattrs.IterableValidationError("while structuring a list", errors, cls)
            return tuple(items)

        return structure

    return factory


def _is_mapping(cls: Any) -> bool:
    return typing.get_origin(cls) in (dict, Mapping)


def _mapping_hook_factory(converter: cattrs.Converter) -> Callable[[Any], Callable[[object, Any], dict[str, Any]]]:
    def factory(cls: Any) -> Callable[[object, Any], dict[str, Any]]:
        key_type, value_type = typing.get_args(cls)
        key_handler = converter.get_structure_hook(key_type)
        value_handler = converter.get_structure_hook(value_type)

        def structure(value: object, _: Any) -> dict[str, Any]:
            if not isinstance(value, dict):
                raise _Invalid(f"expected a mapping; got {_kind(value)}")
            result: dict[Any, Any] = {}
            errors: list[Exception] = []
            for key, item in value.items():
                try:
                    result[key_handler(key, key_type)] = value_handler(item, value_type)
                except Exception as exc:  # noqa: BLE001 - collected and re-raised as a group
                    exc.__notes__ = [
                        *getattr(exc, "__notes__", []),
                        IterableValidationNote(f"@ key {key!r}", key, value_type),
                    ]
                    errors.append(exc)
            if errors:
                raise cattrs.IterableValidationError("while structuring a mapping", errors, cls)
            return result

        return structure

    return factory


def _renames(cls: type) -> dict[str, Any]:
    return {f.name: override(rename=f.metadata["key"]) for f in attrs.fields(cls) if "key" in f.metadata}


def _not_mapping_guard(converter: cattrs.Converter) -> Callable[[Any], Callable[[object, Any], Any]]:
    def factory(cls: Any) -> Callable[[object, Any], Any]:
        inner = make_dict_structure_fn(cls, converter, _cattrs_forbid_extra_keys=True, **_renames(cls))

        def structure(value: object, _: Any) -> Any:
            if not isinstance(value, dict):
                raise _Invalid(f"expected a mapping of fields; got {_kind(value)}")
            return inner(value, cls)

        return structure

    return factory


def _make_converter() -> cattrs.Converter:
    converter = cattrs.Converter(forbid_extra_keys=True, detailed_validation=True)
    converter.register_structure_hook(str, _structure_str)
    converter.register_structure_hook(int, _structure_int)
    converter.register_structure_hook(float, _structure_float)
    converter.register_structure_hook(bool, _structure_bool)
    converter.register_structure_hook(dt.date, _structure_date)
    converter.register_structure_hook(Decimal, _structure_decimal)
    converter.register_structure_hook(Fraction, _structure_fraction)
    converter.register_structure_hook_factory(_is_enum, _enum_hook)
    converter.register_structure_hook_factory(_is_tuple, _tuple_hook_factory(converter))
    converter.register_structure_hook_factory(_is_mapping, _mapping_hook_factory(converter))
    converter.register_structure_hook_factory(attrs.has, _not_mapping_guard(converter))
    converter.register_unstructure_hook_factory(
        attrs.has, lambda cls: make_dict_unstructure_fn(cls, converter, **_renames(cls))
    )
    # StrEnum members dispatch to the str hook: unwrap them to their plain value.
    converter.register_unstructure_hook(str, lambda value: value.value if isinstance(value, enum.Enum) else value)
    converter.register_unstructure_hook(dt.date, lambda value: value)
    converter.register_unstructure_hook(Decimal, str)
    converter.register_unstructure_hook(Fraction, str)
    return converter


converter = _make_converter()


def field_key(field: attrs.Attribute[Any]) -> str:
    """The key a field is written under in files."""
    return str(field.metadata.get("key", field.name))


def _field_names(cls: type) -> list[str]:
    return [field_key(field) for field in attrs.fields(cls)]


def _inner_type(tp: Any) -> Any:
    """Strip ``X | None`` down to ``X``."""
    args = [a for a in typing.get_args(tp) if a is not type(None)]
    if typing.get_origin(tp) in (typing.Union, types.UnionType) and len(args) == 1:
        return args[0]
    return tp


def _step_attribute(cls: Any, name: str) -> tuple[str, Any]:
    cls = _inner_type(cls)
    if isinstance(cls, type) and attrs.has(cls):
        attrs.resolve_types(cls)
        for field in attrs.fields(cls):
            if field.name == name:
                return field_key(field), _inner_type(field.type)
    return name, None


def _step_item(cls: Any) -> Any:
    cls = _inner_type(cls)
    args = [a for a in typing.get_args(cls) if a is not Ellipsis]
    return _inner_type(args[-1]) if args else None


def _problems(exc: BaseException, path: Path, cls: Any, doc: Document, out: list[Problem]) -> None:
    for note in getattr(exc, "__notes__", []):
        if isinstance(note, AttributeValidationNote):
            key, cls = _step_attribute(cls, note.name)
            path = (*path, key)
        elif isinstance(note, IterableValidationNote):
            path = (*path, note.index)
            cls = _step_item(cls)
    if isinstance(exc, ForbiddenExtraKeysError):
        names = _field_names(exc.cl)
        for extra in sorted(exc.extra_fields):
            out.append(doc.problem((*path, extra), f"unknown field{did_you_mean(extra, names)}", key=True))
        return
    if isinstance(exc, BaseExceptionGroup):
        for sub in exc.exceptions:
            _problems(sub, path, cls, doc, out)
        return
    if isinstance(exc, KeyError):
        out.append(Problem(location=doc.locate(path[:-1]), path=format_path(path), message="required field missing"))
        return
    if isinstance(exc, TypeError | ValueError):
        out.append(doc.problem(path, str(exc)))
        return
    raise exc


def structure(data: Any, cls: type[T], doc: Document, *, path: Path = ()) -> T:
    """Structure plain data into ``cls``, raising one located LoadError for every problem."""
    try:
        return converter.structure(data, cls)
    except Exception as exc:  # noqa: BLE001 - translated at the boundary
        problems: list[Problem] = []
        _problems(exc, path, cls, doc, problems)
        raise LoadError(problems) from None


def unstructure(value: Any) -> Any:
    """Plain data (dicts, lists, scalars, dates) for a model value."""
    return converter.unstructure(value)


def structure_document(doc: Document, cls: type[T]) -> T:
    """Check a document's ``version: 1`` and structure the rest of it into ``cls``."""
    data = doc.data
    if not isinstance(data, dict):
        raise LoadError(
            [doc.problem((), f"expected a mapping with 'version: {FILE_VERSION}' at the top; got {_kind(data)}")]
        )
    body = dict(data)
    problems: list[Problem] = []
    if "version" not in body:
        problems.append(
            doc.problem((), f"required field 'version' missing; write 'version: {FILE_VERSION}' at the top")
        )
    else:
        version = body.pop("version")
        if version != FILE_VERSION or isinstance(version, bool):
            problems.append(
                doc.problem(
                    ("version",), f"unsupported file version {version!r}; this sgassure reads version {FILE_VERSION}"
                )
            )
    try:
        result = structure(body, cls, doc)
    except LoadError as exc:
        problems.extend(exc.problems)
    if problems:
        raise LoadError(problems)
    return result


def unstructure_document(value: Any) -> dict[str, Any]:
    """The plain data of a top-level model value, with ``version`` first."""
    data = unstructure(value)
    return {"version": FILE_VERSION, **data}
