"""The fields of each category: a JSON dossier's values checked against the catalog.

Every content category carries a closed JSON Schema in the taxonomy (`fields`). A value
that does not fit is refused before anything is stored, so that a reason for absence or
a diagnosis cannot travel inside a category the flow allows. A misfit is reported by
its path and the kind of problem, never by the value: the value, and any field name
the sender made up, may be personal data.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from jsonschema import Draft202012Validator, TypeChecker
from jsonschema.exceptions import SchemaError, ValidationError
from jsonschema.validators import extend

# What went wrong, by JSON Schema keyword; the words are ours, never the library's
# message (which quotes the value).
_PROBLEMS = {
    "additionalProperties": "holds a field the catalog does not list",
    "required": "misses a required field",
    "enum": "is not one of the values the catalog lists",
    "type": "has the wrong type",
    "format": "is not in the required format",
    "pattern": "is not in the required format",
    "minLength": "is too short",
    "maxLength": "is too long",
    "minItems": "has too few entries",
    "maxItems": "has too many entries",
    "minimum": "is below the allowed range",
    "maximum": "is above the allowed range",
}
MAX_MISFITS = 20


@dataclass(frozen=True, slots=True)
class Misfit:
    """One place where a dossier does not fit: `path` names only catalog fields."""

    path: str
    problem: str

    def to_dict(self) -> dict[str, str]:
        return {"path": self.path, "problem": self.problem}


def _finite_number(checker: TypeChecker, instance: object) -> bool:
    # NaN and Infinity are no JSON numbers, and compare false with every bound.
    base = Draft202012Validator.TYPE_CHECKER.is_type(instance, "number")
    return base and not (isinstance(instance, float) and not math.isfinite(instance))


_FiniteValidator = extend(  # type: ignore[no-untyped-call]
    Draft202012Validator,
    type_checker=Draft202012Validator.TYPE_CHECKER.redefine("number", _finite_number),
)


def validator(schema: Mapping[str, Any]) -> Draft202012Validator:
    check: Draft202012Validator = _FiniteValidator(
        schema, format_checker=Draft202012Validator.FORMAT_CHECKER
    )
    return check


def schema_errors(name: str, schema: Mapping[str, Any], example: Any) -> Iterator[str]:
    """Why the `fields` of category `name` cannot be used: invalid, open, or the
    example does not fit."""
    try:
        Draft202012Validator.check_schema(schema)
    except SchemaError as exc:
        yield f"category '{name}': fields are not a valid JSON Schema: {exc.message}"
        return
    for where in _open_objects(schema, name):
        yield f"category '{name}': {where} must set additionalProperties: false"
    if example is None:
        yield f"category '{name}': fields need an example that fits them"
    else:
        for misfit in misfits_of(validator(schema), name, example):
            yield f"category '{name}': the example {misfit.path} {misfit.problem}"


def _open_objects(schema: Any, where: str) -> Iterator[str]:
    """Every object schema that lets unlisted fields through."""
    if isinstance(schema, dict):
        is_object = schema.get("type") == "object" or "properties" in schema
        if is_object and schema.get("additionalProperties") is not False:
            yield where
        for key, value in schema.items():
            if key in ("properties", "$defs"):
                for name, sub in value.items():
                    yield from _open_objects(sub, f"{where}.{name}")
            elif key in ("items", "additionalProperties", "contains", "not"):
                yield from _open_objects(value, f"{where}[]" if key == "items" else where)
            elif key in ("anyOf", "oneOf", "allOf", "prefixItems"):
                for sub in value:
                    yield from _open_objects(sub, where)


def misfits_of(check: Draft202012Validator, category: str, value: Any) -> Iterator[Misfit]:
    errors = sorted(check.iter_errors(value), key=lambda e: [str(p) for p in e.absolute_path])
    for error in errors:
        yield Misfit(_path(category, error), _PROBLEMS.get(str(error.validator), "does not fit"))


def _path(category: str, error: ValidationError) -> str:
    # Only names the schema defines appear in `absolute_path`: with every object closed,
    # validation never descends into a field the sender invented.
    path = category
    for part in error.absolute_path:
        path += f"[{part}]" if isinstance(part, int) else f".{part}"
    return path


def dossier_misfits(
    validators: Mapping[str, Draft202012Validator], dossier: Mapping[str, Any]
) -> list[Misfit]:
    """Where the dossier does not fit its categories' fields; [] when it fits.

    A category without fields (unknown, or structure) is refused as not fitting: the
    policy decision has already refused unknown ones, so this only fails closed.
    """
    found: list[Misfit] = []
    for category in sorted(dossier):
        check = validators.get(category)
        if check is None:
            found.append(Misfit(category, "has no fields in the catalog"))
        else:
            found.extend(misfits_of(check, category, dossier[category]))
        if len(found) >= MAX_MISFITS:
            break
    return found[:MAX_MISFITS]
