"""Validating one record, without positions: pydantic for the fields, then the record's rules.

Entry files add file, line and column to what this finds (:mod:`benchtables.entries`); the
columnar validator (:mod:`benchtables.columnar`) is held to the same verdicts by a property
test that runs both on the same records.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Annotated, Any

from pydantic import BaseModel, Field, ValidationError, create_model

from benchtables.rules import Context, Violation
from benchtables.schemas import Record

__all__ = ["FieldCheck", "apply_rules", "check_fields", "check_record"]


@dataclass
class FieldCheck:
    """What pydantic made of a record's fields."""

    instance: BaseModel | None  #: the model, when every field is right
    values: dict[str, Any]  #: values of the fields that are right
    valid: set[str]  #: names of those fields
    error: ValidationError | None = None
    #: A record-level error (not about one field): nothing is known to be right.
    whole: bool = False


@cache
def _partial(cls: type[BaseModel]) -> type[BaseModel]:
    """``cls`` with every field optional: validates the fields that are right in a record that is not."""
    fields: dict[str, Any] = {}
    for name, info in cls.model_fields.items():
        annotation = info.annotation | None  # type: ignore[operator]
        if info.metadata:
            annotation = Annotated[annotation, *info.metadata]  # type: ignore[valid-type]
        fields[name] = (annotation, Field(default=None))
    # Fields and their own validators only: whole-record validators assume the required fields.
    return create_model(f"Partial{cls.__name__}", __config__=cls.model_config, **fields)


def check_fields(cls: type[BaseModel], raw: Mapping[str, Any]) -> FieldCheck:
    """Validate the fields of one mapping against ``cls``.

    A key with no value counts as missing; an unknown key stays, so that it is reported.
    """
    data = {k: v for k, v in raw.items() if v is not None or k not in cls.model_fields}
    try:
        instance = cls.model_validate(data)
        return FieldCheck(instance, instance.model_dump(), set(cls.model_fields))
    except ValidationError as exc:
        error = exc
    bad = {str(e["loc"][0]) for e in error.errors() if e["loc"]}
    if any(not e["loc"] for e in error.errors()):
        return FieldCheck(None, {}, set(), error, whole=True)
    rest = {k: v for k, v in data.items() if k not in bad and k in cls.model_fields}
    try:
        partial = _partial(cls).model_validate(rest)
    except ValidationError:
        return FieldCheck(None, {}, set(), error, whole=True)
    valid = set(cls.model_fields) - bad
    return FieldCheck(None, {k: v for k, v in partial.model_dump().items() if k in valid}, valid, error)


def apply_rules(cls: type[Record], values: dict[str, Any], valid: set[str], ctx: Context) -> list[Violation]:
    """Run ``cls.RULES`` on the valid fields, in order; a field a rule rejects is not used by later rules."""
    found: list[Violation] = []
    for rule in cls.RULES:
        if not set(rule.inputs) <= valid:
            continue
        for violation in rule.check(values, ctx):
            found.append(violation)
            if violation.field:
                valid.discard(violation.field)
    return found


@dataclass
class Checked:
    values: dict[str, Any]
    errors: list[tuple[str | None, str]] = field(default_factory=list)  #: (field, code)

    @property
    def ok(self) -> bool:
        return not self.errors


def check_record(cls: type[Record], raw: Mapping[str, Any], ctx: Context) -> Checked:
    """Every error of one record as (field, code): the per-record path in one call."""
    checked = check_fields(cls, raw)
    errors = [(str(e["loc"][0]) if e["loc"] else None, e["type"]) for e in checked.error.errors()] if checked.error else []
    if not checked.whole:
        errors += [(v.field, v.code) for v in apply_rules(cls, checked.values, checked.valid, ctx)]
    return Checked(checked.values, errors)
