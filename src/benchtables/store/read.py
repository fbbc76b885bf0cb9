"""Reading a store: every table checked when it is opened.

Opening a table checks that it is a benchtables table of a schema version this package reads,
that its columns are the ones its declaration gives (so a hand-edited or truncated table is an
error that says so, never a crash later), that its footer is the one the manifest recorded,
and — as it is read — every data page against its checksum. A changed byte anywhere is a
:class:`~benchtables.errors.StoreCorruptError`, never a silently wrong number.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from benchtables.arrays import column_of, string_array
from benchtables.errors import StoreCorruptError, StoreNotFoundError, StoreVersionError, UnknownIdError
from benchtables.project import resolve_store
from benchtables.registry import Registry
from benchtables.store.schema import META_VERSION, SCHEMA_VERSION, TABLES, arrow_schema
from benchtables.store.write import MANIFEST, footer_digest, recover

__all__ = ["SCAN_ROWS", "Store"]

#: Tables with more rows are filtered while read (pyarrow.dataset); smaller ones are read whole.
SCAN_ROWS = 1 << 16


def _isin(column: Any, values: Sequence[Any]) -> Any:
    """``column`` is one of ``values`` (None matches nulls): an Arrow mask or a dataset expression."""
    present = [v for v in values if v is not None]
    if isinstance(column, pa.ChunkedArray | pa.Array):
        kind = column.type.value_type if pa.types.is_dictionary(column.type) else column.type
        value_set = string_array(present) if pa.types.is_string(kind) else column_of(present, kind)
        mask = pc.is_in(column, value_set=value_set)
        return pc.or_(mask, pc.is_null(column)) if None in values else mask
    if not present:
        return column.is_null()
    condition = column.isin(present)
    return condition | column.is_null() if None in values else condition


def _same_type(found: pa.DataType, wanted: pa.DataType) -> bool:
    if pa.types.is_dictionary(found):
        found = found.value_type
    if found == wanted:
        return True
    if pa.types.is_large_string(found) and pa.types.is_string(wanted):
        return True
    if (pa.types.is_list(found) or pa.types.is_large_list(found)) and pa.types.is_list(wanted):
        return _same_type(found.value_type, wanted.value_type)
    return False


@dataclass
class Store:
    """A store directory to read from."""

    path: Path
    _cache: dict[str, pa.Table] = field(default_factory=dict, repr=False)
    _datasets: dict[str, Any] = field(default_factory=dict, repr=False)
    _manifest: dict[str, Any] | None = field(default=None, repr=False)
    _checked: set[str] = field(default_factory=set, repr=False)

    @classmethod
    def open(cls, store: Path | str | Store | None = None) -> Store:
        """The store at ``store``, or the default one (see :func:`benchtables.project.resolve_store`)."""
        if isinstance(store, Store):
            return store
        return cls(resolve_store(store))

    # ------------------------------------------------------------------ integrity

    def _check_exists(self) -> None:
        if self.path.is_dir():
            return
        if self.path.parent.is_dir() and recover(self.path) and self.path.is_dir():
            return  # an interrupted build's swap, finished or undone
        raise StoreNotFoundError(
            f"no store at {self.path}: build one with `benchtables build`, or point --store / "
            "BENCHTABLES_STORE at one")

    def manifest(self) -> dict[str, Any] | None:
        """What the build recorded of each file (None for stores written without one)."""
        if self._manifest is None:
            path = self.path / MANIFEST
            if not path.is_file():
                return None
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
                files = data["files"]
                if not isinstance(files, dict):
                    raise TypeError
            except (OSError, ValueError, KeyError, TypeError, UnicodeDecodeError):
                raise StoreCorruptError(f"{path} is not a store manifest: rebuild the store with "
                                        "`benchtables build`") from None
            version = data.get("benchtables", {}).get("schema_version") if isinstance(data.get("benchtables"), dict) \
                else None
            if isinstance(version, int) and version > SCHEMA_VERSION:
                raise StoreVersionError(f"{self.path} was written with store schema version {version}; this "
                                        f"benchtables reads up to version {SCHEMA_VERSION}: upgrade it with  "
                                        "pip install -U benchtables")
            self._manifest = data
        return self._manifest

    def _check_file(self, path: Path) -> None:
        """A table file is the one the build wrote (its size and footer)."""
        manifest = self.manifest()
        if manifest is None:
            return
        relative = path.relative_to(self.path).as_posix()
        recorded = manifest["files"].get(relative)
        if recorded is None:
            raise StoreCorruptError(f"{path} is not in the store's manifest: the store was changed after it was "
                                    "built; rebuild it with `benchtables build`")
        if path.stat().st_size != recorded.get("bytes") or footer_digest(path) != recorded.get("footer_sha256"):
            raise StoreCorruptError(f"{path} has changed since the store was built (size or checksum differs): "
                                    "rebuild it with `benchtables build`")

    def _check_schema(self, name: str, schema: pa.Schema, path: Path) -> None:
        meta = schema.metadata or {}
        raw = meta.get(META_VERSION)
        if raw is None:
            raise StoreCorruptError(f"{path} is not a benchtables table (no schema version in its metadata)")
        try:
            version = int(raw)
        except ValueError:
            raise StoreCorruptError(f"{path} has an unreadable schema version {raw!r}") from None
        if version > SCHEMA_VERSION:
            raise StoreVersionError(
                f"{path} was written with store schema version {version}; this benchtables reads up to "
                f"version {SCHEMA_VERSION}: upgrade it with  pip install -U benchtables")
        if version < SCHEMA_VERSION:
            raise StoreVersionError(f"{path} was written by an older benchtables (store schema version {version}): "
                                    "rebuild the store with `benchtables build`")
        wanted = arrow_schema(name)
        for f in wanted:
            if f.name not in schema.names:
                if self.partition_column(name) == f.name:
                    continue
                raise StoreCorruptError(f"{path} has no column {f.name!r}: rebuild the store with `benchtables build`")
            found = schema.field(f.name).type
            if not _same_type(found, f.type):
                raise StoreCorruptError(f"{path}: column {f.name!r} is {found}, not {f.type}: rebuild the store "
                                        "with `benchtables build`")

    def check(self) -> None:
        """Check every table (schema, manifest, page checksums); raises StoreCorruptError."""
        self._check_exists()
        for name in TABLES:
            self.table(name)

    # ------------------------------------------------------------------ reading

    def table_path(self, name: str) -> Path:
        if name not in TABLES:
            raise UnknownIdError("table", name, [], TABLES)
        file = self.path / f"{name}.parquet"
        return file if file.exists() or not (self.path / name).is_dir() else self.path / name

    def _parquet(self, path: Path, name: str) -> pq.ParquetFile:
        self._check_file(path)
        handle = pq.ParquetFile(path, page_checksum_verification=True)
        if name not in self._checked:
            self._check_schema(name, handle.schema_arrow, path)
            self._checked.add(name)
        return handle

    def table(self, name: str, columns: Sequence[str] | None = None) -> pa.Table:
        """One table as Arrow, checked."""
        key = f"{name}:{','.join(columns) if columns else '*'}"
        if key in self._cache:
            return self._cache[key]
        self._check_exists()
        path = self.table_path(name)
        if not path.exists():
            raise StoreCorruptError(f"store at {self.path} has no {name!r} table ({path.name} is missing): rebuild it")
        try:
            if path.is_dir():
                table = self._scan(name, columns, None)
            else:  # ParquetFile, not read_table: no dataset layer (which imports pandas) for one file
                table = self._parquet(path, name).read(columns=list(columns) if columns else None)
        except (pa.ArrowException, OSError, UnicodeDecodeError) as exc:
            raise StoreCorruptError(f"cannot read {path}: {_one_line(exc)}") from None
        self._cache[key] = table
        return table

    def scan(self, name: str, columns: Sequence[str] | None = None,
             where: Mapping[str, Sequence[Any]] | None = None) -> pa.Table:
        """Rows of a table whose columns take one of the given values (``{"benchmark": ["mmlu"]}``).

        Large and partitioned tables are filtered as they are read (pyarrow.dataset skips
        partitions and row groups whose statistics exclude the values); small ones are
        read whole, which starts faster.
        """
        self._check_exists()
        path = self.table_path(name)
        where = dict(where or {})
        if not path.exists():
            raise StoreCorruptError(f"store at {self.path} has no {name!r} table ({path.name} is missing): rebuild it")
        try:
            if name in self._datasets or path.is_dir() or self._parquet(path, name).metadata.num_rows > SCAN_ROWS:
                return self._scan(name, columns, where)
        except (pa.ArrowException, OSError, UnicodeDecodeError) as exc:
            raise StoreCorruptError(f"cannot read {path}: {_one_line(exc)}") from None
        table = self.table(name)
        for column, values in where.items():
            table = table.filter(_isin(table[column], values))
        return table.select(list(columns)) if columns else table

    def partition_column(self, name: str) -> str | None:
        """The column a table is partitioned by (``benchmark`` for ``scores/benchmark=mmlu/``), or None."""
        path = self.path / name
        if not path.is_dir():
            return None
        parts = sorted(p.name for p in path.iterdir() if p.is_dir() and "=" in p.name)
        return parts[0].split("=", 1)[0] if parts else None

    def _scan(self, name: str, columns: Sequence[str] | None, where: Mapping[str, Sequence[Any]] | None) -> pa.Table:
        import pyarrow.dataset as ds

        schema = arrow_schema(name)
        if name not in self._datasets:
            path = self.table_path(name)
            column = self.partition_column(name)
            partitioning = ds.partitioning(pa.schema([schema.field(column)]), flavor="hive") if column else None
            files = [path] if path.is_file() else sorted(path.rglob("*.parquet"))
            for file in files:
                self._check_file(file)
            scan = ds.ParquetFileFormat(default_fragment_scan_options=ds.ParquetFragmentScanOptions(
                page_checksum_verification=True))
            dataset = ds.dataset(path, format=scan, partitioning=partitioning)
            if name not in self._checked:
                self._check_schema(name, dataset.schema, path)
                self._checked.add(name)
            self._datasets[name] = dataset
        dataset = self._datasets[name]
        condition = None
        for field_name, values in (where or {}).items():
            part = _isin(ds.field(field_name), values)
            condition = part if condition is None else condition & part
        table = dataset.to_table(columns=list(columns) if columns else None, filter=condition)
        names = list(columns) if columns else schema.names
        return table.select(names).cast(pa.schema([schema.field(n) for n in names], metadata=schema.metadata))

    # ------------------------------------------------------------------ what the store describes

    def registry(self) -> Registry:
        """The registry the store was built with.

        Benchmarks and metrics come from the store's own tables; suites and hardware are the
        shipped ones plus those of the project the store belongs to (``registry.yaml`` beside it).
        """
        from benchtables.registry import BenchmarkEntry, MetricEntry

        shipped = Registry.shipped()
        try:
            benchmarks = self.table("benchmarks").to_pylist()
            metrics = self.table("metrics").to_pylist()
        except (StoreCorruptError, StoreNotFoundError):
            return shipped
        for b in benchmarks:
            b["metric_aliases"] = dict(item.split("=", 1) for item in b.get("metric_aliases") or [] if "=" in item)
        registry = Registry(
            metrics={m["id"]: MetricEntry(m) for m in metrics},
            benchmarks={b["id"]: BenchmarkEntry(b) for b in benchmarks},
            suites=dict(shipped.suites),
            hardware=dict(shipped.hardware),
        )
        project_file = self.path.parent / "registry.yaml"
        if project_file.is_file():
            project, _ = Registry().extended(project_file)
            registry.suites.update(project.suites)
            registry.hardware.update(project.hardware)
        return registry

    def equals(self, tables: Mapping[str, pa.Table]) -> list[str]:
        """Names of the tables in ``tables`` that differ from this store's (or are missing)."""
        from benchtables.errors import StoreError

        differ = []
        for name, table in tables.items():
            try:
                mine = self.table(name)
            except StoreError:
                differ.append(name)
                continue
            if not mine.equals(table, check_metadata=True):
                differ.append(name)
        return differ


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())[:300]
