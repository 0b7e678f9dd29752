"""A private, isolated durable-rules session: assert facts, get the matches back.

This module and ``_compile`` are the only places that touch durable-rules 2.0.28,
and this one imports it lazily, inside functions, so that ``import sgassure``
works where the engine is not installed. Section numbers (§) refer to
``notes/durable-rules.md``; ``#N`` are issues of jruizgit/rules.

What the wrapper works around, and how:

* **Isolation (§2.6, §6.2, #262).** Each :class:`Session` has its own ``Host``
  subclass with its background timer threads disabled (``_run`` does nothing)
  and exactly one ruleset, always named ``"sgassure"``. ``get_action`` resolves
  one closure per rule (action name ``"rule:<name>"``), because durable does
  not tell an action which rule fired it. ``set_rulesets`` mutates its
  argument (it deletes every ``run`` key), so the session registers a deep,
  plain copy of the definition.
* **Leaks (§2.6, §0.5).** A default ``Host`` starts two timer threads that never
  stop, pin the host, and keep its C memory forever. :meth:`Session.close` calls
  ``delete_state`` and ``delete_ruleset`` and drops every reference to the host
  and ruleset: deleted C handles are reused first in, first out, so a stale
  ``Ruleset`` would later address someone else's ruleset (its handle is zeroed
  too). A session that is garbage collected unclosed is released by a
  ``weakref.finalize``.
* **A crash in delete_state (found while writing this module).** The C core
  does not initialise a state's action context when it creates the state; the
  context is only set once an action has started and completed. ``delete_state``
  on a state that never ran an action frees uninitialised pointers:
  ``free(): invalid pointer`` / SIGSEGV as soon as the heap has been used (50
  sessions of unmatched facts after building a 200 000-entry dict crashed every
  time; with a fresh heap it "works"). Every chunk asserted ends with an
  internal fact whose internal rule fires (see the next-but-one point), and the
  session asserts one empty chunk at construction, so an action has always
  run, and the state ``delete_state`` needs exists, before ``close``.
* **Identity is a 32-bit hash (§3.3, #376).** The engine compares fact ids only
  by the FNV-1a-32 hash of the id's JSON text (escaped, without the quotes; the
  bytes go through a C ``char``, which is signed on x86-64 and unsigned on most
  other Linux targets, so both variants are checked). The session keeps the
  hashes of every id it asserted, of the state fact ``sid-0``, of the sid and of
  the internal facts; a new id that collides is rewritten ``id#1``, ``id#2``...
  until its hashes are free. Matches report the caller's id.
* **Unmatched facts and batches (§2.5, §3.4, #286).** Facts are asserted in
  chunks with the low-level ``durable_rules_engine.assert_facts`` and then the
  pending actions are run with ``Ruleset.do_actions`` whatever the result code;
  ``Host.assert_facts`` would raise ``MessageNotHandledException`` for one
  unmatched fact and leave the other facts' actions pending.
* **Batches that stop silently (found while writing this module).** The C batch
  call (``handleMessages``) stops at the first fact it cannot read (more than
  253 properties, a value of 16 MiB, JSON it misparses) and returns success:
  that fact and every later one in the chunk are dropped without a word, and
  when it is the first fact, the returned state offset is uninitialised and
  ``do_actions`` segfaulted. Each chunk is therefore framed: a head fact that
  matches nothing (it sets the state offset) and a tail fact, with a fresh id,
  that an internal rule must fire. If the tail did not fire, the chunk's facts
  are asserted again one by one (facts already read give code 2 or 1), which
  names the failing fact and its error code, and the session raises.
* **Swallowed action errors (§3.5, #350).** ``Promise`` stores an action's
  exception as a string in the session state and carries on. The session's
  closures catch every exception themselves, skip the remaining actions of the
  call, and raise :class:`~sgassure.errors.RuleActionError` (chained with
  ``from``) once ``do_actions`` returns; the returned state is checked for an
  ``exception`` key too. Derived facts returned by ``on_match`` are queued and
  asserted after ``do_actions`` returns, never from inside an action (an assert
  inside an action that matches nothing raises there and is swallowed, #350).
* **Error codes (§3.1).** ``durable_rules_engine.error("Could not ..., error
  code: N")`` and ``MemoryError`` (code 101) become
  :class:`~sgassure.errors.RulesEngineError` whose message gives the code's
  name and meaning, and the rule (found by compiling each rule alone) or the
  facts involved. No durable exception type leaves a session.
* **Number syntax crash (found while writing this module).** The engine's JSON
  parser only accepts an exponent after a fraction: ``1e-07`` (Python's
  ``repr`` of ``1e-7``, and of every float below 1e-4 or from 1e16 with no
  fraction digits) stops the batch parse as above (error 204 for the fact alone);
  in a rule it is parse error 204. Facts are sent with such
  numbers rewritten ``1.0e-07``; rules holding such floats are refused.
* **Crashes on cross-fact comparisons (§3.7, #381).** A non-equality comparison
  with another fact reads uninitialised memory unless it sits inside ``$or``.
  The compiler wraps them; the session refuses a rule where one is not inside
  an ``$or``.
* **References the engine ignores (found while writing this module).** An
  equality with a field of an alias that is not bound by an earlier positive
  pattern is not reported: a reference to the pattern's own alias, to a later
  alias, or to an unknown alias in the first pattern was silently dropped
  (every fact matched), and an unknown alias in a later pattern never matched.
  Only non-equality references fail, with code 305 at the first assert. The
  session refuses every reference that does not name an earlier positive alias
  (and every reference in an ``any`` rule).
* **Endless loops (§3.2).** A pattern with no positive ``kind`` equality can
  match the engine's own state fact, which is rewritten after every action, so
  the rule re-fires forever (``$nex`` alone). The session refuses any rule with
  a pattern (positive or negated) lacking a positive ``kind`` equality, and
  rules with ``run`` (the session binds actions), ``count`` or ``cap``
  (batched matches), or nested ``alias$all``/``alias$any`` sequences.
* **Python 3.12 (§1).** Every action calls ``datetime.utcfromtimestamp``, which
  warns ``DeprecationWarning`` from ``durable.engine``; under ``-W error`` (this
  project's test setting) every action would fail. Engine calls run under
  ``warnings.catch_warnings`` with an ``ignore`` filter for exactly that
  category and the ``durable`` package's modules.

Order of matches: a session returns matches in the engine's firing order, which
is an implementation detail (§3.10: grouped by rule, newest fact first, within a
batch). Callers must sort the matches by a key of their own.

Threads: a session is single-threaded; durable never releases the GIL (§3.8).
"""

