"""Facts given by name (`--fact name=value`): every field a decision can depend on.

The names are the fields of `Request`, of its `Preconditions` and of its `ConsentState`
(with `consent_categories` for the consent's own `categories`, and `gezag_holders`), read from the
dataclasses themselves: a fact the engine learns to read is one `explain` can be given,
without a new option. A repeated name adds to a collection; a mapping takes `key=value`.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Iterable, Mapping
from typing import Any

from policies.compiled import Catalog
from policies.model import ConsentState, Preconditions, Request

# Short names an FG types, for the fields' own names.
ALIASES = {
    "age": "subject_age",
    "hours": "absence_hours",
    "grantor": "granted_by",
    "meldcode_step": "meldcode_steps",
    "reason": "reasons",
    "consent_category": "consent_categories",
}
_TRUE = {"true", "ja", "yes", "1"}
_FALSE = {"false", "nee", "no", "0"}
# Fields that are not facts about the situation but the question itself.
_NOT_FACTS = {"sender_kind", "recipient_kind", "purpose", "categories", "action", "consent"}


class FactError(ValueError):
    pass


def _fields(cls: type) -> dict[str, Any]:
    hints = typing.get_type_hints(cls)
    return {f.name: hints[f.name] for f in dataclasses.fields(cls)}


def known_facts() -> list[str]:
    names = [n for n in _fields(Request) if n not in _NOT_FACTS and n != "preconditions"]
    names += list(_fields(Preconditions))
    names += ["granted_by", "consent_categories", "gezag_holders"]
    return sorted(set(names))


def known_text() -> str:
    """The fact names and their short names, for help texts and errors."""
    short = ", ".join(f"{alias} ({name})" for alias, name in sorted(ALIASES.items()))
    return f"{', '.join(known_facts())}; short names: {short}"


def check_closed(request: Request, catalog: Catalog) -> None:
    """FactError for a value a closed fact cannot take, naming the values it can.

    An unknown meldcode step or kind of absence would otherwise be judged as a step not
    taken or the strictest kind, and the explanation would answer another question.
    """
    roles = frozenset(catalog.grantor_roles)
    closed: list[tuple[str, Iterable[str], frozenset[str]]] = [
        ("meldcode_steps", request.meldcode_steps, catalog.meldcode_steps),
        ("meldcode_skipped", request.meldcode_skipped, catalog.meldcode_steps),
        (
            "absence_type",
            [request.absence_type] if request.absence_type else [],
            catalog.absence_kinds,
        ),
        ("requester", [request.requester] if request.requester else [], roles),
        ("granted_by", request.consent.granted_by if request.consent else (), roles),
    ]
    for name, given, known in closed:
        unknown = sorted(set(given) - known)
        if unknown:
            raise FactError(
                f"fact {name!r} does not know {', '.join(map(repr, unknown))}; known: "
                f"{', '.join(sorted(known))} (give several by repeating --fact {name}=...)"
            )


def apply_facts(request: Request, facts: Iterable[str]) -> Request:
    """`request` with each `name=value` fact set; FactError names an unknown or bad one."""
    plain: dict[str, Any] = {}
    pre: dict[str, Any] = {}
    consent: dict[str, Any] = {}
    request_fields = _fields(Request)
    pre_fields = _fields(Preconditions)
    consent_fields = {
        "granted_by": _fields(ConsentState)["granted_by"],
        "consent_categories": _fields(ConsentState)["categories"],
        "gezag_holders": _fields(ConsentState)["gezag_holders"],
    }
    for item in facts:
        name, sep, raw = item.partition("=")
        name = ALIASES.get(name.strip(), name.strip())
        if not sep:
            raise FactError(f"a fact is name=value: {item!r}")
        if name in consent_fields:
            target, hint = consent, consent_fields[name]
        elif name in pre_fields:
            target, hint = pre, pre_fields[name]
        elif name in request_fields and name not in _NOT_FACTS and name != "preconditions":
            target, hint = plain, request_fields[name]
        else:
            raise FactError(f"unknown fact {name!r}; known: {known_text()}")
        target[name] = _value(name, hint, raw.strip(), target.get(name))
    if pre:
        plain["preconditions"] = dataclasses.replace(request.preconditions, **pre)
    if consent:
        base = request.consent or ConsentState(())
        plain["consent"] = ConsentState(
            consent.get("granted_by", base.granted_by),
            consent.get("consent_categories", base.categories),
            consent.get("gezag_holders", base.gezag_holders),
        )
    return dataclasses.replace(request, **plain)


def _value(name: str, hint: Any, raw: str, before: Any) -> Any:
    hint = _strip_optional(hint)
    origin = typing.get_origin(hint)
    if origin in (tuple, frozenset, set, list):
        return (*(before or ()), raw) if origin is tuple else frozenset(before or ()) | {raw}
    if origin is not None and isinstance(origin, type) and issubclass(origin, Mapping):
        key, sep, value = raw.partition("=")
        if not sep:
            raise FactError(f"fact {name!r} takes key=value, e.g. {name}=gesprek=onveilig")
        return {**(before or {}), key: value}
    if hint is bool:
        if raw.lower() in _TRUE:
            return True
        if raw.lower() in _FALSE:
            return False
        raise FactError(f"fact {name!r} is true or false, not {raw!r}")
    if hint in (int, float):
        try:
            return hint(raw)
        except ValueError:
            raise FactError(f"fact {name!r} is a number, not {raw!r}") from None
    return raw


def _strip_optional(hint: Any) -> Any:
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(hint) if a is not type(None)]
        if len(args) == 1:
            return args[0]
    return hint
