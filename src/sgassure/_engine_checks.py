"""Checks of a durable-rules ruleset definition, and the engine's error codes.

Split from ``_engine``: a :class:`~sgassure._engine.Session` refuses, before the
engine sees them, rule shapes that crash it, loop, or are silently ignored
(see ``_engine``'s module documentation for each), and translates the engine's
terse result codes into messages.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Mapping
from typing import Any, Final

import attrs

from sgassure.errors import RulesEngineError

_TAIL_RULE: Final = "sgassure:tail"
"""The session's own rule that proves a chunk was read to its end (reserved)."""

_RULE_KEYS: Final = frozenset({"all", "any", "pri", "dist"})

_REFUSED_RULE_KEYS: Final = {
    "run": "the session binds each rule's action itself",
    "count": "batched matches ('count') are not supported",
    "cap": "batched matches ('cap') are not supported",
}

_CROSS_FACT_OPERATORS: Final = frozenset({"$lt", "$lte", "$gt", "$gte", "$neq"})

_ARITHMETIC: Final = frozenset({"$add", "$sub", "$mul", "$div"})

ENGINE_CODES: Final[Mapping[int, tuple[str, str]]] = {
    1: ("EVENT_NOT_HANDLED", "the fact matched no rule condition and was not stored"),
    2: ("EVENT_OBSERVED", "a fact with the same id (by 32-bit hash) is already stored"),
    3: ("EVENT_DEFERRED", "the fact was queued for later"),
    101: ("OUT_OF_MEMORY", "out of memory, or more than 1 024 live sids in one ruleset"),
    102: ("UNEXPECTED_TYPE", "a value has a type the engine does not accept there (e.g. a list literal)"),
    103: ("IDENTIFIER_LENGTH", "a name in the ruleset is too long"),
    104: ("UNEXPECTED_VALUE", "a value in the ruleset is not one the engine accepts there"),
    105: ("UNEXPECTED_NAME", "an unexpected name (key or operator) in the ruleset definition"),
    106: ("RULE_LIMIT_EXCEEDED", "more than 4 096 rules in one ruleset"),
    107: ("RULE_EXISTS_LIMIT_EXCEEDED", "more than 128 existence or array conditions under one condition"),
    108: ("RULE_BETA_LIMIT_EXCEEDED", "more than 256 rules end on an identical condition"),
    109: ("RULE_WITHOUT_QUALIFIER", "a pattern alias is empty apart from its '$not'/'$all'/'$any' suffix"),
    110: ("SETTING_NOT_FOUND", "a rule setting is unknown"),
    111: ("INVALID_HANDLE", "the ruleset handle is invalid (the ruleset was deleted)"),
    112: ("HANDLE_LIMIT_EXCEEDED", "131 071 rulesets are alive in this process; sessions are not being closed"),
    113: ("EXPRESSION_LIMIT_EXCEEDED", "too many expressions in one pattern (at most 29 comparisons with other facts)"),
    201: ("PARSE_VALUE", "JSON the engine cannot parse: a value"),
    202: ("PARSE_STRING", "JSON the engine cannot parse: a string (also an unknown operator such as '$gtt')"),
    203: ("PARSE_NUMBER", "JSON the engine cannot parse: a number"),
    204: ("PARSE_OBJECT", "JSON the engine cannot parse: an object (also a number like 1e-07 with no fraction)"),
    205: ("PARSE_ARRAY", "JSON the engine cannot parse: an array"),
    302: ("EVENT_MAX_PROPERTIES", "a fact has more than 253 properties (nested properties count)"),
    303: ("MAX_STACK_SIZE", "one fact satisfies more than 64 sibling conditions at once"),
    304: ("MAX_MESSAGES_IN_FRAME", "a match joins more than 16 facts"),
    305: ("MESSAGE_NOT_FOUND", "a condition refers to an alias that does not exist or is not bound before it"),
    306: ("LOCATION_NOT_FOUND", "an internal match location is missing"),
    307: ("NODE_DELETED", "an action's match was deleted before it ran"),
    308: ("NODE_DISPATCHING", "an action's match is being dispatched already"),
    309: ("SID_NOT_FOUND", "the session state (sid) does not exist"),
    310: ("NO_ACTION_AVAILABLE", "no action is pending"),
    311: ("PROPERTY_NOT_FOUND", "a property a condition needs is missing"),
    312: ("OPERATION_NOT_SUPPORTED", "an operator is applied to values of types it does not support"),
    313: ("EVENT_MAX_OBJECT_SIZE", "a fact is larger than the engine's maximum object size"),
    314: ("EVENT_MAX_OBJECT_PROPERTY_SIZE", "a property value of a fact is 16 MiB or larger"),
    501: ("PARSE_REGEX", "a regular expression ($mt/$imt) cannot be parsed"),
    502: ("REGEX_MAX_TRANSITIONS", "a regular expression is too complex (transitions)"),
    503: ("REGEX_MAX_STATES", "a regular expression is too complex (states)"),
    504: ("REGEX_QUEUE_FULL", "a regular expression is too complex (queue)"),
    505: ("REGEX_LIST_FULL", "a regular expression is too complex (list)"),
    506: ("REGEX_SET_FULL", "a regular expression is too complex (set)"),
    507: ("REGEX_CONFLICT", "a regular expression has conflicting transitions"),
    508: ("REGEX_INVALID", "a regular expression is invalid"),
}
"""durable-rules' result codes (``src/rules/rules.h``): code -> (name, meaning)."""

