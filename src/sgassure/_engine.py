"""A private, isolated durable-rules session: assert facts, get the matches back.

This module and ``_compile`` are the only places that touch durable-rules 2.0.28,
and this one imports it lazily, inside functions, so that ``import sgassure``
works where the engine is not installed. Section numbers (§) refer to
``notes/durable-rules.md``; ``#N`` are issues of jruizgit/rules. The rule checks
and error codes are in ``_engine_checks``; ``_engine_wire`` makes the engine
ids and the JSON text each fact is sent as.

What the wrapper works around, and how:

* **Isolation and leaks (§2.6, §6.2, §0.5, #262).** A session drives the C
  core (``durable_rules_engine``) directly and never builds durable's Python
  ``Host`` or ``Ruleset``: a default ``Host`` starts two timer threads that
  never stop, pin the host and keep its C memory forever, and its ``Promise``
  and ``Closure`` wrappers cost tens of microseconds per action (§4.6). Each
  session creates exactly one ruleset, always named ``"sgassure"``, runs the
  actions itself (``start_action_for_state``, then ``complete_and_start_action``
  until none is pending; the engine's state fact is never rewritten), and
  :meth:`Session.close` calls ``delete_state`` and ``delete_ruleset`` and zeroes
  the handle: deleted C handles are reused first in, first out, so a stale
  handle would later address someone else's ruleset. A session that is garbage
  collected unclosed is released by a ``weakref.finalize``.
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
  other Linux targets). The engine therefore never sees the caller's ids: each
  fact gets a fresh five-character ASCII engine id whose hash differs from those
  of every id the session gave out before, of the state fact ``sid-0``, of the
  sid and of the internal head fact (ids are drawn in order, their hashes built
  byte by byte from their prefixes' hashes, and any id whose hash is taken is
  skipped). Matches give back the caller's own fact, found by its engine id.
* **Facts cut to what the rules read.** Before a fact is serialised it is cut
  down to ``id``, ``kind`` and the top-level keys some rule condition reads (a
  nested name ``a.b`` keeps all of ``a``); a key no condition reads cannot change
  a match, and the engine's parsing and per-property limits then apply only to
  what it must see. Where a rule has a shape the session does not understand,
  facts are sent whole.
* **Unmatched facts and batches (§2.5, §3.4, #286).** Facts are asserted in
  chunks with the low-level ``durable_rules_engine.assert_facts`` and then the
  pending actions are run whatever the result code; durable's
  ``Host.assert_facts`` would raise ``MessageNotHandledException`` for one
  unmatched fact and leave the other facts' actions pending.
* **Batches that stop silently (found while writing this module).** The C batch
  call (``handleMessages``) stops at the first fact it cannot read (more than
  253 properties, a value of 16 MiB, JSON it misparses) and returns success:
  that fact and every later one in the chunk are dropped without a word, and
  when it is the first fact, the returned state offset is uninitialised and
  running the actions segfaulted. Each chunk is therefore framed: a head fact that
  matches nothing (it sets the state offset) and a tail fact, with a fresh id,
  that an internal rule must fire. If the tail did not fire, the chunk's facts
  are asserted again one by one (facts already read give code 2 or 1), which
  names the failing fact and its error code, and the session raises.
* **Swallowed action errors (§3.5, #350).** durable's ``Promise`` stores an
  action's exception as a string in the session state and carries on. The
  session calls ``on_match`` itself, catches every exception, skips the
  remaining matches of the chunk, and raises
  :class:`~sgassure.errors.RuleActionError` (chained with ``from``) once the
  pending actions are completed. Derived facts returned by ``on_match`` are
  queued and asserted after the chunk's actions, never from inside an action
  (an assert inside an action that matches nothing raises there, #350).
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
  numbers rewritten ``1.0e-07`` (only facts holding a float or a container are
  scanned); rules holding such floats are refused.
* **Crashes on cross-fact comparisons (§3.7, #381).** A non-equality comparison
  with another fact reads uninitialised memory unless it sits inside ``$or``.
  The compiler wraps them; the session refuses a rule where one is not inside
  an ``$or``.
* **Equalities after an ``$or`` (found by the rule-pack linter's tests).** An
  equality with another fact's field that follows an ``$or`` in the same
  ``$and`` is ignored: the pattern matches whatever that field holds. The
  session gives the engine a copy of the rules with every ``$and``'s plain
  equalities first (their order, and the meaning of the ``$and``, unchanged).
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
* **Python 3.12 (§1).** durable's Python actions call
  ``datetime.utcfromtimestamp``, which warns ``DeprecationWarning`` on 3.12;
  the session runs none of durable's Python code, so nothing warns.

Order of matches: a session returns matches in the engine's firing order, which
is an implementation detail (§3.10: grouped by rule, newest fact first, within a
batch). Callers must sort the matches by a key of their own.

Threads: a session is single-threaded; durable never releases the GIL (§3.8).
"""

