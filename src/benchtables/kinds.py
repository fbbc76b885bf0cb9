"""Every table benchtables reads or stores, declared once (see :mod:`benchtables.spec`).

Declarations (who reports, and about what): ``sources`` and ``models``. Records (the numbers),
four kinds with a Parquet table each: ``scores``, ``training``, ``utilization``, ``sampling``.
The registry (what records may refer to): ``metrics``, ``benchmarks``, ``suites`` (with their
``suite_members``) and ``hardware``.

Each table's ``rules`` are the cross-field and reference rules of
:mod:`benchtables.validation.rules`, run in order by the validation engine on the fields that
passed their own checks.
"""

from __future__ import annotations

from benchtables.names import ID_HELP, ID_PATTERN, URL_HELP, URL_PATTERN
from benchtables.spec import Field, Flag, Nested, Number, Table, Text, TextForm, TextList, TextMap
from benchtables.units import Kind
from benchtables.validation import rules

__all__ = [
    "BENCHMARKS", "DECLARATIONS", "HARDWARE", "METRICS", "MODELS", "RECORDS", "REGISTRY", "SAMPLING", "SCORES",
    "SOURCES", "SUITES", "SUITE_MEMBERS", "TABLES", "TRAINING", "UTILIZATION",
]

ID = Text(pattern=ID_PATTERN, pattern_help=ID_HELP, max_length=128)
REF = Text(max_length=256)
LINE = Text()
NOTES = Text(TextForm.MULTILINE)
URL = Text(pattern=URL_PATTERN, pattern_help=URL_HELP, max_length=2048)
DATE = Text(pattern=r"^\d{4}(?:-(?:0[1-9]|1[0-2])(?:-(?:0[1-9]|[12]\d|3[01]))?)?$",
            pattern_help="a date is YYYY, YYYY-MM or YYYY-MM-DD")
QUALIFIER = Text(pattern=r"^[a-z_]+(?:>|>=|<|<=|~)$",
                 pattern_help="a qualifier is a field name and >, >=, <, <= or ~ (e.g. parameters>)")

_PARAMS = ("parameters", "parameter", "params", "参数")
_TOKENS = ("tokens", "token", "tok")
_CHIPS = ("chips", "chip", "gpus", "gpu", "tpus", "tpu", "accelerators", "devices", "块", "张")
_THROUGHPUT = ("tokens/s", "tok/s", "tokens/sec", "tokens per second")

PARAMETERS = Number(quantity=Kind.COUNT, units=_PARAMS, gt=0, unit="parameters")
NUMBER = Number(quantity=Kind.NUMBER)

# --------------------------------------------------------------------------- declarations

SOURCES = Table(
    "sources", "Where numbers come from: a paper, a blog post, a leaderboard, an evaluation run.",
    (
        Field("id", ID, "Slug, e.g. chowdhery2022palm", required=True),
        Field("title", LINE, "Title as the source gives it", required=True),
        Field("url", URL, "Link to the source (arXiv abs page for papers); leave out only when there is none, "
              "e.g. a local run"),
        Field("date", DATE, "Publication date: YYYY-MM-DD, YYYY-MM or YYYY"),
        Field("year", Number(integer=True, ge=1900, le=2100), "Year of publication (taken from date when given)"),
        Field("arxiv", Text(pattern=r"^(?:\d{4}\.\d{4,5}|[a-z-]+(?:\.[A-Z]{2})?/\d{7})(?:v\d+)?$",
                            pattern_help="an arXiv id such as 2204.02311"), "arXiv id, e.g. 2204.02311"),
        Field("authors", TextList(LINE), "Authors", default=[]),
        Field("venue", LINE, "Venue (conference, journal, blog)"),
        Field("kind", Text(TextForm.LABEL, choices=("paper", "blog", "leaderboard", "announcement", "model-card",
                                                   "dataset", "evaluation", "other")), "What kind of source this is"),
        Field("suite", ID, "Id of a suite (e.g. open-llm-v1) whose protocol the source's scores of member "
              "benchmarks follow: their metric, n-shot and split come from it"),
        Field("notes", NOTES, "Anything a reader should know about this source"),
    ),
    key=("id",), sort=("id",),
    rules=(rules.DateAndYear(), rules.ArxivFromUrl()),
)