# Codes a single rule can cause at ruleset creation: worth compiling rules one by one to name it.
_PER_RULE_CODES: Final = frozenset({102, 103, 104, 105, 107, 109, 110, 113, 201, 202, 203, 204, 205, *range(501, 509)})

_CODE: Final = re.compile(r"error code: (\d+)")


@attrs.frozen
class _Binding:
    rule: str
    aliases: tuple[str, ...]
    any: bool


def _describe_code(code: int | None) -> str:
    if code is None:
        return "no error code"
    name, meaning = ENGINE_CODES.get(code, ("UNKNOWN", "an error code this wrapper does not know"))
    return f"error code {code} ({name}): {meaning}"


def _error_code(exc: BaseException) -> int | None:
    if isinstance(exc, MemoryError):
        return 101
    found = _CODE.search(str(exc))
    return int(found.group(1)) if found else None


def _engine_error(exc: BaseException, doing: str) -> RulesEngineError:
    code = _error_code(exc)
    if code is None:
        return RulesEngineError(f"durable-rules failed to {doing}: {type(exc).__name__}: {exc}")
    return RulesEngineError(f"durable-rules could not {doing}: {_describe_code(code)}")


def _anchored(condition: Any) -> bool:
    """Whether a pattern condition requires a positive ``kind`` equality with a literal string."""
    if not isinstance(condition, Mapping) or not condition:
        return False
    for key, value in condition.items():
        if key == "kind" and isinstance(value, str):
            return True
        if key == "$and" and isinstance(value, list) and any(_anchored(v) for v in value):
            return True
        if key == "$or" and isinstance(value, list) and value and all(_anchored(v) for v in value):
            return True
    return False


def _is_other_fact(operand: Any) -> bool:
    """Whether a comparison operand refers to another fact (anything but a literal or a ``$m`` reference)."""
    return isinstance(operand, Mapping) and not (len(operand) == 1 and "$m" in operand)


def _unsafe_comparisons(condition: Any, inside_or: bool = False) -> Iterator[str]:
    """Non-equality comparisons with another fact that are not inside ``$or`` (#381)."""
    if isinstance(condition, list):
        for item in condition:
            yield from _unsafe_comparisons(item, inside_or)
        return
    if not isinstance(condition, Mapping):
        return
    for key, value in condition.items():
        if key in _CROSS_FACT_OPERATORS and isinstance(value, Mapping):
            if not inside_or:
                yield from (f"{key} on {field!r}" for field, v in value.items() if _is_other_fact(v))
        elif key in ("$and", "$or"):
            yield from _unsafe_comparisons(value, inside_or or key == "$or")
        elif key in ("$iany", "$iall") and isinstance(value, Mapping):
            yield from _unsafe_comparisons(list(value.values()), inside_or)


def _operand_aliases(operand: Any) -> Iterator[str]:
    """Aliases an operand refers to: ``{alias: field}``, also inside ``$add``/``$sub``/``$mul``/``$div``."""
    if not isinstance(operand, Mapping):
        return
    for key, value in operand.items():
        if key in _ARITHMETIC:
            if isinstance(value, Mapping):
                for side in value.values():
                    yield from _operand_aliases(side)
        elif not (isinstance(key, str) and key.startswith("$")):  # $m (same fact), $s (state)
            yield key


