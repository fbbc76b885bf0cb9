"""Export: store tables (CSV, Parquet, JSON lines), a model's scores as a Hugging Face
``model-index`` block or ``.eval_results`` files, Every Eval Ever documents, and the sources a
table cites as BibTeX. One module per target format, imported when first used.
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = ["EVERY_EVAL_EVER_VERSION", "TABLE_FORMATS", "export_bibtex", "export_every_eval_ever",
           "export_hf_eval_results", "export_model_index", "export_table"]

_MODULES = {"EVERY_EVAL_EVER_VERSION": "every_eval_ever", "export_every_eval_ever": "every_eval_ever",
            "TABLE_FORMATS": "tables", "export_table": "tables", "export_bibtex": "bibtex",
            "export_hf_eval_results": "hf_eval_results", "export_model_index": "model_index"}


def __getattr__(name: str) -> Any:
    if name not in _MODULES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{_MODULES[name]}"), name)