from __future__ import annotations

import contextlib
import functools
import json
import re
import warnings
import weakref
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any, Final

import attrs

from sgassure._engine_checks import (
    _PER_RULE_CODES,
    _TAIL_RULE,
    ENGINE_CODES,
    _Binding,
    _check_rule,
    _describe_code,
    _engine_error,
    _error_code,
)
from sgassure.errors import RuleActionError, RulesEngineError

__all__ = ["ENGINE_CODES", "RULESET_NAME", "Match", "Session", "engine_id_hashes"]

RULESET_NAME: Final = "sgassure"
"""The name of every session's one ruleset; hosts are private, so it never clashes."""

_SID: Final = "0"
_STATE_ID: Final = f"sid-{_SID}"
_TAIL_KIND: Final = "\x00sgassure:tail"
_HEAD_FACT: Final = {"id": "\x00sgassure:head", "kind": "\x00sgassure:head"}
_ACTION_PREFIX: Final = "rule:"

_RESERVED_FACT_KEYS: Final = {
    "sid": "'sid' selects the engine's state partition",
    "$s": "'$s' marks the engine's state fact",
}


# Python writes 1e-07 / 1e+16; the engine needs a fraction before an exponent.
_EXPONENT_HINT: Final = re.compile(r"\d[eE][-+]?\d")
_TOKEN: Final = re.compile(r'"(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?')
_DURABLE_MODULES: Final = r"durable(\..*)?\Z"

_encode_string: Final[Callable[[str], str]] = json.encoder.encode_basestring  # as json.dumps(ensure_ascii=False)