def _references(condition: Any) -> Iterator[str]:
    """Every alias a pattern condition refers to."""
    if isinstance(condition, list):
        for item in condition:
            yield from _references(item)
        return
    if not isinstance(condition, Mapping):
        return
    for key, value in condition.items():
        if key in ("$and", "$or"):
            yield from _references(value)
        elif key in ("$iany", "$iall") and isinstance(value, Mapping):
            yield from _references(list(value.values()))
        elif key in _CROSS_FACT_OPERATORS and isinstance(value, Mapping):
            for operand in value.values():
                yield from _operand_aliases(operand)
        elif not (isinstance(key, str) and key.startswith("$")):  # $ex, $nex, $mt, $imt, $s: no references
            yield from _operand_aliases(value)


_FIELD_OPERATORS: Final = frozenset({*_CROSS_FACT_OPERATORS, "$eq", "$ex", "$nex", "$mt", "$imt"})


def _top(field: Any) -> str | None:
    """The top-level key a field name reads (``a.b.c`` reads ``a``); None if it is not a name."""
    return field.split(".", 1)[0] if isinstance(field, str) and field else None


def _operand_fields(operand: Any, out: set[str]) -> bool:
    """Add the fields a comparison operand reads from any fact; False if its shape is not understood."""
    if not isinstance(operand, Mapping):
        return True  # a literal
    for key, value in operand.items():
        if key in _ARITHMETIC:
            if not isinstance(value, Mapping) or not all(_operand_fields(side, out) for side in value.values()):
                return False
        elif isinstance(key, str) and key.startswith("$") and key not in ("$m", "$s"):
            return False
        elif key != "$s":  # {alias: field} or {"$m": field}; "$s" reads the engine's state, not a fact
            if (top := _top(value)) is None:
                return False
            out.add(top)
    return True


def _condition_fields(condition: Any, out: set[str]) -> bool:
    """Add every fact field a pattern condition reads, its own or another fact's; False if not understood."""
    if isinstance(condition, list | tuple):
        return all(_condition_fields(item, out) for item in condition)
    if not isinstance(condition, Mapping):
        return False
    for key, value in condition.items():
        if key in ("$and", "$or"):
            if not _condition_fields(value, out):
                return False
        elif key in _FIELD_OPERATORS or key in ("$iany", "$iall"):
            if not isinstance(value, Mapping):
                return False
            for field, operand in value.items():
                if (top := _top(field)) is None:
                    return False
                out.add(top)  # $iany/$iall keep the whole array; $i conditions read inside it
                if (key in _CROSS_FACT_OPERATORS or key == "$eq") and not _operand_fields(operand, out):
                    return False
        elif isinstance(key, str) and key.startswith("$"):
            return False
        else:
            if (top := _top(key)) is None or not _operand_fields(value, out):
                return False
            out.add(top)
    return True


def _read_fields(rules: Mapping[str, Mapping[str, Any]]) -> frozenset[str] | None:
    """The top-level fact keys any of the rules reads (plus ``id`` and ``kind``); None if a shape is not understood.

    Facts can be cut down to these keys before the engine sees them: a key no
    condition reads cannot change a match.

    Examples:
        >>> sorted(_read_fields({"r": {"all": [{"a": {"$and": [{"kind": "x"}, {"$lt": {"n.m": 3}}]}},
        ...     {"b": {"$and": [{"kind": "y"}, {"agency": {"a": "agency"}}]}}]}}))
        ['agency', 'id', 'kind', 'n']
        >>> _read_fields({"r": {"all": [{"a": {"$unknown": {"n": 1}}}]}}) is None
        True
    """
    out = {"id", "kind"}
    for rule in rules.values():
        for key in ("all", "any"):
            for pattern in rule.get(key, ()):
                if not all(_condition_fields(condition, out) for condition in pattern.values()):
                    return None
    return frozenset(out)


def _is_equality(test: Any) -> bool:
    """Whether an item of ``$and`` is a plain equality ``{field: operand}`` (no operator)."""
    return isinstance(test, Mapping) and len(test) == 1 and not str(next(iter(test))).startswith("$")


def _equalities_first(value: Any) -> Any:
    """A plain copy of a rule with every ``$and`` list's equalities moved before its other tests, in their order.

    The engine ignores an equality with another fact's field that follows an
    ``$or`` in the same ``$and``: the pattern then matches whatever that field
    holds. The order of an ``$and`` does not change its meaning.

    Examples:
        >>> _equalities_first({"$and": [{"kind": "y"}, {"$or": [{"n": 1}]}, {"tag": {"a": "tag"}}]})
        {'$and': [{'kind': 'y'}, {'tag': {'a': 'tag'}}, {'$or': [{'n': 1}]}]}
    """
    if isinstance(value, Mapping):
        out = {k: _equalities_first(v) for k, v in value.items()}
        tests = out.get("$and")
        if isinstance(tests, list):
            out["$and"] = [t for t in tests if _is_equality(t)] + [t for t in tests if not _is_equality(t)]
        return out
    if isinstance(value, list | tuple):
        return [_equalities_first(v) for v in value]
    return value


