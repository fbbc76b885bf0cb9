"""The public API is what __all__ says, and importing the package is cheap."""

from __future__ import annotations

import subprocess
import sys

import benchtables as bt


def test_all_is_sorted_and_every_name_resolves():
    assert bt.__all__ == sorted(bt.__all__)
    for name in bt.__all__:
        assert getattr(bt, name) is not None, name


def test_errors_share_one_root():
    for name in bt.__all__:
        obj = getattr(bt, name)
        if isinstance(obj, type) and issubclass(obj, Exception):
            assert issubclass(obj, bt.BenchtablesError), name


def test_import_does_not_load_pandas():
    code = "import sys, benchtables; print('pandas' in sys.modules, 'pyarrow' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False"]
