"""What the exporters share: finding the model a user names, and its scores with what they refer to."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchtables.errors import EmptyResultError
from benchtables.names import NameIndex
from benchtables.registry import Registry
from benchtables.store import Store

__all__ = ["ModelScores", "find_model", "model_scores"]


def find_model(store: Store, name: str) -> dict[str, Any]:
    """The store's row for the model ``name`` stands for (id, name or alias)."""
    models = store.table("models").to_pylist()
    index = NameIndex("model")
    for row in models:
        index.add(row["id"], row["name"], *(row["aliases"] or []))
    id_ = index.require(name)
    return next(r for r in models if r["id"] == id_)




@dataclass
class ModelScores:
    """One model's scores in a store, with the registry and sources they refer to."""

    model: dict[str, Any]
    scores: list[dict[str, Any]]
    registry: Registry
    sources: dict[str, dict[str, Any]]


def model_scores(store: Path | str | Store | None, name: str) -> ModelScores:
    """The scores of the model ``name`` stands for.

    Raises:
        UnknownIdError: no such model.
        EmptyResultError: the store has no scores for it.
    """
    opened = Store.open(store)
    info = find_model(opened, name)
    scores = [r for r in opened.table("scores").to_pylist() if r["model"] == info["id"]]
    if not scores:
        raise EmptyResultError(f"the store has no scores for {info['id']}")
    sources = {r["id"]: r for r in opened.table("sources").to_pylist()}
    return ModelScores(info, scores, opened.registry(), sources)
