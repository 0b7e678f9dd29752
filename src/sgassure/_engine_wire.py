"""The wire side of an engine session: engine ids and the JSON text the engine reads (private).

Split from :mod:`sgassure._engine`, whose module documentation explains why
(identity is a 32-bit hash; the engine mis-parses numbers like ``1e-07``).
:func:`engine_id_hashes` gives the FNV-1a-32 hashes under which the engine
stores an id; :func:`_engine_ids` draws fresh five-character ids whose hashes
are not taken; :func:`_encode` serialises a fact as the engine reads it and
:func:`_fix_exponents` rewrites the numbers it would misread.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Mapping
from typing import Any, Final

from sgassure.errors import RulesEngineError

__all__ = ["engine_id_hashes"]

_FNV_OFFSET: Final = 0x811C9DC5
_FNV_PRIME: Final = 0x01000193
_ID_ALPHABET: Final = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_"
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
    unsigned = _FNV_OFFSET
    for byte in data:
        unsigned = ((unsigned ^ byte) * _FNV_PRIME) & 0xFFFFFFFF
    if data.isascii():
        return frozenset((unsigned,))
    signed = _FNV_OFFSET
    for byte in data:
        signed = ((signed ^ (byte | 0xFFFFFF00 if byte >= 0x80 else byte)) * _FNV_PRIME) & 0xFFFFFFFF
    return frozenset((unsigned, signed))


def _engine_ids(taken: set[int]) -> Iterator[str]:
    """Five-character engine ids, in order, whose FNV-1a-32 hashes are not in ``taken``; each one's hash is added.

    The hash of an id is built from its four-character prefix's, so an id costs
    one multiplication; ASCII ids hash the same whether C's ``char`` is signed.

    Examples:
        >>> taken = set(engine_id_hashes("sid-0"))
        >>> ids = _engine_ids(taken)
        >>> first = [next(ids) for _ in range(3)]
        >>> first
        ['00000', '00001', '00002']
        >>> all(engine_id_hashes(i) <= taken for i in first) and len(taken) == 4
        True
    """
    codes = [(char, ord(char)) for char in _ID_ALPHABET]
    mask, prime = 0xFFFFFFFF, _FNV_PRIME
    for a, code_a in codes:
        hash_a = ((_FNV_OFFSET ^ code_a) * prime) & mask
        for b, code_b in codes:
            hash_b = ((hash_a ^ code_b) * prime) & mask
            for c, code_c in codes:
                hash_c = ((hash_b ^ code_c) * prime) & mask
                for d, code_d in codes:
                    hash_d = ((hash_c ^ code_d) * prime) & mask
                    prefix = a + b + c + d
                    for e, code_e in codes:
                        hashed = ((hash_d ^ code_e) * prime) & mask
                        if hashed not in taken:
                            taken.add(hashed)
                            yield prefix + e
    raise RulesEngineError("one session cannot take more facts: its engine ids are exhausted")


def _json_default(value: Any) -> Any:
    if isinstance(value, Mapping):
        return dict(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


_ENCODER: Final = json.JSONEncoder(ensure_ascii=False, allow_nan=False, default=_json_default, separators=(",", ":"))
# JSONEncoder.encode builds its C encoder on every call; one built once is about 40% faster per fact.
_C_ENCODER: Final = (
    None
    if json.encoder.c_make_encoder is None  # type: ignore[attr-defined]  # untyped private name
    else json.encoder.c_make_encoder(  # type: ignore[attr-defined]
        None, _json_default, _encode_string, None, ":", ",", False, False, False
    )
)


def _encode(value: Any) -> str:
    """JSON as the engine reads it (UTF-8, no NaN); raises TypeError/ValueError as ``json.dumps`` would."""
    if _C_ENCODER is None:  # pragma: no cover - CPython always has the C encoder
        return _ENCODER.encode(value)
    return "".join(_C_ENCODER(value, 0))


_PLAIN_TYPES: Final = frozenset({str, int, bool, type(None)})
"""Value types whose JSON text holds no float: a payload of only these needs no exponent check."""

# Python writes 1e-07 / 1e+16; the engine needs a fraction before an exponent.
_EXPONENT_HINT: Final = re.compile(r"\d[eE][-+]?\d")
_TOKEN: Final = re.compile(r'"(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?')


def _fix_exponents(text: str) -> str:
    """Rewrite numbers like ``1e-07`` as ``1.0e-07`` outside strings: the engine mis-parses the former."""

    def fix(token: re.Match[str]) -> str:
        word = token.group(0)
        if word[0] == '"' or "." in word or ("e" not in word and "E" not in word):
            return word
        mantissa, exponent = re.split(r"(?=[eE])", word, maxsplit=1)
        return f"{mantissa}.0{exponent}"

    return _TOKEN.sub(fix, text)
