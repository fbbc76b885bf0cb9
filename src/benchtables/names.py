"""Ids and names: what an id looks like, and how names, aliases and ids are matched.

Ids are slugs (``palm-540b``, ``mmlu``, ``pass@1``). Names match ignoring case, spaces and
punctuation other than ``. + @``, so ``MMLU``, ``mmlu`` and ``Massive Multitask Language
Understanding`` (an alias) all find ``mmlu``; a name that matches nothing gets the closest ids
as suggestions.
"""

from __future__ import annotations

import difflib
import re

from benchtables.errors import UnknownIdError

__all__ = ["ID_HELP", "ID_PATTERN", "NameIndex", "normalize_name"]

ID_PATTERN = r"^[a-z0-9][a-z0-9._+@-]*$"
ID_HELP = "ids are lowercase letters, digits and . _ + @ - (e.g. palm-540b)"


def normalize_name(name: str) -> str:
    """The form names are matched in: case, spaces and punctuation other than . + @ dropped."""
    return re.sub(r"[^\w.+@]|_", "", name.casefold())


class NameIndex:
    """Resolves ids, names and aliases to ids, and suggests close ids for unknown names."""

    def __init__(self, what: str) -> None:
        self.what = what
        self._ids: dict[str, None] = {}
        self._keys: dict[str, set[str]] = {}

    def add(self, id_: str, *names: str | None) -> None:
        self._ids[id_] = None
        for name in (id_, *names):
            if name:
                self._keys.setdefault(normalize_name(name), set()).add(id_)

    def __contains__(self, id_: object) -> bool:
        return id_ in self._ids

    @property
    def ids(self) -> list[str]:
        return list(self._ids)

    def resolve(self, name: str) -> str | None:
        """The id ``name`` stands for, or ``None`` if it is unknown or ambiguous."""
        if name in self._ids:
            return name
        found = self._keys.get(normalize_name(name))
        return next(iter(found)) if found and len(found) == 1 else None

    def suggest(self, name: str, n: int = 3) -> list[str]:
        """Ids close to ``name``: the candidates for a did-you-mean."""
        key = normalize_name(name)
        if key in self._keys:  # ambiguous: every id it could be
            return sorted(self._keys[key])[:n]
        out: list[str] = []
        for match in difflib.get_close_matches(key, list(self._keys), n=n * 2, cutoff=0.6):
            for id_ in sorted(self._keys[match]):
                if id_ not in out:
                    out.append(id_)
        return out[:n]

    def require(self, name: str) -> str:
        """Like :meth:`resolve`, but an unknown name raises :class:`UnknownIdError`."""
        resolved = self.resolve(name)
        if resolved is None:
            raise UnknownIdError(self.what, name, self.suggest(name), self.ids)
        return resolved

    def collisions(self) -> dict[str, set[str]]:
        """Normalised names that stand for more than one id."""
        return {k: v for k, v in self._keys.items() if len(v) > 1}
