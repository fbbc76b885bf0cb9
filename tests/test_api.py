"""The public API is what __all__ says, and importing the package is cheap."""

from __future__ import annotations

import subprocess
import sys

import benchtables as bt


def test_all_is_sorted_and_every_name_resolves():
    assert bt.__all__ == sorted(bt.__all__)
    for name in bt.__all__:
        assert getattr(bt, name) is not None, name


def test_public_names_stay_functions_after_every_module_is_imported():
    import importlib
    import pkgutil
    import types

    for module in pkgutil.walk_packages(bt.__path__, "benchtables."):
        if module.name != "benchtables.__main__":
            importlib.import_module(module.name)
    for name in bt.__all__:
        assert not isinstance(getattr(bt, name), types.ModuleType), f"bt.{name} is a module"
    assert callable(bt.validate) and callable(bt.build) and callable(bt.render) and callable(bt.leaderboard)


def test_errors_share_one_root():
    for name in bt.__all__:
        obj = getattr(bt, name)
        if isinstance(obj, type) and issubclass(obj, Exception):
            assert issubclass(obj, bt.BenchtablesError), name


def test_import_does_not_load_pandas():
    code = "import sys, benchtables; print('pandas' in sys.modules, 'pyarrow' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False"]
