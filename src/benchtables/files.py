"""Writing files: atomically, with the permissions the user expects, and never through a link.

Every file benchtables writes — entry files from imports, README tables, exports, scaffolds —
goes through :func:`write_atomically`: the text is written to a temporary file beside the
target and renamed over it, so a reader sees the old file or the new one, never half of one;
the new file gets the old file's mode, or the user's umask; and a target that is a symbolic
link (even a dangling one) is refused rather than written through.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from benchtables.errors import UsageError, WriteError

__all__ = ["write_atomically", "write_text_atomically"]


def _mode(path: Path) -> int:
    if path.exists():
        return path.stat().st_mode & 0o7777
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def write_atomically(path: Path | str, data: bytes) -> None:
    """Replace ``path`` with ``data`` in one step.

    Raises:
        UsageError: ``path`` is a symbolic link or a directory.
        WriteError: the file system refuses the write (read-only, full, no permission).
    """
    path = Path(path)
    if path.is_symlink():
        raise UsageError(f"{path} is a symbolic link: benchtables does not write through links")
    if path.is_dir():
        raise UsageError(f"{path} is a directory")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    except OSError as exc:
        raise WriteError(f"cannot write {path}: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, _mode(path))
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise WriteError(f"cannot write {path}: {exc.strerror or exc}") from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_text_atomically(path: Path | str, text: str) -> None:
    """:func:`write_atomically` for UTF-8 text (line endings as given)."""
    write_atomically(path, text.encode("utf-8"))
