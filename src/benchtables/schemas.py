"""The entry format as pydantic models, generated from the declarations of :mod:`benchtables.kinds`.

``Score``, ``Model``, ``Source``… are what Python code builds records with and what the JSON
Schema of entry files (``benchtables schema``) describes. They are generated from the same
field declarations the validation engine checks, and a record or declaration is validated by
that engine (:func:`benchtables.validation.records.check_table` on one row): a ``Score`` built
in Python and a score in an entry file are accepted and rejected alike, with the same codes.
The registry's models (``Metric``, ``Benchmark``, ``Suite``, ``Hardware``) are configuration
and validate with pydantic's own checks, generated from their declarations too.

Classes are built on first use (``from benchtables.schemas import Score``), so commands that
only validate files never pay for them.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Annotated, Any, Literal

if TYPE_CHECKING:
    from pydantic import BaseModel
    from pydantic.config import JsonDict

    from benchtables.spec import Field as FieldSpec
    from benchtables.spec import Table

__all__ = [
    "Benchmark",
    "EntryFile",
    "Hardware",
    "Metric",
    "Model",
    "Sampling",
    "Score",
    "Source",
    "Suite",
    "SuiteMember",
    "Training",
    "Utilization",
    "entry_schema",
    "model_class",
]

_CLASS_TABLES = {
    "Source": "sources", "Model": "models", "Score": "scores", "Training": "training", "Utilization": "utilization",
    "Sampling": "sampling", "Metric": "metrics", "Benchmark": "benchmarks", "Suite": "suites",
    "SuiteMember": "suite_members", "Hardware": "hardware",
}


def _table(name: str) -> Table:
    from benchtables import kinds

    tables = {**kinds.DECLARATIONS, **kinds.RECORDS, **kinds.REGISTRY, "suite_members": kinds.SUITE_MEMBERS}
    return tables[name]


def _annotation(spec: FieldSpec, engine: bool) -> Any:
    """The Python type of a field, with the constraints JSON Schema can state."""
    from pydantic import BeforeValidator
    from pydantic import Field as PydField

    from benchtables.spec import Flag, Nested, Number, Text, TextList, TextMap, normalize_text

    kind = spec.type
    base: Any
    before: list[Any] = []
    if isinstance(kind, Text):
        base = str if kind.choices is None else Literal[kind.choices]
        if kind.pattern:
            base = Annotated[base, PydField(pattern=kind.pattern)]
        if not engine:
            form = kind.form
            before.append(BeforeValidator(lambda v: normalize_text(v, form) if isinstance(v, str) else v))
    elif isinstance(kind, Number):
        base = int if kind.integer else float
        bounds: dict[str, Any] = {k: v for k, v in (("gt", kind.gt), ("ge", kind.ge), ("le", kind.le)) if v is not None}
        if bounds:
            base = Annotated[base, PydField(**bounds)]
        if kind.quantity is not None:
            base = base | str  # "70B", "≈7M"
    elif isinstance(kind, Flag):
        base = bool
    elif isinstance(kind, TextList):
        item: Any = str
        if kind.item.pattern:
            item = Annotated[str, PydField(pattern=kind.item.pattern)]
        base = list[item]
        if engine:
            base = base | str
        else:
            form = kind.item.form
            before.append(BeforeValidator(lambda v: [normalize_text(x, form) if isinstance(x, str) else x
                                                     for x in ([v] if isinstance(v, str) else v)]
                                          if isinstance(v, str | list) else v))
    elif isinstance(kind, TextMap):
        base = dict[str, str]
    elif isinstance(kind, Nested):
        member = model_class(kind.table.name)
        base = list[member] if kind.many else member  # type: ignore[valid-type]
    else:  # pragma: no cover - every field type is handled above
        raise TypeError(kind)
    optional = not spec.required
    annotation: Any = base | None if optional and not isinstance(kind, TextList | TextMap) else base
    return Annotated[annotation, *before] if before else annotation


@cache
def model_class(name: str) -> type[BaseModel]:
    """The pydantic model of a declared table (``scores``, ``models``, ``benchmarks``…)."""
    from pydantic import Field as PydField
    from pydantic import create_model

    table = _table(name)
    engine = name in ("sources", "models", "scores", "training", "utilization", "sampling")
    fields: dict[str, Any] = {}
    for spec in table.fields:
        default: Any = ... if spec.required else spec.default
        extra: JsonDict | None = {"unit": spec.unit} if spec.unit else None
        if isinstance(default, list | dict):
            info = PydField(default_factory=type(default), description=spec.doc, json_schema_extra=extra)
        else:
            info = PydField(default=default, description=spec.doc, json_schema_extra=extra)
        fields[spec.name] = (_annotation(spec, engine), info)
    class_name = next(k for k, v in _CLASS_TABLES.items() if v == name)
    bases = _registry_bases()
    base: type[BaseModel] = _checked_base() if engine else bases.get(name, bases["config"])
    model = create_model(class_name, __base__=base, __doc__=table.doc, **fields)
    model.TABLE = table  # type: ignore[attr-defined]
    return model


@cache
def _registry_bases() -> dict[str, type[BaseModel]]:
    """What registry models have beyond their fields: a metric knows whether it is a percentage;
    a benchmark's primary metric defaults to its first and must be one of its metrics."""
    from pydantic import BaseModel, ConfigDict, model_validator
    from pydantic_core import PydanticCustomError

    class Config(BaseModel):
        model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, allow_inf_nan=False)

    class MetricBase(Config):
        @property
        def is_percent(self) -> bool:
            return bool(self.unit == "percent")  # type: ignore[attr-defined]

    class BenchmarkBase(Config):
        if TYPE_CHECKING:  # fields of the generated model
            metrics: list[str]
            primary: str | None

        @model_validator(mode="after")
        def _primary(self) -> BenchmarkBase:
            metrics = self.metrics
            if self.primary is None:
                self.primary = metrics[0] if metrics else None
            elif self.primary not in metrics:
                raise PydanticCustomError("primary_not_listed", "primary metric {p!r} is not in metrics",
                                          {"p": self.primary})
            return self

    return {"config": Config, "metrics": MetricBase, "benchmarks": BenchmarkBase}