MODELS = Table(
    "models", "A model that numbers are reported for.",
    (
        Field("id", ID, "Slug, e.g. palm-540b; a checkpoint adds its revision: pythia-160m@step3000", required=True),
        Field("name", LINE, "Display name, e.g. PaLM 540B", required=True),
        Field("organization", LINE, "Who built it"),
        Field("parameters", PARAMETERS, "Total parameters"),
        Field("active_parameters", PARAMETERS, "Parameters active per token (mixture-of-experts models)"),
        Field("kind", Text(pattern=ID_PATTERN, pattern_help=ID_HELP),
              "llm, diffusion, multimodal, baseline (random or human reference), …"),
        Field("released", DATE, "Release date: YYYY-MM-DD, YYYY-MM or YYYY"),
        Field("open_weights", Flag(), "Whether the weights are public (leave out when unknown)"),
        Field("aliases", TextList(REF), "Other names it goes by; a Hugging Face repository id "
              "(meta-llama/Llama-2-70b-hf) is an alias only when declared here", default=[]),
        Field("base_model", ID, "Id of the model this one is a fine-tune, checkpoint, quantisation or adapter of"),
        Field("revision", LINE, "The checkpoint or revision (step3000, a commit); its id ends in @revision"),
        Field("introduced_by", ID, "Source id of the work that introduced the model (its numbers are first-party)"),
        Field("notes", NOTES, "Notes"),
        Field("qualifiers", TextList(QUALIFIER), "Fields whose value is not exact: 'parameters>' (from '>100B' or "
              "'超千亿'). Filled from how values are written.", default=[]),
    ),
    key=("id",), sort=("id",),
    rules=(rules.Ordered(("active_parameters", "parameters"), "active_above_total"), rules.Revision()),
)

# --------------------------------------------------------------------------- records

_COMMON_HEAD = (
    Field("model", REF, "Model id (or a name or alias of one) declared in an entry file or the store", required=True),
)
_COMMON_TAIL = (
    Field("where", LINE, "Where in the source: 'Table 6', 'Figure 9 caption', '§4.1'"),
    Field("quote", NOTES, "Verbatim text the number is taken from (checked to contain the value)"),
    Field("estimated", Flag(), "True when read off a plot, approximate, or computed rather than stated", default=False),
    Field("notes", NOTES, "Notes"),
    Field("qualifiers", TextList(QUALIFIER), "Fields whose value is not exact: 'value~' (approximately, from '≈7'), "
          "'tokens>' (more than). Filled from how values are written.", default=[]),
)
PLACE = ("where", "quote", "notes")