def engine_id_hashes(fact_id: str) -> frozenset[int]:
    """The FNV-1a-32 hashes under which durable-rules may store a fact with this id.

    The engine hashes the id's JSON text as sent (escaped, without the quotes),
    byte by byte through a C ``char``: signed on x86-64, unsigned on e.g.
    aarch64 Linux. Both variants are returned; they differ only for non-ASCII ids.

    Examples:
        >>> engine_id_hashes("f-562789") == engine_id_hashes("f-779192") == {0x2199BA4B}
        True
        >>> len(engine_id_hashes("café"))
        2
    """
    data = _encode_string(fact_id)[1:-1].encode("utf-8")
    unsigned = 0x811C9DC5  # FNV-1a 32-bit offset basis; 0x01000193 is its prime
    for byte in data:
        unsigned = ((unsigned ^ byte) * 0x01000193) & 0xFFFFFFFF
    if data.isascii():
        return frozenset((unsigned,))
    signed = 0x811C9DC5
    for byte in data:
        signed = ((signed ^ (byte | 0xFFFFFF00 if byte >= 0x80 else byte)) * 0x01000193) & 0xFFFFFFFF
    return frozenset((unsigned, signed))


@attrs.frozen(kw_only=True)
class Match:
    """One firing of a rule: its name and, per positive alias, the matched fact.

    ``facts`` holds plain dicts with the caller's keys and the caller's ids
    (never an id the session rewrote). Negated aliases have no fact.

    Examples:
        >>> Match(rule="r1", facts={"m": {"id": "a1", "kind": "assessment"}}).facts["m"]["id"]
        'a1'
    """

    rule: str
    facts: Mapping[str, Mapping[str, Any]]


@attrs.frozen
class _Prepared:
    text: str
    engine_id: str


class _Handle:
    """The C ruleset handle, shared with the finalizer (which must not reference the session)."""

    __slots__ = ("value",)

    def __init__(self) -> None:
        self.value = 0


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """Ignore the DeprecationWarning durable's own modules raise on Python 3.12 (``utcfromtimestamp``)."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=DeprecationWarning, module=_DURABLE_MODULES)
        yield


def _dre() -> Any:
    try:
        import durable_rules_engine  # noqa: PLC0415 - lazy: sgassure imports without the engine
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise RulesEngineError(
            "the rules engine durable-rules 2.0.28 is not installed or does not import "
            f"(it builds from source for Python 3.11 and 3.12 only): {exc}"
        ) from exc
    return durable_rules_engine


@functools.cache
def _host_class() -> type[Any]:
    """The private, thread-free ``Host`` subclass (built on first use: durable is imported lazily)."""
    _dre()
    from durable import engine  # noqa: PLC0415 - lazy: sgassure imports without the engine

    class _PrivateHost(engine.Host):  # type: ignore[misc]  # durable is untyped
        def __init__(self, actions: Mapping[str, Callable[[Any], None]]) -> None:
            self._sgassure_actions = dict(actions)
            super().__init__()

        def _run(self) -> None:
            """Start no timer threads: the session runs actions synchronously."""

        def get_action(self, action_name: str) -> Callable[[Any], None]:
            try:
                return self._sgassure_actions[action_name]
            except KeyError:
                raise RulesEngineError(f"no action is bound to the name {action_name!r}") from None

        def load_ruleset(self, ruleset_name: str) -> Any:
            raise RulesEngineError(f"this session has no ruleset {ruleset_name!r}")

    return _PrivateHost


def _release(handle: _Handle) -> list[str]:
    """Free the session's C state and ruleset; never raises (it may run from the garbage collector)."""
    value, handle.value = handle.value, 0
    if not value:
        return []
    problems: list[str] = []
    try:
        dre = _dre()
        with _quiet():
            try:
                dre.delete_state(value, _SID)
            except (dre.error, MemoryError) as exc:
                problems.append(str(_engine_error(exc, "delete the session state")))
            try:
                dre.delete_ruleset(value)
            except (dre.error, MemoryError) as exc:
                problems.append(str(_engine_error(exc, "delete the ruleset")))
    except Exception as exc:  # noqa: BLE001 - reported to close(); a finalizer must not raise
        problems.append(f"durable-rules failed while closing: {type(exc).__name__}: {exc}")
    return problems


