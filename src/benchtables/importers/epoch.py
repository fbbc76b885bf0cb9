"""Epoch AI's "Notable AI Models" CSV → training and utilization records.

The numbers are Epoch's — compiled from papers, and often estimated (the
``Training compute estimation method`` column says how) — so Epoch's dataset is the source,
and each record's notes cite the paper Epoch used. The file has traps this importer names:

* ``Hardware utilization`` is a fraction and does not say MFU or HFU (PaLM's 0.462 is the
  paper's 46.2% *MFU*; its HFU is 57.8%): imported as ``mfu`` in percent, with a warning;
* ``Training dataset size (datapoints)`` counts datapoints — words for language models
  (Chinchilla's 1.4T tokens are 1.05e12 there): never imported as tokens;
* ``Parameters`` of a mixture-of-experts model is the total; when the notes give an active
  count too, the warning says so;
* a compute figure Epoch estimated (not ``Reported``), or a row marked Likely/Speculative,
  makes the record ``estimated``;
* a fine-tuned model's ``Training compute`` includes its base model's, while its hardware,
  chip count and time are the fine-tune's: the hardware goes into the notes, not next to a
  compute it did not do, and the fine-tune's own compute is named in a warning.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from benchtables.errors import FormatError
from benchtables.importers.common import Importer
from benchtables.importers.csv_table import read_rows
from benchtables.units import Kind, format_count

__all__ = ["REQUIRED_COLUMNS", "import_epoch_models"]

REQUIRED_COLUMNS = ("Model", "Parameters", "Training compute (FLOP)", "Training hardware", "Hardware quantity",
                    "Hardware utilization", "Training dataset size (datapoints)", "Training time (hours)")
_MOE = re.compile(r"mixture[- ]of[- ]experts|\bMoE\b|\bsparse\b|\bactive param|\bactivated param|"
                  r"\bparam(?:eter)?s used\b|\bexperts\b", re.IGNORECASE)


def _date_in_name(file: str) -> tuple[str | None, int | None]:
    m = re.search(r"(\d{4})[-_](\d{2})[-_](\d{2})", file)
    if not m:
        return None, None
    return f"{m.group(1)}-{m.group(2)}-{m.group(3)}", int(m.group(1))


def import_epoch_models(importer: Importer, path: Path, *, source_id: str | None, source_url: str | None,
                        model: str | None) -> None:
    file = path.name
    header, rows = read_rows(path)
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise FormatError(f"{file} is not Epoch's notable-models CSV: it has no column {missing[0]!r}; "
                          f"its columns are: {', '.join(header)}")
    date, year = _date_in_name(file)
    source = importer.source(
        source_id or "epoch-notable-ai-models" + (f"-{date}" if date else ""),
        "Epoch AI, Notable AI Models" + (f" (export of {date})" if date else ""),
        url=source_url or "https://epoch.ai/data/notable-ai-models", year=year, kind="dataset",
    )
    known_tokens = importer.known.tokens
    for n, row in enumerate(rows, start=1):
        name = model or row["Model"].strip()
        if not name:
            importer.skip("row without a model")
            continue
        where = f"{file}: row {n} ({row['Model'].strip()})"
        _row(importer, source, row, name, where, file, n, known_tokens)


def _row(importer: Importer, source: Any, row: dict[str, str], name: str, where: str, file: str, n: int,
         known_tokens: dict[str, float]) -> None:
    parameters = importer.number(row["Parameters"], Kind.COUNT)
    compute = importer.number(row["Training compute (FLOP)"], Kind.COMPUTE)
    chips = importer.number(row["Hardware quantity"], Kind.COUNT)
    hours = importer.number(row["Training time (hours)"], Kind.HOURS)
    utilization = importer.number(row["Hardware utilization"])
    dataset_size = importer.number(row["Training dataset size (datapoints)"], Kind.COUNT)
    if parameters is None and compute is None and utilization is None:
        importer.skip("row without parameters, compute or utilization")
        return
    try:
        model_ref = importer.model(name, file, organization=row.get("Organization") or None,
                                   parameters=parameters, released=(row.get("Publication date") or "")[:10] or None)
    except FormatError as exc:
        importer.skip(str(exc).split(":")[0])
        return
    model_id = model_ref.id
    method = row.get("Training compute estimation method", "")
    confidence = row.get("Confidence", "")
    estimated = bool(compute and method and "Reported" not in method) or confidence in ("Likely", "Speculative")
    reference = "; ".join(x for x in (row.get("Reference", "").strip().strip('"'), row.get("Link", "").strip()) if x)
    notes = "; ".join(x for x in (f"Epoch cites: {reference}" if reference else "",
                                  f"compute estimated by {method}" if method else "",
                                  f"confidence {confidence}" if confidence else "") if x) or None
    hardware = row.get("Training hardware") or None
    chips_int = int(chips) if chips and float(chips).is_integer() else None
    if _MOE.search(row.get("Parameters notes", "")) and parameters:
        importer.warn("total_vs_active", f"{name}: the parameter notes mention sparse or active parameters; "
                      f"{format_count(parameters)} is imported as the total", file, "Parameters",
                      "declare active_parameters on the model if the source gives them", row=n)
    if dataset_size:
        tokens = known_tokens.get(model_id)
        hint = (f"the store has {format_count(tokens)} tokens for {model_id} (≈0.75 words per token)"
                if tokens else "tokens are not words: give tokens from the paper")
        importer.warn("dataset_size_not_tokens", f"{name}: Training dataset size {format_count(dataset_size)} counts "
                      "datapoints (words, for language models), not tokens; not imported as tokens", file,
                      "Training dataset size (datapoints)", hint, row=n)
    days = round(hours / 24, 6) if hours else None
    run = {"hardware": hardware, "chips": chips_int, "days": days}  # the training record's hardware
    base = (row.get("Base model") or "").strip()
    if base and compute and any(run.values()):
        finetune = importer.number(row.get("Finetune compute (FLOP)"), Kind.COMPUTE)
        chips_on = " × ".join(str(x) for x in (chips_int, hardware) if x)
        shown = ", ".join(x for x in (chips_on, f"{days:g} days" if days else "") if x)
        importer.warn("finetune_compute", f"{name} is fine-tuned from {base}: its training compute "
                      f"{compute:.3g} includes the base model's; the hardware ({shown}) is the fine-tune's and is "
                      "left out of the training record", file, "Training compute (FLOP)",
                      f"the fine-tune itself took {finetune:.3g} FLOP" if finetune else None, row=n)
        notes = "; ".join(x for x in (notes, f"fine-tuned from {base} on {shown}") if x)
        run = dict.fromkeys(run)
    if parameters or compute:
        importer.add(source, {
            "model": model_id, "parameters": parameters, "compute": compute, **run,
            "dataset": row.get("Training dataset") or None, "estimated": estimated or None, "where": where, "notes": notes,
        }, "training")
    if utilization is not None:
        importer.warn("utilization_unlabelled", f"{name}: Hardware utilization {utilization:g} does not say MFU or HFU; "
                      f"imported as mfu {utilization * 100:g}%", file, "Hardware utilization",
                      "papers report MFU and HFU separately (PaLM: MFU 46.2%, HFU 57.8%); check which this is", row=n)
        importer.add(source, {
            "model": model_id, "hardware": hardware, "chips": chips_int, "mfu": round(utilization * 100, 10),
            "estimated": estimated or None, "where": where, "notes": notes,
        }, "utilization")