SCORES = Table(
    "scores", "A benchmark result.",
    (
        *_COMMON_HEAD,
        Field("benchmark", REF, "Benchmark id or alias from the registry (e.g. mmlu, 'MMLU')", required=True),
        Field("metric", REF, "Metric id; default: the benchmark's primary metric (a warning names it when the "
              "benchmark has several)"),
        Field("value", NUMBER, "The number, in the metric's unit (percent metrics 0–100; '57.8%' accepted)",
              required=True),
        Field("stderr", Number(quantity=Kind.NUMBER, ge=0), "Standard error, in the metric's unit"),
        Field("ci_low", NUMBER, "Lower end of the 95% confidence interval, in the metric's unit"),
        Field("ci_high", NUMBER, "Upper end of the 95% confidence interval, in the metric's unit"),
        Field("n_shot", Number(integer=True, ge=0), "Number of in-context examples"),
        Field("setting", Text(TextForm.SETTING), "Free qualifiers: cot, maj@1, … (normalised, comma-separated)"),
        Field("split", Text(TextForm.LABEL), "Dataset split; default: the benchmark's standard split (MMLU: test, "
              "HellaSwag: validation)"),
        Field("subset", Text(TextForm.SUBSET), "Subset or subject, e.g. humanities for MMLU (not the whole benchmark)"),
        Field("n_samples", Number(integer=True, ge=1), "Examples the number was computed on, when the source says"),
        Field("partial", Flag(), "Computed on part of the benchmark (a sample or a limit): never ranked beside "
              "full runs unless asked", default=False),
        Field("suite", ID, "Id of a suite (e.g. open-llm-v1) whose protocol this number follows: metric, n-shot "
              "and split come from its definition"),
        *_COMMON_TAIL,
    ),
    key=("model", "benchmark", "metric", "n_shot", "setting", "split", "subset", "partial", "source", "where"),
    sort=("benchmark", "metric", "n_shot", "setting", "split", "subset", "partial", "model", "source", "where"),
    rules=(
        rules.Reference("model", "model"),
        rules.Reference("benchmark", "benchmark"),
        rules.SuiteProtocol("fill"),
        rules.MetricOf("metric", "benchmark"),
        rules.StandardSplit("split", "benchmark"),
        rules.SuiteProtocol("agree"),
        rules.InMetricRange("value", metric_field="metric"),
        rules.InMetricRange("ci_low", metric_field="metric"),
        rules.InMetricRange("ci_high", metric_field="metric"),
        rules.WrittenAsPercent("value", metric_field="metric"),
        rules.Ordered(("ci_low", "value", "ci_high"), "ci_order"),
    ),
    place=PLACE,
    identity=("model", "benchmark", "metric", "n_shot", "setting", "split", "subset", "partial"),
    compared=("value",),
)

TRAINING = Table(
    "training", "How a model was trained: size, data, compute, hardware.",
    (
        *_COMMON_HEAD,
        Field("parameters", PARAMETERS, "Parameters"),
        Field("tokens", Number(quantity=Kind.COUNT, units=_TOKENS, gt=0, unit="tokens"),
              "Training tokens (not words, not examples)"),
        Field("compute", Number(quantity=Kind.COMPUTE, gt=0, unit="FLOP"), "Training compute in FLOP"),
        Field("hardware", LINE, "Accelerator, e.g. TPU v4, A100 40GB"),
        Field("chips", Number(integer=True, quantity=Kind.COUNT, units=_CHIPS, ge=1, unit="chips"),
              "Number of accelerators"),
        Field("chip_hours", Number(quantity=Kind.HOURS, gt=0, unit="hours"), "Accelerator-hours (chips × hours)"),
        Field("days", Number(quantity=Kind.DAYS, gt=0, unit="days"), "Wall-clock training time in days"),
        Field("dataset", LINE, "Training data"),
        *_COMMON_TAIL,
    ),
    key=("model", "hardware", "dataset", "source", "where"),
    sort=("model", "hardware", "dataset", "source", "where"),
    rules=(rules.Reference("model", "model"), rules.RequireOneOf(("parameters", "tokens", "compute"))),
    place=PLACE,
    identity=("model",),
    compared=("parameters", "tokens", "compute"),
)

UTILIZATION = Table(
    "utilization", "How well training used the hardware: MFU and HFU are different numbers.",
    (
        *_COMMON_HEAD,
        Field("hardware", LINE, "Accelerator, e.g. TPU v4"),
        Field("chips", Number(integer=True, quantity=Kind.COUNT, units=_CHIPS, ge=1, unit="chips"),
              "Number of accelerators"),
        Field("mfu", Number(quantity=Kind.PERCENT, unit="percent"), "Model FLOPs utilisation, percent"),
        Field("hfu", Number(quantity=Kind.PERCENT, unit="percent"),
              "Hardware FLOPs utilisation (counts rematerialisation), percent"),
        Field("throughput", Number(quantity=Kind.COUNT, units=_THROUGHPUT, gt=0, unit="tokens/s"),
              "Training throughput in tokens per second"),
        Field("setting", Text(TextForm.SETTING), "What the figure counts, e.g. 'excl-self-attention'"),
        *_COMMON_TAIL,
    ),
    key=("model", "hardware", "chips", "setting", "source", "where"),
    sort=("model", "hardware", "chips", "setting", "source", "where"),
    rules=(
        rules.Reference("model", "model"),
        rules.RequireOneOf(("mfu", "hfu")),
        rules.InMetricRange("mfu", metric="mfu"),
        rules.InMetricRange("hfu", metric="hfu"),
    ),
    place=PLACE,
    identity=("model", "hardware", "chips", "setting"),
    compared=("mfu", "hfu", "throughput"),
)

