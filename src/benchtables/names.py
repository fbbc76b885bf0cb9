"""Ids and names: what an id looks like, how names and aliases find ids, and when two are one.

Ids are slugs (``palm-540b``, ``mmlu``, ``pass@1``). Names match ignoring case, spaces and
punctuation other than ``. + @ /``, so ``MMLU``, ``mmlu`` and ``Massive Multitask Language
Understanding`` (an alias) all find ``mmlu``; a name that matches nothing gets the closest ids
as suggestions.

*Identity is exact.* A Hugging Face repository id (``meta-llama/Llama-2-70b-hf``) names one
model: the owner is part of the name, so ``allknowingroger/Yi-1.5-34B`` is not
``01-ai/Yi-1.5-34B`` unless an entry declares it an alias. A revision (``@step3000``) is part
of a model's id. A local path (``/data/ckpt/13b``) is not an identity at all.

Sources are one work under one URL: :func:`canonical_url` writes the forms of a link that
mean the same page (scheme, ``www.``, trailing slash, arXiv ``abs``/``pdf``/version) as one.

Matching is done by Arrow's string kernels, so a column of a million names resolves without
Python per name (:meth:`NameIndex.resolve_array`), and one name resolves the same way.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from functools import cache
from typing import TYPE_CHECKING

from benchtables.errors import UnknownIdError
from benchtables.spec import WHITESPACE

if TYPE_CHECKING:
    import numpy as np
    import pyarrow as pa

__all__ = [
    "ID_HELP",
    "ID_PATTERN",
    "REPO_ID",
    "URL_HELP",
    "URL_PATTERN",
    "NameIndex",
    "canonical_url",
    "display_key",
    "is_local_path",
    "name_keys",
    "normalize_name",
]

ID_PATTERN = r"^[a-z0-9][a-z0-9._+@-]*$"
ID_HELP = "ids are lowercase letters, digits and . _ + @ - (e.g. palm-540b)"
#: An http(s) URL of the characters RFC 3986 allows (non-ASCII percent-encoded): no spaces,
#: quotes, angle brackets, braces or backslashes, which could escape the markup a link lands in.
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_URL_CHARS = r"[A-Za-z0-9\-._~%!$&'()*+,;=:@/]"
URL_PATTERN = (rf"^https?://{_LABEL}(?:\.{_LABEL})*(?::[0-9]{{1,5}})?(?:/{_URL_CHARS}*)?"
               rf"(?:\?(?:{_URL_CHARS}|\?)*)?(?:#(?:{_URL_CHARS}|\?)*)?$")
URL_HELP = ("an http or https link of the characters URLs allow: percent-encode spaces, quotes, "
            "brackets, braces, backslashes and non-ASCII text")
#: A Hugging Face repository id: owner/name (``meta-llama/Llama-2-70b-hf``), not a path or ``DiT-XL/2``.
REPO_ID = re.compile(r"^[A-Za-z0-9][\w.-]*/(?=[\w.+-]*[A-Za-z])[\w.+-]{3,}$")
#: What is dropped from a name before matching: whitespace, and punctuation other than . + @ /
#: (ASCII, and the dashes, quotes, brackets and stops of other scripts), spelled out so that
#: Python and Arrow drop exactly the same characters.
NAME_DROPS = (WHITESPACE + "!\"#$%&'()*,-:;<=>?[\\]^_`{|}~"
              + "\u00a1\u00a7\u00ab\u00b4\u00b6\u00b7\u00bb\u00bf\u2010\u2011\u2012\u2013\u2014\u2015\u2018\u2019"
              "\u201a\u201b\u201c\u201d\u201e\u201f\u2020\u2021\u2022\u2026\u2032\u2033\u2035\u2036\u2039\u203a"
              "\u3001\u3002\u3008\u3009\u300a\u300b\u300c\u300d\u300e\u300f\u3010\u3011\u30fb"
              "\uff01\uff02\uff03\uff05\uff06\uff07\uff08\uff09\uff0a\uff0c\uff0d\uff1a\uff1b\uff1f\uff3b"
              "\uff3d\uff3f\uff5b\uff5d\uff5e")
_DROP_TABLE = str.maketrans("", "", NAME_DROPS)
_DROP_RE2 = "[" + "".join(f"\\x{{{ord(c):x}}}" for c in NAME_DROPS) + "]"


def name_keys(values: pa.Array) -> pa.Array:
    """The matching form of each name of a column: lower case, whitespace and punctuation other
    than ``. + @ /`` dropped (one pass of Arrow kernels for the whole column)."""
    import pyarrow.compute as pc

    return pc.replace_substring_regex(pc.utf8_lower(values), _DROP_RE2, "")


def normalize_name(name: str) -> str:
    """The matching form of one name, as :func:`name_keys` writes it (``Llama 2 70B`` → ``llama270b``)."""
    return name.replace("\u0130", "i").lower().translate(_DROP_TABLE)


#: Services that route a request to a model another organisation serves: ``openrouter/openai/gpt-5.2``
#: is OpenAI's ``gpt-5.2`` reached through OpenRouter (the route is how, not which model).
ROUTES = frozenset({"openrouter", "litellm", "together", "together_ai", "fireworks_ai", "bedrock", "vertex_ai",
                    "azure", "hf-inference-providers", "groq", "deepinfra", "replicate"})


def unrouted(name: str) -> str:
    """A model name without the routing services in front of its ``owner/name``."""
    text = name.strip()
    while text.count("/") > 1 and text.split("/", 1)[0].lower() in ROUTES:
        text = text.split("/", 1)[1]
    return text


def is_local_path(name: str) -> bool:
    """Whether a model name is a file-system path (``/data/13b``, ``./ckpt``, ``~/m``, ``C:\\m``),
    which says where weights were, not which model they are (a routed name such as
    ``openrouter/openai/gpt-5.2`` is not: see :func:`unrouted`)."""
    text = unrouted(name)
    return (text.startswith(("/", "./", "../", "~", "\\")) or bool(re.match(r"^[A-Za-z]:[\\/]", text))
            or text.count("/") > 1 or "\\" in text)


# --------------------------------------------------------------------------- URLs

_ARXIV = re.compile(r"^(?:export\.)?arxiv\.org/(?:abs|pdf|html)/(?P<id>\d{4}\.\d{4,5}|[a-z-]+(?:\.[A-Z]{2})?/\d{7})"
                    r"(?:v\d+)?(?:\.pdf)?/?$")
_DOI = re.compile(r"^(?:dx\.)?doi\.org/(?P<id>10\..+)$")


def canonical_url(url: str) -> str:
    """One form per page: ``http://arxiv.org/abs/2112.11446`` and ``https://arxiv.org/pdf/2112.11446v2``
    are both ``arxiv:2112.11446``.

    The scheme, ``www.``, a default port, a trailing slash and a fragment make no difference;
    the case of the host does not either; the path's case does. arXiv papers are their id
    (whatever the version or page), DOIs their DOI.
    """
    text = url.strip()
    m = re.match(r"^(?:https?://)?(?P<host>[^/?#]+)(?P<rest>[^#]*)", text, re.IGNORECASE)
    if not m:
        return text
    host = m["host"].lower()
    host = re.sub(r":(?:80|443)$", "", host).removeprefix("www.")
    rest = m["rest"]
    path, _, query = rest.partition("?")
    path = path.rstrip("/")
    whole = f"{host}{path}"
    if (arxiv := _ARXIV.match(whole)) is not None:
        return f"arxiv:{arxiv['id']}"
    if (doi := _DOI.match(whole)) is not None:
        return f"doi:{doi['id'].lower()}"
    return whole + (f"?{query}" if query else "")


# --------------------------------------------------------------------------- display names

@cache
def _homoglyphs() -> dict[str, str]:
    """Characters that look like ASCII ones (Cyrillic Р, Greek Ο, fullwidth forms …) → that ASCII text."""
    from confusable_homoglyphs import confusables

    out: dict[str, str] = {}
    for char, found in confusables.confusables_data.items():
        ascii_forms = [h["c"] for h in found if h["c"].isascii()]
        if ascii_forms and not char.isascii():
            out[char] = ascii_forms[0]
    return out


def display_key(name: str) -> str:
    """What a display name looks like, for catching look-alikes: Unicode-normalised, confusable
    characters folded to the ASCII ones they resemble, case and spacing ignored.

    ``PaLM 540B``, ``PaLM  540B`` and ``РaLM 540B`` (a Cyrillic Р) have one key.
    """
    table = _homoglyphs()
    text = unicodedata.normalize("NFKC", name)
    folded = "".join(table.get(c, c) for c in text).casefold()
    return re.sub(r"[\W_]+", "", folded)


# --------------------------------------------------------------------------- index


class NameIndex:
    """Resolves ids, names and aliases to ids, and suggests close ids for unknown names.

    Build it with :meth:`add` (a few ids) or :meth:`from_columns` (Arrow columns: a hundred
    thousand models cost a few Arrow kernels, not a loop). A key that stands for several ids
    is ambiguous: it resolves to none of them.
    """

    def __init__(self, what: str) -> None:
        self.what = what
        self._pending_ids: list[str] = []
        self._pending_names: list[tuple[str, str]] = []  # (name, id)
        self._columns: list[tuple[pa.Array, pa.Array]] = []  # (names, ids) in Arrow
        self._id_columns: list[pa.Array] = []
        self._built: tuple[pa.Array, pa.Array, pa.Array, pa.Array] | None = None
        self._ids_cache: list[str] | None = None
        self._python: tuple[set[str], dict[str, str]] | None = None

    # ------------------------------------------------------------------ building

    def add(self, id_: str, *names: str | None) -> None:
        self._pending_ids.append(id_)
        self._pending_names.extend((name, id_) for name in (id_, *names) if name)
        self._built = self._ids_cache = self._python = None

    @classmethod
    def from_columns(cls, what: str, ids: pa.Array, names: Sequence[pa.Array] = (),
                     lists: Sequence[pa.Array] = ()) -> NameIndex:
        """An index of ``ids`` found also by the parallel ``names`` columns and the ``lists`` columns
        (lists of aliases), all Arrow arrays of one row per id."""
        import pyarrow as pa
        import pyarrow.compute as pc

        index = cls(what)
        ids = ids.cast(pa.string())
        index._id_columns.append(ids)
        index._columns.append((ids, ids))
        for column in names:
            index._columns.append((column.cast(pa.string()), ids))
        for column in lists:
            flat = pc.list_flatten(column)
            index._columns.append((flat.cast(pa.string()), ids.take(pc.list_parent_indices(column))))
        return index

    def merged(self, other: NameIndex) -> NameIndex:
        """An index of both ``self`` and ``other``'s names (as if every ``add`` had been made to one)."""
        index = NameIndex(self.what)
        for source in (self, other):
            index._pending_ids += source._pending_ids
            index._pending_names += source._pending_names
            index._columns += source._columns
            index._id_columns += source._id_columns
        return index

    def _build(self) -> tuple[pa.Array, pa.Array, pa.Array, pa.Array]:
        """(ids, keys, targets, ambiguous keys): unique keys each with its one id."""
        if self._built is not None:
            return self._built
        import numpy as np
        import pyarrow as pa
        import pyarrow.compute as pc

        from benchtables.arrays import FALSE, ZERO, codes_of, string_array, take

        names = [string_array([n for n, _ in self._pending_names]), *(n for n, _ in self._columns)]
        targets = [string_array([i for _, i in self._pending_names]), *(i for _, i in self._columns)]
        keys = name_keys(pa.concat_arrays(names)).cast(pa.string())
        targets_all = pa.concat_arrays(targets).cast(pa.string())
        usable = pc.fill_null(pc.greater(pc.binary_length(keys), ZERO), FALSE)
        keys, targets_all = keys.filter(usable), targets_all.filter(usable)
        key_codes, id_codes = pc.dictionary_encode(keys), pc.dictionary_encode(targets_all)
        k, i = codes_of(key_codes), codes_of(id_codes)
        # distinct (key, id) pairs, then the keys that stand for exactly one id
        pairs = np.unique(k * (len(id_codes.dictionary) + 1) + i) if len(k) else np.zeros(0, np.int64)
        pair_keys, pair_ids = pairs // (len(id_codes.dictionary) + 1), pairs % (len(id_codes.dictionary) + 1)
        counts = np.bincount(pair_keys, minlength=len(key_codes.dictionary)) if len(pairs) else np.zeros(0, np.int64)
        first_id = np.full(len(key_codes.dictionary), -1, dtype=np.int64)
        first_id[pair_keys[::-1]] = pair_ids[::-1]
        single = np.flatnonzero(counts == 1)
        several = np.flatnonzero(counts > 1)
        ids = pc.unique(pa.concat_arrays([string_array(self._pending_ids), *(c.cast(pa.string()) for c in self._id_columns)]))
        self._built = (ids, take(key_codes.dictionary, single), take(id_codes.dictionary, first_id[single]),
                       take(key_codes.dictionary, several))
        return self._built

    # ------------------------------------------------------------------ lookups

    def __contains__(self, id_: object) -> bool:
        return isinstance(id_, str) and id_ in self._lookup()[0]

    @property
    def ids(self) -> list[str]:
        if self._ids_cache is None:
            self._ids_cache = self._build()[0].to_pylist()
        return self._ids_cache

    def resolve_array(self, values: pa.Array) -> tuple[pa.Array, np.ndarray]:
        """The id each value stands for (null where unknown or ambiguous), and a mask of the
        ambiguous ones. Dictionary arrays are resolved once per distinct value."""
        import numpy as np
        import pyarrow as pa
        import pyarrow.compute as pc

        from benchtables.arrays import FALSE, codes_of, numpy_of, take

        if pa.types.is_dictionary(values.type):
            resolved, ambiguous = self.resolve_array(values.dictionary)
            codes = codes_of(values)
            valid = codes >= 0
            out = take(resolved, np.where(valid, codes, 0), ~valid)
            return out, (ambiguous[np.where(valid, codes, 0)] & valid) if len(ambiguous) else \
                np.zeros(len(values), dtype=bool)
        ids, keys, targets, ambiguous_keys = self._build()
        values = values.cast(pa.string())
        exact = pc.fill_null(pc.is_in(values, value_set=ids), FALSE)
        found = pc.take(targets, pc.index_in(name_keys(values), value_set=keys))
        resolved = pc.if_else(exact, values, found)
        ambiguous = pc.and_(pc.invert(exact), pc.fill_null(pc.is_in(name_keys(values), value_set=ambiguous_keys),
                                                            FALSE))
        return resolved, numpy_of(ambiguous)

    def _lookup(self) -> tuple[set[str], dict[str, str]]:
        if self._python is None:
            ids, keys, targets, _ = self._build()
            self._python = (set(ids.to_pylist()), dict(zip(keys.to_pylist(), targets.to_pylist(), strict=True)))
        return self._python

    def resolve(self, name: str) -> str | None:
        """The id ``name`` stands for, or ``None`` if it is unknown or ambiguous."""
        ids, by_key = self._lookup()
        if name in ids:
            return name
        return by_key.get(normalize_name(name))

    def candidates(self, name: str) -> list[str]:
        """Every id whose names share ``name``'s key (more than one: ambiguous)."""
        import pyarrow as pa
        import pyarrow.compute as pc

        from benchtables.arrays import scalar, string_array

        key = normalize_name(name)
        names = [string_array([n for n, _ in self._pending_names]), *(n for n, _ in self._columns)]
        targets = [string_array([i for _, i in self._pending_names]), *(i for _, i in self._columns)]
        found = pa.concat_arrays(targets).filter(pc.equal(name_keys(pa.concat_arrays(names)), scalar(key)))
        return sorted(set(found.to_pylist()))

    def suggest(self, name: str, n: int = 3) -> list[str]:
        """Ids close to ``name``: the candidates for a did-you-mean."""
        import difflib

        key = normalize_name(name)
        same = self.candidates(name)
        if len(same) > 1:
            return same[:n]
        _, keys, targets, _ = self._build()
        by_key = dict(zip(keys.to_pylist(), targets.to_pylist(), strict=True))
        out: list[str] = []
        for match in difflib.get_close_matches(key, list(by_key), n=n * 2, cutoff=0.6):
            if by_key[match] not in out:
                out.append(by_key[match])
        return out[:n]

    def require(self, name: str) -> str:
        """Like :meth:`resolve`, but an unknown name raises :class:`UnknownIdError`."""
        resolved = self.resolve(name)
        if resolved is None:
            raise UnknownIdError(self.what, name, self.suggest(name), self.ids)
        return resolved

    def collisions(self) -> dict[str, list[str]]:
        """Keys that stand for more than one id, with those ids."""
        _, _, _, ambiguous = self._build()
        return {key: self.candidates(key) for key in ambiguous.to_pylist()}


def model_candidates(name: str) -> list[str]:
    """Forms of a model name that may be found as given: the name, and without a ``-hf`` suffix
    (a conversion of the same weights). Never without its owner: that would be another model."""
    out = [name.strip()]
    trimmed = re.sub(r"[-_]hf$", "", out[0], flags=re.IGNORECASE)
    if trimmed != out[0]:
        out.append(trimmed)
    return out


def short_name(name: str) -> str:
    """The name part of a repository id (``Llama-2-70b-hf`` of ``meta-llama/Llama-2-70b-hf``)."""
    return name.split("/")[-1] if REPO_ID.match(name) else name


def unique_names(names: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(names))