from __future__ import annotations

import contextlib
import json
import weakref
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, Final, NamedTuple, NoReturn

import attrs

from sgassure._engine_checks import (
    _PER_RULE_CODES,
    _TAIL_RULE,
    ENGINE_CODES,
    _Binding,
    _check_rule,
    _describe_code,
    _engine_error,
    _equalities_first,
    _error_code,
    _read_fields,
)
from sgassure._engine_wire import (
    _EXPONENT_HINT,
    _PLAIN_TYPES,
    _encode,
    _engine_ids,
    _fix_exponents,
    _json_default,
    engine_id_hashes,
)
from sgassure.errors import RuleActionError, RulesEngineError

__all__ = ["ENGINE_CODES", "RULESET_NAME", "Match", "Session", "engine_id_hashes"]

RULESET_NAME: Final = "sgassure"
"""The name of every session's one ruleset; each session has its own handle, so it never clashes."""

_SID: Final = "0"
_STATE_ID: Final = f"sid-{_SID}"
_TAIL_KIND: Final = "\x00sgassure:tail"
_HEAD_FACT: Final = {"id": "\x00sgassure:head", "kind": "\x00sgassure:head"}
_HEAD_TEXT: Final = json.dumps(_HEAD_FACT)

_RESERVED_FACT_KEYS: Final = {
    "sid": "'sid' selects the engine's state partition",
    "$s": "'$s' marks the engine's state fact",
}


@attrs.frozen(kw_only=True)
class Match:
    """One firing of a rule: its name and, per positive alias, the matched fact.

    ``facts`` holds, per alias, the caller's own fact as it was asserted (the
    same object, with every key, not the cut-down copy the engine saw). Negated
    aliases have no fact.

    Examples:
        >>> Match(rule="r1", facts={"m": {"id": "a1", "kind": "assessment"}}).facts["m"]["id"]
        'a1'
    """

    rule: str
    facts: Mapping[str, Mapping[str, Any]]


class _Prepared(NamedTuple):
    text: str
    engine_id: str
    fact: Mapping[str, Any]


class _Handle:
    """The C ruleset handle, shared with the finalizer (which must not reference the session)."""

    __slots__ = ("value",)

    def __init__(self) -> None:
        self.value = 0


def _dre() -> Any:
    try:
        import durable_rules_engine  # noqa: PLC0415 - lazy: sgassure imports without the engine
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise RulesEngineError(
            "the rules engine durable-rules 2.0.28 is not installed or does not import "
            f"(it builds from source for Python 3.11 and 3.12 only): {exc}"
        ) from exc
    return durable_rules_engine


def _release(handle: _Handle) -> list[str]:
    """Free the session's C state and ruleset; never raises (it may run from the garbage collector)."""
    value, handle.value = handle.value, 0
    if not value:
        return []
    problems: list[str] = []
    try:
        dre = _dre()
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