SAMPLING = Table(
    "sampling", "Sample quality at a sampling budget (diffusion models).",
    (
        *_COMMON_HEAD,
        Field("sampler", Text(TextForm.DASHED), "ddim, ddpm, dpm-solver++, …"),
        Field("steps", Number(integer=True, ge=1), "Sampling steps (a whole number ≥ 1)"),
        Field("guidance", Number(quantity=Kind.NUMBER, ge=0), "Classifier-free guidance scale"),
        Field("cost_per_step", Number(quantity=Kind.NUMBER, gt=0, unit="relative cost"),
              "Relative cost of one step (e.g. normalised to a reference model)"),
        Field("flops_per_step", Number(quantity=Kind.COMPUTE, gt=0, unit="FLOP"), "FLOP of one denoising step"),
        Field("sampling_cost", Number(quantity=Kind.NUMBER, gt=0, unit="relative cost (steps × cost per step)"),
              "steps × cost_per_step; give it only when the source states it without both"),
        Field("distilled", Flag(), "The sampler runs a distilled model", default=False),
        Field("resolution", LINE, "Output resolution, e.g. 512 or 256x256"),
        Field("dataset", LINE, "Evaluation data, e.g. 'COCO-2014 val, 30k samples'"),
        Field("setting", Text(TextForm.SETTING), "What the number describes when it is not a plain measurement, "
              "e.g. 'matches-distilled-866m'"),
        Field("fid", Number(quantity=Kind.NUMBER, unit="FID"), "FID (lower is better)"),
        Field("clip_score", Number(quantity=Kind.NUMBER, unit="score"), "CLIP score (higher is better)"),
        Field("lpips", Number(quantity=Kind.NUMBER, unit="distance"), "LPIPS (lower is better)"),
        *_COMMON_TAIL,
    ),
    key=("model", "sampler", "steps", "guidance", "distilled", "resolution", "dataset", "setting", "source", "where"),
    sort=("model", "sampler", "steps", "guidance", "distilled", "resolution", "dataset", "setting", "source", "where"),
    rules=(
        rules.Reference("model", "model"),
        rules.InMetricRange("fid", metric="fid"),
        rules.InMetricRange("clip_score", metric="clip_score"),
        rules.InMetricRange("lpips", metric="lpips"),
        rules.ProductMatches("sampling_cost", ("steps", "cost_per_step")),
    ),
    place=PLACE,
    identity=("model", "sampler", "steps", "guidance", "distilled", "resolution", "dataset", "setting"),
    compared=("fid", "clip_score", "lpips", "sampling_cost", "cost_per_step"),
)

# --------------------------------------------------------------------------- the registry

METRICS = Table(
    "metrics", "How a number is measured: unit, direction, valid range.",
    (
        Field("id", ID, "Metric id, e.g. acc", required=True),
        Field("name", LINE, "Display name", required=True),
        Field("unit", LINE, "percent (0–100), score, points, nats/token, FID, …", required=True),
        Field("higher_is_better", Flag(), "Direction of ranking", required=True),
        Field("min", Number(), "Smallest valid value"),
        Field("max", Number(), "Largest valid value"),
        Field("aliases", TextList(REF), "Other names tools use for it", default=[]),
        Field("description", NOTES, "What it measures"),
    ),
    key=("id",), sort=("id",),
)