@cache
def _checked_base() -> type[BaseModel]:
    from pydantic import BaseModel, ConfigDict, model_validator

    class Checked(BaseModel):
        """A declaration or record, validated by the engine that validates entry files."""

        model_config = ConfigDict(extra="forbid")

        @model_validator(mode="before")
        @classmethod
        def _engine(cls, data: Any) -> Any:
            """The engine's checks and canonical values; pydantic then only holds them."""
            if isinstance(data, cls):
                return data
            from benchtables.validation.records import check_one

            return check_one(cls.TABLE, data, cls.__name__)  # type: ignore[attr-defined]

    return Checked


def __getattr__(name: str) -> Any:
    if name in _CLASS_TABLES:
        return model_class(_CLASS_TABLES[name])
    if name == "EntryFile":
        return _entry_file()
    raise AttributeError(f"module 'benchtables.schemas' has no attribute {name!r}")


@cache
def _entry_file() -> type[BaseModel]:
    from pydantic import ConfigDict, Field, create_model

    from benchtables.kinds import RECORDS
    from benchtables.names import ID_PATTERN

    source = __getattr__("Source")
    sections: dict[str, Any] = {
        "source": (source | Annotated[str, Field(pattern=ID_PATTERN, description="Id of a source declared in "
                                                 "another entry file")], ...),
        "models": (list[__getattr__("Model")], Field(default_factory=list)),  # type: ignore[misc]
    }
    for kind in RECORDS:
        cls = __getattr__(next(k for k, v in _CLASS_TABLES.items() if v == kind))
        sections[kind] = (list[cls], Field(default_factory=list))  # type: ignore[valid-type]
    return create_model("EntryFile", __config__=ConfigDict(
        extra="forbid", title="benchtables entry file",
        json_schema_extra={"description": "Numbers from one source, with where in the source each stands."}),
        **sections)


def entry_schema() -> dict[str, Any]:
    """The JSON Schema of an entry file, for editors (yaml-language-server) and other tools.

    Quantity fields accept a number or text (``70B``); the schema cannot check references
    (a model declared elsewhere, a registry benchmark) or units: ``benchtables validate`` does.
    """
    schema = _entry_file().model_json_schema(mode="validation")
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": "urn:benchtables:entry-file:1", **schema}