def _plain(value: Any) -> Any:
    """A deep copy made of dicts and lists, as JSON and durable expect."""
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _json_default(value: Any) -> Any:
    if isinstance(value, Mapping):
        return dict(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


_ENCODER: Final = json.JSONEncoder(ensure_ascii=False, allow_nan=False, default=_json_default)


def _fix_exponents(text: str) -> str:
    """Rewrite numbers like ``1e-07`` as ``1.0e-07`` outside strings: the engine mis-parses the former."""

    def fix(token: re.Match[str]) -> str:
        word = token.group(0)
        if word[0] == '"' or "." in word or ("e" not in word and "E" not in word):
            return word
        mantissa, exponent = re.split(r"(?=[eE])", word, maxsplit=1)
        return f"{mantissa}.0{exponent}"

    return _TOKEN.sub(fix, text)


class Session:
    """One private, thread-free engine host with one ruleset, used for one evaluation.

    Create it with the engine's JSON ruleset body (``{rule: {"all"|"any": [...],
    "pri"?, "dist"?}}``, without ``run``), assert facts with
    :meth:`assert_facts`, and close it (it is a context manager). Matches come
    back in the engine's firing order, an implementation detail: callers must
    sort them. A session is single-threaded. After any error it refuses further
    facts (the engine may hold half-processed matches); it can still be closed.

    Args:
        rules: the ruleset body; deep-copied, never mutated. Every pattern needs a
            positive ``kind`` equality; ``run``, ``count``, ``cap`` and nested
            ``$all``/``$any`` sequences are refused.
        on_match: called for every match, in firing order; the facts it returns
            are asserted into the same session after the current actions, so
            rules chain.
        chunk_size: facts per low-level batch assert.

    Raises:
        RulesEngineError: a rule is refused, or the engine cannot create the
            ruleset (the message gives the error code's meaning and, where one
            rule alone causes it, the rule).

    Examples:
        >>> rules = {"gap": {"all": [{"m": {"$and": [{"kind": "assessment"}, {"status": "not"}]}}]}}
        >>> with Session(rules) as session:
        ...     session.assert_facts([
        ...         {"id": "a1", "kind": "assessment", "status": "not"},
        ...         {"id": "a2", "kind": "assessment", "status": "fully"},
        ...     ])
        [Match(rule='gap', facts={'m': {'id': 'a1', 'kind': 'assessment', 'status': 'not'}})]
    """

    def __init__(
        self,
        rules: Mapping[str, Mapping[str, Any]],
        *,
        on_match: Callable[[Match], Sequence[Mapping[str, Any]]] | None = None,
        chunk_size: int = 1000,
    ) -> None:
        if isinstance(chunk_size, bool) or not isinstance(chunk_size, int) or chunk_size < 1:
            raise RulesEngineError(f"chunk_size must be a positive integer; got {chunk_size!r}")
        if not isinstance(rules, Mapping):
            raise RulesEngineError(f"expected a mapping of rule names to rules; got {type(rules).__name__}")
        self._on_match = on_match
        self._chunk_size = chunk_size
        self._closed = False
        self._broken: str | None = None
        self._failure: tuple[str, BaseException] | None = None
        self._fired: list[Match] = []
        self._derived: list[_Prepared] = []
        self._ids: set[str] = set()
        self._hashes: set[int] = set()
        self._renamed: dict[str, str] = {}
        for reserved in (_SID, _STATE_ID, _HEAD_FACT["id"]):
            self._hashes |= engine_id_hashes(reserved)
        self._tails = 0
        self._tail_seen = False
        self._bindings = {name: _check_rule(name, rule) for name, rule in rules.items()}
        definition: dict[str, Any] = {}
        actions: dict[str, Callable[[Any], None]] = {_TAIL_RULE: self._tail_action()}
        for name, rule in rules.items():
            body = _plain(rule)
            body["run"] = _ACTION_PREFIX + name
            definition[name] = body
            actions[_ACTION_PREFIX + name] = self._action(self._bindings[name])
        definition[_TAIL_RULE] = {"all": [{"m": {"kind": _TAIL_KIND}}], "run": _TAIL_RULE}
        try:
            json.dumps(definition, ensure_ascii=False, allow_nan=False)
        except (TypeError, ValueError) as exc:
            raise RulesEngineError(f"the rules cannot be given to the engine: {exc}") from exc
        self._handle = _Handle()
        self._finalizer = weakref.finalize(self, _release, self._handle)
        self._host: Any = None
        self._ruleset: Any = None
        try:
            self._register(definition, actions)
            self._assert_chunk([])  # runs the tail action once: delete_state is safe from now on
        except BaseException:
            self._broken = "construction failed"
            with contextlib.suppress(RulesEngineError):
                self.close()
            raise

    # -- construction -------------------------------------------------------------------------------------------

    def _register(self, definition: dict[str, Any], actions: Mapping[str, Callable[[Any], None]]) -> None:
        dre = _dre()
        host = _host_class()(actions)
        try:
            with _quiet():
                host.set_rulesets({RULESET_NAME: definition})
        except RulesEngineError:
            raise
        except (dre.error, MemoryError) as exc:
            code = _error_code(exc)
            culprit = self._culprit(definition) if code in _PER_RULE_CODES else None
            where = f" (rule {culprit!r})" if culprit is not None else ""
            message = f"durable-rules could not create the ruleset{where}: {_describe_code(code)}"
            raise RulesEngineError(message) from exc
        except Exception as exc:
            raise _engine_error(exc, "create the ruleset") from exc
        self._host = host
        self._ruleset = host.get_ruleset(RULESET_NAME)
        self._handle.value = self._ruleset._handle

    def _culprit(self, definition: Mapping[str, Any]) -> str | None:
        """The first rule that the engine refuses on its own, if any."""
        dre = _dre()
        for name in self._bindings:
            body = {k: v for k, v in definition[name].items() if k != "run"}
            try:
                handle = dre.create_ruleset("sgassure-probe", json.dumps({name: body}, ensure_ascii=False))
            except (dre.error, MemoryError):
                return name
            with contextlib.suppress(dre.error):
                dre.delete_ruleset(handle)
        return None

    def _tail_action(self) -> Callable[[Any], None]:
        """The internal rule's action: it proves the engine reached the end of a chunk."""
        session = weakref.ref(self)

        def action(c: Any) -> None:
            owner = session()
            if owner is not None:
                owner._tail_seen = True

        return action

    def _action(self, binding: _Binding) -> Callable[[Any], None]:
        """The closure durable calls for one rule: it records failures instead of letting Promise swallow them."""
        session = weakref.ref(self)

        def action(c: Any) -> None:
            owner = session()
            if owner is None or owner._failure is not None:
                return
            try:
                owner._fire(binding, c)
            except BaseException as exc:  # noqa: BLE001 - re-raised by _run_actions after do_actions returns
                owner._failure = (binding.rule, exc)

        return action

    # -- facts --------------------------------------------------------------------------------------------------

    def _fire(self, binding: _Binding, c: Any) -> None:
        # c._m is what getattr(c, alias) reads; reading it directly avoids aliases that shadow
        # Closure attributes ('s', 'host', 'post', ...).
        message = c._m
        if not isinstance(message, dict):
            raise RulesEngineError(f"expected one fact per alias from the engine; got {type(message).__name__}")
        facts: dict[str, dict[str, Any]] = {}
        for alias in binding.aliases:
            raw = message.get(alias)
            if raw is None:
                if binding.any:
                    continue
                raise RulesEngineError(f"the engine's match has no fact for the alias {alias!r}")
            if not isinstance(raw, dict):
                raise RulesEngineError(f"the engine's match for the alias {alias!r} is not a fact")
            raw.pop("sid", None)
            original = self._renamed.get(raw.get("id", ""))
            if original is not None:
                raw["id"] = original
            facts[alias] = raw
        match = Match(rule=binding.rule, facts=facts)
        self._fired.append(match)
        if self._on_match is not None:
            self._derived.extend(self._prepare(self._on_match(match), source=binding.rule))

    def _prepare(self, facts: Any, *, source: str | None) -> list[_Prepared]:
        """Check facts, give them collision-free engine ids, and serialise them; all or nothing."""
        origin = f" returned for rule {source!r}" if source is not None else ""
        if isinstance(facts, str | bytes) or not isinstance(facts, Sequence):
            raise RulesEngineError(f"expected a sequence of facts{origin}; got {type(facts).__name__}")
        prepared: list[_Prepared] = []
        ids: set[str] = set()
        hashes: set[int] = set()
        renamed: dict[str, str] = {}
        for index, fact in enumerate(facts):
            where = f"fact {index}{origin}"
            if not isinstance(fact, Mapping):
                raise RulesEngineError(f"{where}: expected a mapping; got {type(fact).__name__}")
            fact_id = fact.get("id")
            if not isinstance(fact_id, str) or not fact_id:
                raise RulesEngineError(f"{where}: every fact needs a non-empty string 'id'; got {fact_id!r}")
            where = f"{where} (id {fact_id!r})"
            if not isinstance(fact.get("kind"), str):
                raise RulesEngineError(f"{where}: every fact needs a string 'kind'; got {fact.get('kind')!r}")
            for key, why in _RESERVED_FACT_KEYS.items():
                if key in fact:
                    raise RulesEngineError(f"{where}: the key {key!r} is reserved: {why}")
            if fact_id in self._ids or fact_id in ids:
                raise RulesEngineError(f"{where}: a fact with this id was already asserted in this session")
            engine_id, suffix = fact_id, 0
            engine_hashes = engine_id_hashes(engine_id)
            while not (engine_hashes.isdisjoint(self._hashes) and engine_hashes.isdisjoint(hashes)):
                suffix += 1
                engine_id = f"{fact_id}#{suffix}"
                engine_hashes = engine_id_hashes(engine_id)
            payload = fact if engine_id == fact_id else {**fact, "id": engine_id}
            try:
                text = _ENCODER.encode(payload)
            except (TypeError, ValueError, RecursionError) as exc:
                raise RulesEngineError(f"{where}: cannot be given to the engine: {exc}") from exc
            ids.add(fact_id)
            hashes |= engine_hashes
            if engine_id != fact_id:
                renamed[engine_id] = fact_id
            prepared.append(_Prepared(text, engine_id))
        self._ids |= ids
        self._hashes |= hashes
        self._renamed.update(renamed)
        return prepared

    def assert_facts(self, facts: Sequence[Mapping[str, Any]]) -> list[Match]:
        """Assert facts and run the actions they cause; return this call's matches in firing order.

        Every fact needs a non-empty string ``id``, unique in the session, and a
        string ``kind``; the keys ``sid`` and ``$s`` are reserved. Facts no rule
        condition matches are accepted and not stored. Facts returned by
        ``on_match`` are asserted in turn (all of one generation, then the
        next) until none are left, and their matches are returned too.

        Raises:
            RulesEngineError: a fact is invalid or a duplicate (nothing is
                asserted then), the session is closed or failed earlier, or the
                engine failed (the message gives the code's meaning).
            RuleActionError: ``on_match`` raised, or returned invalid facts.
        """
        self._check_usable()
        prepared = self._prepare(facts, source=None)
        self._fired = []
        try:
            batch = prepared
            while batch:
                self._assert_batch(batch)
                batch, self._derived = self._derived, []
        except BaseException as exc:
            self._broken = f"{type(exc).__name__}: {exc}"
            raise
        matches, self._fired = self._fired, []
        return matches

    def _check_usable(self) -> None:
        if self._closed:
            raise RulesEngineError("the rules engine session is closed")
        if self._broken is not None:
            raise RulesEngineError(
                f"the rules engine session failed earlier and cannot take more facts ({self._broken})"
            )

    def _assert_batch(self, batch: Sequence[_Prepared]) -> None:
        for start in range(0, len(batch), self._chunk_size):
            self._assert_chunk(batch[start : start + self._chunk_size])

    def _tail(self) -> str:
        """A fresh fact for the internal rule, its id's hashes free and reserved."""
        while True:
            self._tails += 1
            tail_id = f"{_TAIL_KIND}:{self._tails}"
            hashes = engine_id_hashes(tail_id)
            if hashes.isdisjoint(self._hashes):
                self._hashes |= hashes
                return json.dumps({"id": tail_id, "kind": _TAIL_KIND})

    def _assert_chunk(self, chunk: Sequence[_Prepared]) -> None:
        """One batch assert framed by two internal facts, then the actions it caused.

        The engine's batch call stops at the first fact it cannot read (too many
        properties, a value too large, JSON it misparses) and returns success: that
        fact and the rest of the chunk are dropped silently, and if it was the first
        fact, the state offset returned is uninitialised (do_actions then crashed).
        A head fact that matches nothing makes the offset valid; a tail fact whose
        internal rule must fire proves the whole chunk was read.
        """
        dre = _dre()
        what = _describe_chunk(chunk, self._renamed)
        text = "[" + ",".join([json.dumps(_HEAD_FACT), *(p.text for p in chunk), self._tail()]) + "]"
        if _EXPONENT_HINT.search(text):
            text = _fix_exponents(text)
        self._tail_seen = False
        try:
            with _quiet():
                code, state_offset = dre.assert_facts(self._handle.value, text)
        except (dre.error, MemoryError) as exc:
            raise _engine_error(exc, f"assert {what}") from exc
        self._run_actions(state_offset, what)
        if code not in (0, 1):
            raise RulesEngineError(f"durable-rules did not store all of {what}: {_describe_code(code)}")
        if not self._tail_seen:
            self._diagnose(chunk, what)

    def _diagnose(self, chunk: Sequence[_Prepared], what: str) -> None:
        """Find the fact the batch call dropped by asserting the chunk again one fact at a time; always raises.

        Facts read before it are harmless to assert again: stored ones give code 2,
        unmatched ones code 1.
        """
        dre = _dre()
        for prepared in chunk:
            fact_id = self._renamed.get(prepared.engine_id, prepared.engine_id)
            try:
                with _quiet():
                    dre.assert_fact(self._handle.value, _fix_exponents(prepared.text))
            except (dre.error, MemoryError) as exc:
                doing = f"assert the fact {fact_id!r} (it and the facts after it were dropped)"
                raise _engine_error(exc, doing) from exc
        raise RulesEngineError(f"durable-rules silently dropped part of {what}; no single fact fails on its own")

    def _run_actions(self, state_offset: int, what: str) -> None:
        outcome: list[tuple[Any, Any]] = []
        try:
            with _quiet():
                self._ruleset.do_actions(state_offset, lambda error, state: outcome.append((error, state)))
        except Exception as exc:
            raise _engine_error(exc, f"run the actions for {what}") from exc
        if self._failure is not None:
            rule, failure = self._failure
            self._failure = None
            if not isinstance(failure, Exception):
                raise failure  # KeyboardInterrupt, SystemExit: not the rule's fault
            raise RuleActionError(f"rule {rule!r}: {type(failure).__name__}: {failure}") from failure
        if not outcome:
            raise RulesEngineError(
                f"durable-rules left an action for {what} unfinished (it drops an action that runs longer than 10 s)"
            )
        error, state = outcome[-1]
        if error is not None:
            raise _engine_error(error, f"run the actions for {what}") from error
        if isinstance(state, dict) and "exception" in state:
            raise RuleActionError(f"an action failed inside durable-rules: {state['exception']}")

    # -- lifetime -----------------------------------------------------------------------------------------------

    def close(self) -> None:
        """Delete the session's engine state and ruleset and drop the host; calling it again does nothing.

        Raises:
            RulesEngineError: the engine could not delete the state or ruleset
                (everything is dropped all the same).
        """
        if self._closed:
            return
        self._closed = True
        ruleset, host = self._ruleset, self._host
        self._ruleset = self._host = None
        self._fired, self._derived, self._failure = [], [], None
        if ruleset is not None:
            ruleset._handle = 0  # a stale handle would address the next ruleset created (FIFO reuse)
            ruleset._actions = {}
            ruleset._host = None
        if host is not None:
            host._ruleset_directory = {}
            host._ruleset_list = []
            host._sgassure_actions = {}
        problems = self._finalizer() or []
        if problems:
            raise RulesEngineError("; ".join(problems))

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def _describe_chunk(chunk: Sequence[_Prepared], renamed: Mapping[str, str]) -> str:
    if not chunk:
        return "the session's opening assert (internal facts only)"
    ids: Iterable[str] = (renamed.get(p.engine_id, p.engine_id) for p in chunk[:3])
    shown = ", ".join(repr(i) for i in ids) + (", ..." if len(chunk) > 3 else "")
    return f"{len(chunk)} fact{'s' if len(chunk) != 1 else ''} ({shown})"
