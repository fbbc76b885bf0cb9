"""The entry format as pydantic models: sources, models, the registry and the record kinds.

Field types, ranges and units are declared here once. The per-record validator (pydantic,
for hand-written entry files) and the columnar validator (Arrow, for bulk inputs) both read
them; cross-field and reference rules are the rule objects in each record's ``RULES``
(see :mod:`benchtables.rules`).

Quantity fields accept the human forms of :func:`benchtables.units.parse_quantity` and hold
the canonical number. What the text said besides the number is kept: a bound (``>100B``)
and an approximation (``≈7M``) go into the record's ``qualifiers`` (``["parameters>",
"chip_hours~"]``); an approximation also sets ``estimated``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationInfo,
    ValidatorFunctionWrapHandler,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from benchtables import rules
from benchtables.errors import QuantityError
from benchtables.names import ID_HELP, ID_PATTERN
from benchtables.units import Kind, format_count, parse_quantity

__all__ = [
    "RECORD_KINDS",
    "TABLES",
    "Benchmark",
    "EntryFile",
    "Hardware",
    "Metric",
    "Model",
    "QuantitySpec",
    "Record",
    "Sampling",
    "Score",
    "Source",
    "Suite",
    "SuiteMember",
    "Training",
    "Utilization",
    "entry_schema",
    "normalize_label",
    "normalize_setting",
    "normalize_subset",
]



@dataclass(frozen=True, slots=True)
class QuantitySpec:
    """Marks a field as a quantity: what it measures and the unit words it accepts."""

    kind: Kind
    units: tuple[str, ...] = ()
    #: Unit of the stored number, for column metadata.
    unit: str | None = None


def _parse(spec: QuantitySpec) -> BeforeValidator:
    def parse(value: Any) -> Any:
        if value is None or isinstance(value, bool):
            return value  # let the field's type report a yes/no value
        try:
            return parse_quantity(value, spec.kind, spec.units).value
        except QuantityError as exc:
            raise PydanticCustomError("quantity_parsing", "{reason}", {"reason": str(exc)}) from None

    return BeforeValidator(parse, json_schema_input_type=float | str | None)


def _quantity(kind: Kind, *units: str, unit: str | None = None) -> tuple[QuantitySpec, BeforeValidator]:
    spec = QuantitySpec(kind, tuple(units), unit)
    return spec, _parse(spec)


def normalize_label(value: Any) -> Any:
    if isinstance(value, str):
        value = re.sub(r"\s+", " ", value.strip().lower())
        return value or None
    return value


def normalize_setting(value: Any) -> Any:
    """``"CoT, maj@1"`` and ``"maj@1+cot"`` are the same setting: ``cot,maj@1``."""
    value = normalize_label(value)
    if isinstance(value, str):
        parts = sorted({re.sub(r"\s+", "-", p.strip()) for p in re.split(r"[,+]", value) if p.strip()})
        return ",".join(parts) or None
    return value


def normalize_subset(value: Any) -> Any:
    """``"Social Sciences"`` and ``social-sciences`` name one subset: ``social_sciences``."""
    value = normalize_label(value)
    return re.sub(r"[\s-]+", "_", value) if isinstance(value, str) else value


def _dashed(value: Any) -> Any:
    value = normalize_label(value)
    return re.sub(r"\s+", "-", value) if isinstance(value, str) else value


def _as_list(value: Any) -> Any:
    return [value] if isinstance(value, str) else value


Id = Annotated[str, Field(pattern=ID_PATTERN, min_length=1, max_length=128, description=f"Id: {ID_HELP}")]
Ref = Annotated[str, Field(min_length=1, max_length=256)]
Text = Annotated[str, Field(min_length=1)]
Setting = Annotated[str | None, BeforeValidator(normalize_setting)]
Subset = Annotated[str | None, BeforeValidator(normalize_subset)]
Label = Annotated[str | None, BeforeValidator(normalize_label)]
Sampler = Annotated[str | None, BeforeValidator(_dashed)]

_PARAMS = ("parameters", "parameter", "params", "参数")
_TOKENS = ("tokens", "token", "tok")
_CHIPS = ("chips", "chip", "gpus", "gpu", "tpus", "tpu", "accelerators", "devices", "块", "张")
_THROUGHPUT = ("tokens/s", "tok/s", "tokens/sec", "tokens per second")

Parameters = Annotated[float | None, *_quantity(Kind.COUNT, *_PARAMS, unit="parameters"), Field(gt=0)]
Tokens = Annotated[float | None, *_quantity(Kind.COUNT, *_TOKENS, unit="tokens"), Field(gt=0)]
Compute = Annotated[float | None, *_quantity(Kind.COMPUTE, unit="FLOP"), Field(gt=0)]
Chips = Annotated[int | None, *_quantity(Kind.COUNT, *_CHIPS, unit="chips"), Field(ge=1)]
Hours = Annotated[float | None, *_quantity(Kind.HOURS, unit="hours"), Field(gt=0)]
Days = Annotated[float | None, *_quantity(Kind.DAYS, unit="days"), Field(gt=0)]
Percent = Annotated[float | None, *_quantity(Kind.PERCENT, unit="percent")]
Throughput = Annotated[float | None, *_quantity(Kind.COUNT, *_THROUGHPUT, unit="tokens/s"), Field(gt=0)]


def _field(description: str, **kwargs: Any) -> Any:
    return Field(description=description, **kwargs)


class _Base(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, allow_inf_nan=False, validate_default=False)

    @field_validator("*", mode="before")
    @classmethod
    def _no_yes_no(cls, value: Any, info: ValidationInfo) -> Any:
        """A yes/no value is not a number: pydantic would read ``n_shot: true`` as 1."""
        if isinstance(value, bool) and info.field_name is not None and not _takes_bool(cls, info.field_name):
            raise PydanticCustomError("bool_not_allowed", "expected {expected}, got the yes/no value {value}",
                                      {"expected": _expected(cls, info.field_name), "value": str(value).lower()})
        return value


@cache
def _takes_bool(cls: type[BaseModel], name: str) -> bool:
    return "bool" in str(cls.model_fields[name].annotation)


def _expected(cls: type[BaseModel], name: str) -> str:
    annotation = str(cls.model_fields[name].annotation)
    return "a whole number" if "int" in annotation else "a number" if "float" in annotation else "text"


@cache
def quantity_fields(cls: type[BaseModel]) -> dict[str, QuantitySpec]:
    """The quantity fields of a model class and their specs, in field order."""
    out: dict[str, QuantitySpec] = {}
    for name, info in cls.model_fields.items():
        for meta in info.metadata:
            if isinstance(meta, QuantitySpec):
                out[name] = meta
    return out


class _Quantities(_Base):
    """Reads bounds and approximation markers from the text of quantity fields."""

    qualifiers: list[Annotated[str, Field(pattern=r"^[a-z_]+(?:>|>=|<|<=|~)$")]] = _field(
        "Fields whose value is not exact: 'parameters>' (more than, from '>100B' or '超千亿'), "
        "'days<' (less than), 'chip_hours~' (approximately, from '≈7M'). Filled from how values are written.",
        default_factory=list,
    )

    #: Fields whose text carried a percent sign (checked against the metric's unit).
    _percent: frozenset[str] = frozenset()
    #: Some field's text marked it as approximate.
    _approximate: bool = False

    @model_validator(mode="wrap")
    @classmethod
    def _qualifiers(cls, data: Any, handler: ValidatorFunctionWrapHandler) -> Any:
        if not isinstance(data, dict):
            return handler(data)
        qualifiers: set[str] = set()
        percent: set[str] = set()
        approximate = False
        for name, spec in quantity_fields(cls).items():
            raw = data.get(name)
            if not isinstance(raw, str):
                continue
            try:
                q = parse_quantity(raw, spec.kind, spec.units)
            except QuantityError:
                continue  # the field's own validator reports it, with its location
            if q.bound:
                qualifiers.add(f"{name}{q.bound}")
            if q.approximate:
                qualifiers.add(f"{name}~")
            if q.percent:
                percent.add(name)
            approximate = approximate or q.approximate
        if qualifiers:
            given = data.get("qualifiers") or []
            data = {**data, "qualifiers": sorted(set(given if isinstance(given, list) else [given]) | qualifiers)}
        explicit = data.get("estimated", None)
        if approximate and "estimated" in cls.model_fields and explicit is None:
            data = {**data, "estimated": True}
        instance = handler(data)
        if approximate and "estimated" not in cls.model_fields:
            raise PydanticCustomError(
                "approximate_not_allowed",
                "an approximate value (≈, ~, about) cannot go here; record it in a training record with estimated: true",
            )
        if approximate and explicit is False:
            raise PydanticCustomError(
                "estimated_conflict", "a value is marked approximate (≈, ~, about) but estimated is false"
            )
        instance._percent = frozenset(percent)
        instance._approximate = approximate
        return instance


# --------------------------------------------------------------------------- sources, models


class Source(_Base):
    """Where numbers come from: a paper, a blog post, a leaderboard."""

    id: Id = _field("Slug, e.g. chowdhery2022palm")
    title: Text = _field("Title as the source gives it")
    url: Annotated[str | None, Field(pattern=r"^https?://\S+$")] = _field(
        "Link to the source (arXiv abs page for papers); leave out only when there is none, e.g. a local run",
        default=None,
    )
    year: Annotated[int | None, Field(ge=1900, le=2100)] = _field("Year of publication", default=None)
    arxiv: Annotated[str | None, Field(pattern=r"^(?:\d{4}\.\d{4,5}|[a-z-]+(?:\.[A-Z]{2})?/\d{7})(?:v\d+)?$")] = _field(
        "arXiv id, e.g. 2204.02311", default=None
    )
    authors: Annotated[list[Text], BeforeValidator(_as_list)] = _field("Authors", default_factory=list)
    venue: str | None = _field("Venue (conference, journal, blog)", default=None)
    kind: Literal["paper", "blog", "leaderboard", "announcement", "model-card", "dataset", "evaluation", "other"] | None = _field(
        "What kind of source this is", default=None
    )
    notes: str | None = _field("Anything a reader should know about this source", default=None)

    @model_validator(mode="after")
    def _arxiv_from_url(self) -> Source:
        if self.arxiv is None and self.url:
            m = re.match(r"^https?://arxiv\.org/(?:abs|pdf)/(\d{4}\.\d{4,5})(?:v\d+)?(?:\.pdf)?/?$", self.url)
            if m:
                self.arxiv = m.group(1)
        return self


class Model(_Quantities):
    """A model that numbers are reported for."""

    id: Id = _field("Slug, e.g. palm-540b")
    name: Text = _field("Display name, e.g. PaLM 540B")
    organization: str | None = _field("Who built it", default=None)
    parameters: Parameters = _field("Total parameters", default=None, json_schema_extra={"unit": "parameters"})
    active_parameters: Parameters = _field(
        "Parameters active per token (mixture-of-experts models)", default=None, json_schema_extra={"unit": "parameters"}
    )
    kind: Annotated[str | None, Field(pattern=ID_PATTERN)] = _field(
        "llm, diffusion, multimodal, baseline (random or human reference), …", default=None
    )
    released: Annotated[str | None, Field(pattern=r"^\d{4}(?:-\d{2}(?:-\d{2})?)?$")] = _field(
        "Release date: YYYY, YYYY-MM or YYYY-MM-DD", default=None
    )
    aliases: Annotated[list[Text], BeforeValidator(_as_list)] = _field(
        "Other names it goes by (e.g. meta-llama/Llama-2-70b-hf)", default_factory=list
    )
    introduced_by: Annotated[str | None, Field(pattern=ID_PATTERN)] = _field(
        "Source id of the work that introduced the model (its numbers are first-party)", default=None
    )
    notes: str | None = _field("Notes", default=None)

    @model_validator(mode="after")
    def _active_within_total(self) -> Model:
        if self.parameters and self.active_parameters and self.active_parameters > self.parameters:
            raise PydanticCustomError(
                "active_above_total", "active_parameters ({active}) is more than parameters ({total})",
                {"active": format_count(self.active_parameters), "total": format_count(self.parameters)},
            )
        return self


# --------------------------------------------------------------------------- the registry


class Metric(_Base):
    """How a number is measured: unit, direction, valid range."""

    id: Id
    name: Text
    unit: Text = _field("percent (0–100), score, points, nats/token, FID, …")
    higher_is_better: bool
    min: float | None = None
    max: float | None = None
    aliases: Annotated[list[Text], BeforeValidator(_as_list)] = Field(default_factory=list)
    description: str | None = None

    @property
    def is_percent(self) -> bool:
        return self.unit == "percent"


class Benchmark(_Base):
    """A benchmark and the metrics it is reported in; ``primary`` is the default metric."""

    id: Id
    name: Text
    aliases: Annotated[list[Text], BeforeValidator(_as_list)] = Field(default_factory=list)
    task: str | None = None
    url: Annotated[str | None, Field(pattern=r"^https?://\S+$")] = None
    metrics: Annotated[list[Annotated[str, Field(pattern=ID_PATTERN)]], Field(min_length=1)]
    primary: Annotated[str | None, Field(pattern=ID_PATTERN)] = None
    description: str | None = None

    @model_validator(mode="after")
    def _primary_is_a_metric(self) -> Benchmark:
        if self.primary is None:
            self.primary = self.metrics[0]
        elif self.primary not in self.metrics:
            raise PydanticCustomError("primary_not_listed", "primary metric {p!r} is not in metrics", {"p": self.primary})
        return self


class SuiteMember(_Base):
    """One (benchmark, setting) pair of a suite."""

    benchmark: Ref
    metric: Ref | None = None
    n_shot: Annotated[int | None, Field(ge=0)] = None
    setting: Setting = None
    split: Label = None
    subset: Subset = None


class Suite(_Base):
    """A named set of (benchmark, setting) pairs whose mean ranks models, e.g. open-llm-v1."""

    id: Id
    name: Text
    aliases: Annotated[list[Text], BeforeValidator(_as_list)] = Field(default_factory=list)
    url: Annotated[str | None, Field(pattern=r"^https?://\S+$")] = None
    members: Annotated[list[SuiteMember], Field(min_length=2)]
    #: Where sources report the suite's own average (a benchmark and metric), if they do.
    reported_as: SuiteMember | None = None
    description: str | None = None


class Hardware(_Base):
    """An accelerator and its peak dense throughput, for the utilisation physics check."""

    id: Id
    name: Text
    aliases: Annotated[list[Text], BeforeValidator(_as_list)] = Field(default_factory=list)
    peak_flops: Annotated[float, Field(gt=0)] = _field("Peak dense FLOP/s per chip (bf16/fp16)")
    notes: str | None = None


# --------------------------------------------------------------------------- records


class Record(_Quantities):
    """Fields every record kind has. The source comes from the file the record is in."""

    KIND: ClassVar[str]
    #: Fields that identify a record; two records with the same key are one number twice.
    KEY: ClassVar[tuple[str, ...]]
    #: Row order in the store: the key, led by what queries filter on (row groups then skip).
    SORT: ClassVar[tuple[str, ...]]
    #: Cross-field and reference rules, shared with the columnar validator.
    RULES: ClassVar[tuple[rules.Rule, ...]]

    model: Ref = _field("Model id (or an alias of one) declared in this file or the store")
    where: str | None = _field("Where in the source: 'Table 6', 'Figure 9 caption', '§4.1'", default=None)
    quote: str | None = _field("Verbatim text the number is taken from (checked to contain the value)", default=None)
    estimated: bool = _field("True when read off a plot, approximate, or computed rather than stated", default=False)
    notes: str | None = _field("Notes", default=None)


class Score(Record):
    """A benchmark result."""

    KIND = "scores"
    KEY = ("model", "benchmark", "metric", "n_shot", "setting", "split", "subset", "source", "where")
    SORT = ("benchmark", "metric", "n_shot", "setting", "split", "subset", "model", "source", "where")

    benchmark: Ref = _field("Benchmark id or alias from the registry (e.g. mmlu, 'MMLU')")
    metric: Ref | None = _field("Metric id; default: the benchmark's primary metric", default=None)
    value: Annotated[float, *_quantity(Kind.NUMBER)] = _field(
        "The number, in the metric's unit (percent metrics 0–100; '57.8%' accepted)"
    )
    stderr: Annotated[float | None, *_quantity(Kind.NUMBER), Field(ge=0)] = _field(
        "Standard error, in the metric's unit", default=None
    )
    n_shot: Annotated[int | None, Field(ge=0)] = _field("Number of in-context examples", default=None)
    setting: Setting = _field("Free qualifiers: cot, maj@1, … (normalised, comma-separated)", default=None)
    split: Label = _field("Dataset split: test, validation, …", default=None)
    subset: Subset = _field("Subset or subject, e.g. humanities for MMLU", default=None)

    RULES = (
        rules.Reference("model", "model"),
        rules.Reference("benchmark", "benchmark"),
        rules.MetricOf("metric", "benchmark"),
        rules.InMetricRange("value", metric_field="metric"),
    )


class Training(Record):
    """How a model was trained: size, data, compute, hardware."""

    KIND = "training"
    KEY = ("model", "hardware", "dataset", "source", "where")
    SORT = KEY

    parameters: Parameters = _field("Parameters", default=None, json_schema_extra={"unit": "parameters"})
    tokens: Tokens = _field("Training tokens (not words, not examples)", default=None, json_schema_extra={"unit": "tokens"})
    compute: Compute = _field("Training compute in FLOP", default=None, json_schema_extra={"unit": "FLOP"})
    hardware: str | None = _field("Accelerator, e.g. TPU v4, A100 40GB", default=None)
    chips: Chips = _field("Number of accelerators", default=None, json_schema_extra={"unit": "chips"})
    chip_hours: Hours = _field("Accelerator-hours (chips × hours)", default=None, json_schema_extra={"unit": "hours"})
    days: Days = _field("Wall-clock training time in days", default=None, json_schema_extra={"unit": "days"})
    dataset: str | None = _field("Training data", default=None)

    RULES = (
        rules.Reference("model", "model"),
        rules.RequireOneOf(("parameters", "tokens", "compute")),
    )


class Utilization(Record):
    """How well training used the hardware: MFU and HFU are different numbers."""

    KIND = "utilization"
    KEY = ("model", "hardware", "chips", "setting", "source", "where")
    SORT = KEY

    hardware: str | None = _field("Accelerator, e.g. TPU v4", default=None)
    chips: Chips = _field("Number of accelerators", default=None, json_schema_extra={"unit": "chips"})
    mfu: Percent = _field("Model FLOPs utilisation, percent", default=None, json_schema_extra={"unit": "percent"})
    hfu: Percent = _field(
        "Hardware FLOPs utilisation (counts rematerialisation), percent", default=None, json_schema_extra={"unit": "percent"}
    )
    throughput: Throughput = _field("Training throughput in tokens per second", default=None,
                                    json_schema_extra={"unit": "tokens/s"})
    setting: Setting = _field("What the figure counts, e.g. 'excl-self-attention'", default=None)

    RULES = (
        rules.Reference("model", "model"),
        rules.RequireOneOf(("mfu", "hfu")),
        rules.InMetricRange("mfu", metric="mfu"),
        rules.InMetricRange("hfu", metric="hfu"),
    )


class Sampling(Record):
    """Sample quality at a sampling budget (diffusion models)."""

    KIND = "sampling"
    KEY = ("model", "sampler", "steps", "guidance", "distilled", "resolution", "dataset", "source", "where")
    SORT = KEY

    sampler: Sampler = _field("ddim, ddpm, dpm-solver++, …", default=None)
    steps: Annotated[int | None, Field(ge=1)] = _field("Sampling steps (a whole number ≥ 1)", default=None)
    guidance: Annotated[float | None, *_quantity(Kind.NUMBER), Field(ge=0)] = _field(
        "Classifier-free guidance scale", default=None
    )
    cost_per_step: Annotated[float | None, *_quantity(Kind.NUMBER), Field(gt=0)] = _field(
        "Relative cost of one step (e.g. normalised to a reference model)", default=None
    )
    flops_per_step: Annotated[float | None, *_quantity(Kind.COMPUTE, unit="FLOP"), Field(gt=0)] = _field(
        "FLOP of one denoising step", default=None, json_schema_extra={"unit": "FLOP"}
    )
    sampling_cost: Annotated[float | None, *_quantity(Kind.NUMBER), Field(gt=0)] = _field(
        "steps × cost_per_step; give it only when the source states it without both", default=None
    )
    distilled: bool = _field("The sampler runs a distilled model", default=False)
    resolution: Annotated[str | None, BeforeValidator(lambda v: str(v) if isinstance(v, int) else v)] = _field(
        "Output resolution, e.g. 512 or 256x256", default=None
    )
    dataset: str | None = _field("Evaluation data, e.g. 'COCO-2014 val, 30k samples'", default=None)
    fid: Annotated[float | None, *_quantity(Kind.NUMBER)] = _field("FID (lower is better)", default=None)
    clip_score: Annotated[float | None, *_quantity(Kind.NUMBER)] = _field("CLIP score (higher is better)", default=None)
    lpips: Annotated[float | None, *_quantity(Kind.NUMBER)] = _field("LPIPS (lower is better)", default=None)

    RULES = (
        rules.Reference("model", "model"),
        rules.InMetricRange("fid", metric="fid"),
        rules.InMetricRange("clip_score", metric="clip_score"),
        rules.InMetricRange("lpips", metric="lpips"),
        rules.ProductMatches("sampling_cost", ("steps", "cost_per_step")),
    )


RECORD_KINDS: dict[str, type[Record]] = {cls.KIND: cls for cls in (Score, Training, Utilization, Sampling)}
#: Every table of a store: the record kinds, then what describes them.
TABLES: tuple[str, ...] = (*RECORD_KINDS, "models", "sources", "benchmarks", "metrics")


class EntryFile(_Base):
    """One entry file: a source and what it reports."""

    model_config = ConfigDict(
        extra="forbid",
        title="benchtables entry file",
        json_schema_extra={"description": "Numbers from one source, with where in the source each stands."},
    )

    source: Source | Annotated[str, Field(pattern=ID_PATTERN, description="Id of a source declared in another entry file")]
    models: list[Model] = Field(default_factory=list)
    scores: list[Score] = Field(default_factory=list)
    training: list[Training] = Field(default_factory=list)
    utilization: list[Utilization] = Field(default_factory=list)
    sampling: list[Sampling] = Field(default_factory=list)

    @field_validator("models", "scores", "training", "utilization", "sampling", mode="before")
    @classmethod
    def _null_is_empty(cls, value: Any, info: ValidationInfo) -> Any:
        return [] if value is None else value


def entry_schema() -> dict[str, Any]:
    """The JSON Schema of an entry file, for editors (yaml-language-server) and other tools.

    Quantity fields accept a number or text (``70B``); the schema cannot check references
    (a model declared elsewhere, a registry benchmark) or units: ``benchtables validate`` does.
    """
    schema = EntryFile.model_json_schema(mode="validation")
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": "urn:benchtables:entry-file:1", **schema}
