"""Settings: packaged defaults, TOML files, overrides, versioned ids and errors that name what is wrong."""

from __future__ import annotations

import dataclasses
import tomllib
from importlib import resources
from pathlib import Path

import pytest

from newstrace import Settings, SettingsError
from newstrace.settings import ALGORITHM_VERSIONS

SECTIONS = ("clean", "fingerprint", "embedding", "align", "relate", "cluster")


def test_packaged_defaults_match_the_dataclass_defaults() -> None:
    packaged = tomllib.loads(resources.files("newstrace").joinpath("defaults.toml").read_text("utf-8"))
    assert Settings.load() == Settings()
    assert Settings().to_dict() == packaged


def test_file_then_overrides_are_applied_in_order(tmp_path: Path) -> None:
    path = tmp_path / "s.toml"
    path.write_text("[fingerprint]\nnum_perm = 64\nlsh_bands = 16\n\n[cluster]\nthread_max_gap_days = 30\n")
    settings = Settings.load(path, fingerprint={"lsh_bands": 8})
    assert settings.fingerprint.num_perm == 64
    assert settings.fingerprint.lsh_bands == 8  # the override wins over the file
    assert settings.cluster.thread_max_gap_days == 30
    # Keys not given keep their packaged defaults.
    assert settings.fingerprint.shingle_words == Settings().fingerprint.shingle_words
    assert settings.align == Settings().align


def test_to_dict_from_dict_round_trip() -> None:
    settings = Settings.load(relate={"rewrite_min_coverage": 0.6}, embedding={"model": ""})
    assert Settings.from_dict(settings.to_dict()) == settings


@pytest.mark.parametrize("section", SECTIONS)
def test_a_section_id_changes_when_one_of_its_values_changes(section: str) -> None:
    base = Settings()
    field = dataclasses.fields(getattr(base, section))[0]
    value = getattr(getattr(base, section), field.name)
    changed_value = (
        (not value) if isinstance(value, bool) else (value + "x" if isinstance(value, str) else value * 2 + 1)
    )
    changed = Settings.load(**{section: {field.name: changed_value}})
    assert changed.section_id(section) != base.section_id(section)
    assert changed.section_id(section).startswith(ALGORITHM_VERSIONS[section] + ":")
    # Every other section keeps its id.
    for other in SECTIONS:
        if other != section:
            assert changed.section_id(other) == base.section_id(other)


def test_section_ids_are_stable_for_equal_settings() -> None:
    assert Settings.load().ids() == Settings().ids()
    assert (
        Settings.load(align={"link_min_score": 0.5}).ids()
        == Settings.load(align={"link_min_score": 0.5}).ids()
    )


def test_relation_id_depends_on_relation_sections_but_not_on_cluster() -> None:
    base = Settings()
    assert Settings.load(cluster={"thread_min_similarity": 0.5}).relation_id == base.relation_id
    assert Settings.load(relate={"partial_min_links": 5}).relation_id != base.relation_id
    assert Settings.load(clean={"short_line_words": 3}).relation_id != base.relation_id
    ids = base.ids()
    assert set(ids) == {*SECTIONS, "relation"}
    assert ids["relation"] == base.relation_id


def test_unknown_key_raises_naming_the_key_and_the_section() -> None:
    with pytest.raises(SettingsError) as info:
        Settings.load(fingerprint={"num_prem": 64})
    message = str(info.value)
    assert "num_prem" in message
    assert "[fingerprint]" in message
    assert "num_perm" in message  # the known keys are listed, so the typo is easy to spot


def test_unknown_section_raises_naming_the_section(tmp_path: Path) -> None:
    path = tmp_path / "s.toml"
    path.write_text("[fingerprnt]\nnum_perm = 64\n")
    with pytest.raises(SettingsError, match=r"fingerprnt"):
        Settings.load(path)


def test_a_key_outside_any_table_raises(tmp_path: Path) -> None:
    path = tmp_path / "s.toml"
    path.write_text("num_perm = 64\n")
    with pytest.raises(SettingsError, match=r"num_perm"):
        Settings.load(path)


def test_bad_toml_raises_naming_the_file(tmp_path: Path) -> None:
    path = tmp_path / "broken settings.toml"
    path.write_text("[fingerprint\nnum_perm = 64\n")
    with pytest.raises(SettingsError) as info:
        Settings.load(path)
    assert str(path) in str(info.value)


def test_missing_file_raises_naming_the_file(tmp_path: Path) -> None:
    path = tmp_path / "nowhere.toml"
    with pytest.raises(SettingsError) as info:
        Settings.load(path)
    assert str(path) in str(info.value)


def test_unknown_key_in_a_file_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "team.toml"
    path.write_text("[fingerprint]\nnum_prem = 64\n")
    with pytest.raises(SettingsError) as info:
        Settings.load(path)
    assert "num_prem" in str(info.value)
    assert str(path) in str(info.value)


def test_a_value_of_the_wrong_type_raises_settings_error(tmp_path: Path) -> None:
    path = tmp_path / "s.toml"
    path.write_text('[fingerprint]\nnum_perm = "many"\n')
    with pytest.raises(SettingsError, match=r"num_perm"):
        Settings.load(path)