BENCHMARKS = Table(
    "benchmarks", "A benchmark, the metrics it is reported in, and its standard setting.",
    (
        Field("id", ID, "Benchmark id, e.g. mmlu", required=True),
        Field("name", LINE, "Display name", required=True),
        Field("aliases", TextList(REF), "Other names and Hub dataset ids (Rowan/hellaswag)", default=[]),
        Field("task", LINE, "What it tests"),
        Field("url", URL, "Paper or home page"),
        Field("metrics", TextList(ID), "Metric ids it is reported in; the first is primary unless primary says",
              required=True),
        Field("primary", ID, "The metric a score names by default"),
        Field("metric_aliases", TextMap(REF, ID), "Names tools give this benchmark's metrics (lm-eval's acc is "
              "GSM8K's exact_match; HELM's f1_score is NarrativeQA's f1)", default={}),
        Field("split", Text(TextForm.LABEL), "Standard split: the split of a score that names none"),
        Field("variant_of", ID, "The benchmark this is a variant of (MMLU-Redux of MMLU): never merged with it"),
        Field("subsets", TextList(Text(TextForm.SUBSET)), "Known subsets (subjects, categories)", default=[]),
        Field("dataset", REF, "Hugging Face Hub dataset id its results are filed under (TIGER-Lab/MMLU-Pro)"),
        Field("dataset_task", REF, "Task id within that dataset's eval.yaml (mmlu_pro), for .eval_results files"),
        Field("description", NOTES, "Notes"),
    ),
    key=("id",), sort=("id",),
)

SUITE_MEMBERS = Table(
    "suite_members", "One (benchmark, setting) pair of a suite.",
    (
        Field("benchmark", REF, "Benchmark id", required=True),
        Field("metric", REF, "Metric (default: the benchmark's primary)"),
        Field("n_shot", Number(integer=True, ge=0), "Number of in-context examples"),
        Field("setting", Text(TextForm.SETTING), "Setting qualifiers"),
        Field("split", Text(TextForm.LABEL), "Split (default: the benchmark's standard split)"),
        Field("subset", Text(TextForm.SUBSET), "Subset"),
    ),
)

SUITES = Table(
    "suites", "A named set of (benchmark, setting) pairs whose mean ranks models, e.g. open-llm-v1.",
    (
        Field("id", ID, "Suite id", required=True),
        Field("name", LINE, "Display name", required=True),
        Field("aliases", TextList(REF), "Other names", default=[]),
        Field("url", URL, "Home page"),
        Field("members", Nested(SUITE_MEMBERS), "Its benchmarks and settings", required=True),
        Field("reported_as", Nested(SUITE_MEMBERS, many=False), "Where sources report the suite's own average"),
        Field("description", NOTES, "How the suite is computed"),
    ),
    key=("id",), sort=("id",),
)

HARDWARE = Table(
    "hardware", "An accelerator and its peak dense throughput, for the utilisation physics check.",
    (
        Field("id", ID, "Hardware id", required=True),
        Field("name", LINE, "Display name", required=True),
        Field("aliases", TextList(REF), "Other names", default=[]),
        Field("peak_flops", Number(gt=0), "Peak dense FLOP/s per chip (bf16/fp16)", required=True),
        Field("notes", NOTES, "Notes"),
    ),
    key=("id",), sort=("id",),
)

DECLARATIONS: dict[str, Table] = {t.name: t for t in (SOURCES, MODELS)}
RECORDS: dict[str, Table] = {t.name: t for t in (SCORES, TRAINING, UTILIZATION, SAMPLING)}
REGISTRY: dict[str, Table] = {t.name: t for t in (METRICS, BENCHMARKS, SUITES, HARDWARE)}
#: Every table of a store: the record kinds, then what describes them.
TABLES: tuple[str, ...] = (*RECORDS, "models", "sources", "benchmarks", "metrics")
