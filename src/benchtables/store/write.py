"""Writing a store: locked, complete before it is seen, crash-safe at every instant.

A build writes the whole new store into a staging directory beside the old one — every table
with Parquet page checksums, then ``manifest.json`` (each file's size and the SHA-256 of its
footer) — syncs it to disk, and then swaps the two directories:

* where the kernel can exchange two paths in one step (Linux ``renameat2(RENAME_EXCHANGE)``),
  it does: at every instant ``data/store`` is either the old store or the new one;
* elsewhere it writes a journal naming both directories, renames the old store aside and the
  new one in, and removes the journal. A build or reader that finds a journal finishes or
  undoes the swap (:func:`recover`), so the store is whole again before anything reads it.

A lock beside the store makes a second build wait for the first (or fail after a while, saying
so); leftovers of killed builds are removed under it. The new store's permissions follow the
user's umask, like any directory they create.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from benchtables.arrays import numpy_of
from benchtables.errors import StoreError, StoreWriteError
from benchtables.store.schema import RECORD_TABLES, SCHEMA_VERSION, partition_names, partitioned

__all__ = ["LOCK_TIMEOUT", "MANIFEST", "footer_digest", "recover", "store_lock", "write_store"]

MANIFEST = "manifest.json"
#: Seconds a build waits for another build of the same store to finish.
LOCK_TIMEOUT = 600.0
_PARQUET_OPTIONS: dict[str, Any] = {
    "compression": "zstd",
    "compression_level": 9,
    "use_dictionary": True,
    "write_statistics": True,
    "data_page_version": "1.0",
    "version": "2.6",
    "row_group_size": 1 << 17,  # small enough for filters to skip most of a large table
    "write_page_checksum": True,  # a reader detects a changed byte in any data page
}


def _journal(target: Path) -> Path:
    return target.parent / f".{target.name}.swap"


def store_lock(target: Path, timeout: float = LOCK_TIMEOUT) -> Any:
    """The lock a build holds on a store (a file beside it)."""
    from filelock import FileLock

    return FileLock(str(target.parent / f".{target.name}.lock"), timeout=timeout)


# --------------------------------------------------------------------------- checksums


def footer_digest(path: Path) -> str:
    """SHA-256 of a Parquet file's footer (its schema, row groups and statistics), which page
    checksums do not cover."""
    size = path.stat().st_size
    with path.open("rb") as handle:
        if size < 12:
            return ""
        handle.seek(size - 8)
        tail = handle.read(8)
        length = int.from_bytes(tail[:4], "little")
        if tail[4:] != b"PAR1" or length + 8 > size:
            return ""
        handle.seek(size - 8 - length)
        return hashlib.sha256(handle.read(length)).hexdigest()


def _manifest(directory: Path) -> dict[str, Any]:
    files = sorted(p for p in directory.rglob("*.parquet"))
    return {
        "benchtables": {"schema_version": SCHEMA_VERSION},
        "files": {p.relative_to(directory).as_posix(): {"bytes": p.stat().st_size, "footer_sha256": footer_digest(p)}
                  for p in files},
    }


# --------------------------------------------------------------------------- writing


def write_table(table: pa.Table, path: Path) -> None:
    """Write one table with the store's fixed Parquet options, and sync it to disk."""
    pq.write_table(table, path, **_PARQUET_OPTIONS)
    _fsync(path)


def _write_partitioned(table: pa.Table, directory: Path, column: str) -> None:
    """Hive-style partitions (``column=value/part-0.parquet``) in the table's order; the
    partition column is stored in the directory names, not the files."""
    names = partition_names(table[column])
    rest = table.drop_columns([column])
    encoded = names.dictionary_encode()
    indices = numpy_of(encoded.indices)
    for code, name in enumerate(encoded.dictionary.to_pylist()):
        rows = np.flatnonzero(indices == code)
        part = directory / f"{column}={name}"
        part.mkdir(parents=True)
        write_table(rest.take(pa.array(rows)), part / "part-0.parquet")


