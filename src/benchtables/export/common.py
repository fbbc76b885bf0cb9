"""What the exporters share: finding the model a user names."""

from __future__ import annotations

from typing import Any

from benchtables.names import NameIndex
from benchtables.store import Store

__all__ = ["find_model"]


def find_model(store: Store, name: str) -> dict[str, Any]:
    """The store's row for the model ``name`` stands for (id, name or alias)."""
    models = store.table("models").to_pylist()
    index = NameIndex("model")
    for row in models:
        index.add(row["id"], row["name"], *(row["aliases"] or []))
    id_ = index.require(name)
    return next(r for r in models if r["id"] == id_)


