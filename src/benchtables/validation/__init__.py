"""Validation: every entry file, bulk file and DataFrame of records checked by one pipeline.

The steps, one module each (see :mod:`benchtables.validation.pipeline`):

1. :mod:`~benchtables.validation.read` — reading files into raw tables;
2. :mod:`~benchtables.validation.records` — every record checked on its own (the engine),
   with the rules of :mod:`~benchtables.validation.rules`; declarations first
   (:mod:`~benchtables.validation.declarations`);
3. :mod:`~benchtables.validation.across` and :mod:`~benchtables.validation.physics` — checks
   across records;
4. :mod:`~benchtables.validation.against_store` — checks against the store.

:func:`validate` and :func:`validate_records` are the public entry points (``bt.validate``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__all__ = ["validate", "validate_records"]

if TYPE_CHECKING:
    from benchtables.validation.api import validate, validate_records


def __getattr__(name: str) -> Any:
    if name in __all__:
        from benchtables.validation import api

        return getattr(api, name)
    raise AttributeError(f"module 'benchtables.validation' has no attribute {name!r}")