def _fsync(path: Path) -> None:
    flags = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) if path.is_dir() else os.O_RDONLY
    try:
        fd = os.open(path, flags)
    except OSError:
        return  # some platforms cannot open directories: nothing more to do
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _mode() -> int:
    """The mode a new directory gets under the user's umask."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o777 & ~mask


def write_store(tables: Mapping[str, pa.Table], store: Path | str, partition_by: str | None = None) -> None:
    """Write ``tables`` as the store at ``store``, atomically, holding the store's lock.

    Raises:
        StoreWriteError: the store cannot be written (read-only file system, full disk…); the
            old store is left as it was and nothing half-written remains.
    """
    target = Path(store)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with store_lock(target):
            recover(target, locked=True)
            _write_locked(tables, target, partition_by)
    except StoreError:
        raise
    except TimeoutError:
        raise StoreError(f"another build of {target} has held its lock for {LOCK_TIMEOUT:.0f} s; "
                         "wait for it, or remove the lock file if no build is running") from None
    except OSError as exc:
        raise StoreWriteError(f"cannot write the store at {target}: {exc.strerror or exc}") from None


def _write_locked(tables: Mapping[str, pa.Table], target: Path, partition_by: str | None) -> None:
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}-new-", dir=target.parent))
    try:
        os.chmod(staging, _mode())
        for name, table in tables.items():
            if name in RECORD_TABLES and partition_by is not None and partitioned(table, partition_by):
                _write_partitioned(table, staging / name, partition_by)
            else:
                write_table(table, staging / f"{name}.parquet")
        manifest = staging / MANIFEST
        manifest.write_text(json.dumps(_manifest(staging), indent=1, sort_keys=True) + "\n", encoding="utf-8")
        _fsync(manifest)
        for directory in sorted({p.parent for p in staging.rglob("*")} | {staging}, key=lambda p: -len(p.parts)):
            _fsync(directory)
        _swap(staging, target)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one step (Linux renameat2 with RENAME_EXCHANGE); False where that is not possible."""
    if not hasattr(os, "uname") or os.uname().sysname != "Linux":
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.EPERM, errno.ENOTSUP, errno.EXDEV):
        return False  # this file system cannot: the journalled swap does it in two steps
    raise OSError(code, os.strerror(code), str(b))


def _swap(staging: Path, target: Path) -> None:
    if not target.exists():
        os.replace(staging, target)
        _fsync(target.parent)
        return
    if _exchange(staging, target):  # staging now holds the old store
        _fsync(target.parent)
        shutil.rmtree(staging, ignore_errors=True)
        return
    _journalled_swap(staging, target)


def _journalled_swap(staging: Path, target: Path) -> None:
    old = target.parent / f".{target.name}-old-{staging.name.rsplit('-', 1)[-1]}"
    journal = _journal(target)
    journal.write_text(json.dumps({"old": old.name, "new": staging.name}), encoding="utf-8")
    _fsync(journal)
    _fsync(target.parent)
    os.replace(target, old)
    os.replace(staging, target)
    _fsync(target.parent)
    journal.unlink()
    _fsync(target.parent)
    shutil.rmtree(old, ignore_errors=True)


# --------------------------------------------------------------------------- recovery


def _complete(directory: Path) -> bool:
    return (directory / MANIFEST).is_file()


def recover(target: Path, *, locked: bool = False) -> bool:
    """Make a store whole after a build was killed: finish or undo a journalled swap, and remove
    staging leftovers. Takes the store's lock unless ``locked``; returns False when another build
    holds it (nothing is touched then)."""
    if not locked:
        try:
            with store_lock(target, timeout=0):
                return recover(target, locked=True)
        except TimeoutError:
            return False
        except OSError:
            return False  # a read-only place: nothing can be recovered here, nor needs to be
    journal = _journal(target)
    if journal.exists():
        try:
            names = json.loads(journal.read_text(encoding="utf-8"))
            old, new = target.parent / str(names["old"]), target.parent / str(names["new"])
        except (ValueError, KeyError, TypeError):
            old = new = None  # type: ignore[assignment]
        if not target.exists():
            if new is not None and new.is_dir() and _complete(new):
                os.replace(new, target)  # the swap had taken the old store aside: finish it
            elif old is not None and old.is_dir():
                os.replace(old, target)  # undo it
        journal.unlink(missing_ok=True)
        _fsync(target.parent)
    for leftover in [*target.parent.glob(f".{target.name}-new-*"), *target.parent.glob(f".{target.name}-old-*")]:
        if not target.exists() and leftover.is_dir() and _complete(leftover):
            os.replace(leftover, target)  # no journal, no store, but a whole one aside: it is the store
            continue
        shutil.rmtree(leftover, ignore_errors=True)
    return True