def _bad_floats(value: Any) -> Iterator[float]:
    """Floats the engine cannot parse in a rule: non-finite, or written with an exponent but no fraction."""
    if isinstance(value, Mapping):
        for v in value.values():
            yield from _bad_floats(v)
    elif isinstance(value, list | tuple):
        for v in value:
            yield from _bad_floats(v)
    elif isinstance(value, float):
        text = repr(value)
        if not math.isfinite(value) or ("e" in text and "." not in text):
            yield value


def _check_rule(name: Any, rule: Any) -> _Binding:
    """Refuse what the engine mishandles; return the rule's positive aliases."""
    if not isinstance(name, str) or not name:
        raise RulesEngineError(f"rule names must be non-empty strings; got {name!r}")
    where = f"rule {name!r}"
    if name == _TAIL_RULE:
        raise RulesEngineError(f"{where}: this name is reserved by the session")
    if not isinstance(rule, Mapping):
        raise RulesEngineError(f"{where}: expected a mapping; got {type(rule).__name__}")
    for key in rule:
        if key in _REFUSED_RULE_KEYS:
            raise RulesEngineError(f"{where}: '{key}' is not accepted: {_REFUSED_RULE_KEYS[key]}")
        if key not in _RULE_KEYS:
            raise RulesEngineError(f"{where}: unknown key {key!r}; expected some of 'all' or 'any', 'pri', 'dist'")
    sequences = [key for key in ("all", "any") if key in rule]
    if len(sequences) != 1:
        raise RulesEngineError(f"{where}: expected exactly one of 'all' and 'any'")
    kind = sequences[0]
    patterns = rule[kind]
    if not isinstance(patterns, list | tuple) or not patterns:
        raise RulesEngineError(f"{where}: '{kind}' must be a non-empty list of patterns")
    aliases: list[str] = []
    alternatives: list[str] = []
    for index, pattern in enumerate(patterns):
        at = f"{where}, {kind}[{index}]"
        if not isinstance(pattern, Mapping) or len(pattern) != 1:
            raise RulesEngineError(f"{at}: a pattern is a mapping with exactly one alias")
        ((alias, condition),) = pattern.items()
        if not isinstance(alias, str) or not alias:
            raise RulesEngineError(f"{at}: an alias must be a non-empty string; got {alias!r}")
        if alias.endswith(("$all", "$any")):
            raise RulesEngineError(f"{at}: nested sequences ({alias!r}) are not supported")
        negated = alias.endswith("$not")
        if negated and alias == "$not":
            raise RulesEngineError(f"{at}: the alias {alias!r} has no name")
        if not _anchored(condition):
            raise RulesEngineError(
                f"{at}: the pattern {alias!r} has no positive 'kind' equality; "
                "without one it can match the engine's state fact and fire forever"
            )
        for reference in _references(condition):
            if reference not in aliases:
                bound = f"a positive alias bound in an earlier pattern ({', '.join(map(repr, aliases)) or 'none'})"
                raise RulesEngineError(
                    f"{at}: the pattern {alias!r} refers to {reference!r}, which is not {bound}; "
                    "the engine would silently drop the condition or never match"
                )
        unsafe = list(_unsafe_comparisons(condition))
        if unsafe:
            raise RulesEngineError(
                f"{at}: comparisons with another fact other than equality must sit inside '$or' "
                f"(the engine reads uninitialised memory otherwise, #381): {', '.join(unsafe)}"
            )
        if not negated:
            if alias in aliases or alias in alternatives:
                raise RulesEngineError(f"{at}: the alias {alias!r} is used twice")
            # in 'any' the patterns are alternatives: none is bound when another is tested
            (alternatives if kind == "any" else aliases).append(alias)
    for value in _bad_floats(rule):
        raise RulesEngineError(
            f"{where}: the number {value!r} cannot be given to the engine "
            "(non-finite, or an exponent without a fraction, which its JSON parser rejects)"
        )
    return _Binding(rule=name, aliases=tuple(aliases or alternatives), any=kind == "any")