class Session:
    """One private, thread-free engine ruleset and state, used for one evaluation.

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
        omit_none: leave out keys whose value is None, so that the engine sees
            them as absent (``$nex`` holds, comparisons do not apply).

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
        omit_none: bool = False,
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
        self._facts: dict[str, Mapping[str, Any]] = {}  # engine id -> the caller's fact
        taken: set[int] = set()
        for reserved in (_SID, _STATE_ID, _HEAD_FACT["id"]):
            taken |= engine_id_hashes(reserved)
        self._new_id = _engine_ids(taken).__next__
        self._tail_seen = False
        self._bindings = {name: _check_rule(name, rule) for name, rule in rules.items()}
        fields = _read_fields(rules)
        self._fields = fields
        self._omit_none = omit_none
        definition = {
            **{name: _equalities_first(rule) for name, rule in rules.items()},
            _TAIL_RULE: {"all": [{"m": {"kind": _TAIL_KIND}}]},
        }
        try:
            text = json.dumps(definition, ensure_ascii=False, allow_nan=False, default=_json_default)
        except (TypeError, ValueError) as exc:
            raise RulesEngineError(f"the rules cannot be given to the engine: {exc}") from exc
        self._handle = _Handle()
        self._finalizer = weakref.finalize(self, _release, self._handle)
        try:
            self._register(text, definition)
            self._assert_chunk([])  # runs the tail action once: delete_state is safe from now on
        except BaseException:
            self._broken = "construction failed"
            with contextlib.suppress(RulesEngineError):
                self.close()
            raise

    # -- construction -------------------------------------------------------------------------------------------

    def _register(self, text: str, definition: Mapping[str, Any]) -> None:
        dre = _dre()
        try:
            self._handle.value = dre.create_ruleset(RULESET_NAME, text)
        except (dre.error, MemoryError) as exc:
            code = _error_code(exc)
            culprit = self._culprit(definition) if code in _PER_RULE_CODES else None
            where = f" (rule {culprit!r})" if culprit is not None else ""
            message = f"durable-rules could not create the ruleset{where}: {_describe_code(code)}"
            raise RulesEngineError(message) from exc
        except Exception as exc:
            raise _engine_error(exc, "create the ruleset") from exc

    def _culprit(self, definition: Mapping[str, Any]) -> str | None:
        """The first rule that the engine refuses on its own, if any."""
        dre = _dre()
        for name in self._bindings:
            body = definition[name]
            try:
                text = json.dumps({name: body}, ensure_ascii=False, default=_json_default)
                handle = dre.create_ruleset("sgassure-probe", text)
            except (dre.error, MemoryError):
                return name
            with contextlib.suppress(dre.error):
                dre.delete_ruleset(handle)
        return None

    def _dispatch(self, text: str) -> None:
        """Run the action of one pending match; a failure is kept for :meth:`_run_actions` to raise."""
        message = json.loads(text)
        name, match = next(iter(message.items())) if isinstance(message, dict) and message else (None, None)
        if name == _TAIL_RULE:
            self._tail_seen = True
            return
        if self._failure is not None:
            return  # the chunk failed: complete the remaining actions without running them
        try:
            binding = self._bindings.get(name) if isinstance(name, str) else None
            if binding is None:
                raise RulesEngineError(f"the engine reported a match for an unknown rule {name!r}")
            self._fire(binding, match)
        except BaseException as exc:  # noqa: BLE001 - re-raised by _run_actions once the actions are completed
            self._failure = (str(name), exc)

    # -- facts --------------------------------------------------------------------------------------------------

    def _fire(self, binding: _Binding, message: Any) -> None:
        if not isinstance(message, dict):
            raise RulesEngineError(f"expected one fact per alias from the engine; got {type(message).__name__}")
        facts: dict[str, Mapping[str, Any]] = {}
        for alias in binding.aliases:
            raw = message.get(alias)
            if raw is None:
                if binding.any:
                    continue
                raise RulesEngineError(f"the engine's match has no fact for the alias {alias!r}")
            if not isinstance(raw, dict):
                raise RulesEngineError(f"the engine's match for the alias {alias!r} is not a fact")
            found = self._facts.get(raw.get("id", ""))
            if found is None:
                raise RulesEngineError(f"the engine's match for the alias {alias!r} is not a fact of this session")
            facts[alias] = found
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
        fields, omit_none, known, new_id = self._fields, self._omit_none, self._ids, self._new_id
        for index, fact in enumerate(facts):
            if not isinstance(fact, Mapping):
                raise RulesEngineError(f"fact {index}{origin}: expected a mapping; got {type(fact).__name__}")
            fact_id = fact.get("id")
            if not isinstance(fact_id, str) or not fact_id or not isinstance(fact.get("kind"), str) or fact_id in known:
                self._refuse(index, origin, fact, ids)
            if "sid" in fact or "$s" in fact or fact_id in ids:
                self._refuse(index, origin, fact, ids)
            engine_id = new_id()
            if fields is None:
                payload = {k: v for k, v in fact.items() if v is not None} if omit_none else dict(fact)
            elif omit_none:
                payload = {k: v for k, v in fact.items() if v is not None and k in fields}
            else:
                payload = {k: v for k, v in fact.items() if k in fields}
            payload["id"] = engine_id
            try:
                text = _encode(payload)
            except (TypeError, ValueError, RecursionError) as exc:
                raise RulesEngineError(
                    f"fact {index}{origin} (id {fact_id!r}): cannot be given to the engine: {exc}"
                ) from exc
            if not _PLAIN_TYPES.issuperset(map(type, payload.values())) and _EXPONENT_HINT.search(text):
                text = _fix_exponents(text)
            ids.add(fact_id)
            prepared.append(_Prepared(text, engine_id, fact))
        self._ids |= ids
        self._facts.update((p.engine_id, p.fact) for p in prepared)
        return prepared

    def _refuse(self, index: int, origin: str, fact: Mapping[str, Any], ids: set[str]) -> NoReturn:
        """Raise the error for a fact that has no usable id or kind, has a reserved key, or repeats an id."""
        where = f"fact {index}{origin}"
        fact_id = fact.get("id")
        if not isinstance(fact_id, str) or not fact_id:
            raise RulesEngineError(f"{where}: every fact needs a non-empty string 'id'; got {fact_id!r}")
        where = f"{where} (id {fact_id!r})"
        if not isinstance(fact.get("kind"), str):
            raise RulesEngineError(f"{where}: every fact needs a string 'kind'; got {fact.get('kind')!r}")
        for key, why in _RESERVED_FACT_KEYS.items():
            if key in fact:
                raise RulesEngineError(f"{where}: the key {key!r} is reserved: {why}")
        raise RulesEngineError(f"{where}: a fact with this id was already asserted in this session")

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
        """A fresh fact for the internal rule, with an engine id of its own."""
        return json.dumps({"id": self._new_id(), "kind": _TAIL_KIND})

    def _assert_chunk(self, chunk: Sequence[_Prepared]) -> None:
        """One batch assert framed by two internal facts, then the actions it caused.

        The engine's batch call stops at the first fact it cannot read (too many
        properties, a value too large, JSON it misparses) and returns success: that
        fact and the rest of the chunk are dropped silently, and if it was the first
        fact, the state offset returned is uninitialised (running its actions then crashed).
        A head fact that matches nothing makes the offset valid; a tail fact whose
        internal rule must fire proves the whole chunk was read.
        """
        dre = _dre()
        what = _describe_chunk(chunk)
        text = "[" + ",".join([_HEAD_TEXT, *(p.text for p in chunk), self._tail()]) + "]"
        self._tail_seen = False
        try:
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
            fact_id = prepared.fact["id"]
            try:
                dre.assert_fact(self._handle.value, prepared.text)
            except (dre.error, MemoryError) as exc:
                doing = f"assert the fact {fact_id!r} (it and the facts after it were dropped)"
                raise _engine_error(exc, doing) from exc
        raise RulesEngineError(f"durable-rules silently dropped part of {what}; no single fact fails on its own")

    def _run_actions(self, state_offset: int, what: str) -> None:
        """Run every pending action of the state, one match at a time, then raise a failure an action kept."""
        dre = _dre()
        handle = self._handle.value
        try:
            pending = dre.start_action_for_state(handle, state_offset)
            text = pending[1] if pending else None
            while text:
                self._dispatch(text)
                text = dre.complete_and_start_action(handle, state_offset)
        except (dre.error, MemoryError) as exc:
            raise _engine_error(exc, f"run the actions for {what}") from exc
        if self._failure is not None:
            rule, failure = self._failure
            self._failure = None
            if not isinstance(failure, Exception):
                raise failure  # KeyboardInterrupt, SystemExit: not the rule's fault
            raise RuleActionError(f"rule {rule!r}: {type(failure).__name__}: {failure}") from failure

    # -- lifetime -----------------------------------------------------------------------------------------------

    def close(self) -> None:
        """Delete the session's engine state and ruleset; calling it again does nothing.

        Raises:
            RulesEngineError: the engine could not delete the state or ruleset
                (everything is dropped all the same).
        """
        if self._closed:
            return
        self._closed = True
        self._fired, self._derived, self._failure = [], [], None
        problems = self._finalizer() or []
        if problems:
            raise RulesEngineError("; ".join(problems))

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def _describe_chunk(chunk: Sequence[_Prepared]) -> str:
    if not chunk:
        return "the session's opening assert (internal facts only)"
    ids: Iterable[str] = (str(p.fact["id"]) for p in chunk[:3])
    shown = ", ".join(repr(i) for i in ids) + (", ..." if len(chunk) > 3 else "")
    return f"{len(chunk)} fact{'s' if len(chunk) != 1 else ''} ({shown})"
