"""One settings object with packaged defaults, shared by the CLI, the HTTP API and the Python API.

Each section has a versioned id: ``<algorithm>-v<N>:<hash of the section's values>``. Stored fingerprints
and relations carry these ids, so results made with other settings never mix.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from newstrace.errors import SettingsError

__all__ = [
    "AlignSettings",
    "CleanSettings",
    "ClusterSettings",
    "EmbeddingSettings",
    "FingerprintSettings",
    "RelateSettings",
    "Settings",
]

# Bump when the code of a stage changes its output for the same settings.
ALGORITHM_VERSIONS = {
    "clean": "clean-v1",
    "fingerprint": "oph-minhash-anchors-v2",
    "embedding": "embed-v1",
    "align": "align-v2",
    "relate": "relate-v1",
    "cluster": "cluster-v1",
}


@dataclass(frozen=True, slots=True)
class CleanSettings:
    corpus_repeat_min_docs: int = 3
    short_line_words: int = 12


@dataclass(frozen=True, slots=True)
class FingerprintSettings:
    shingle_words: int = 5
    num_perm: int = 128
    lsh_bands: int = 32
    anchors_per_article: int = 24
    anchor_max_df: int = 40
    anchor_min_shared: int = 4
    candidate_min_similarity: float = 0.15
    anchor_only_min_similarity: float = 0.25


@dataclass(frozen=True, slots=True)
class EmbeddingSettings:
    model: str = "use"
    batch_size: int = 64


@dataclass(frozen=True, slots=True)
class AlignSettings:
    link_min_score: float = 0.42
    verbatim_min_score: float = 0.95
    edited_min_score: float = 0.7


@dataclass(frozen=True, slots=True)
class RelateSettings:
    duplicate_min_coverage: float = 0.85
    rewrite_min_coverage: float = 0.5
    partial_min_links: int = 2
    partial_min_coverage: float = 0.15
    same_story_min_score: float = 0.28
    changes: bool = True


@dataclass(frozen=True, slots=True)
class ClusterSettings:
    thread_min_similarity: float = 0.12
    thread_max_gap_days: int = 150


_SECTIONS: dict[str, type[Any]] = {
    "clean": CleanSettings,
    "fingerprint": FingerprintSettings,
    "embedding": EmbeddingSettings,
    "align": AlignSettings,
    "relate": RelateSettings,
    "cluster": ClusterSettings,
}


@dataclass(frozen=True, slots=True)
class Settings:
    """All settings. Build with :meth:`Settings.load` (packaged defaults + optional file + overrides)."""

    clean: CleanSettings = field(default_factory=CleanSettings)
    fingerprint: FingerprintSettings = field(default_factory=FingerprintSettings)
    embedding: EmbeddingSettings = field(default_factory=EmbeddingSettings)
    align: AlignSettings = field(default_factory=AlignSettings)
    relate: RelateSettings = field(default_factory=RelateSettings)
    cluster: ClusterSettings = field(default_factory=ClusterSettings)

    @classmethod
    def load(cls, path: str | Path | None = None, **overrides: dict[str, Any]) -> Settings:
        """Packaged defaults, then the TOML file at ``path``, then ``overrides`` (section -> values)."""
        data = tomllib.loads(resources.files("newstrace").joinpath("defaults.toml").read_text("utf-8"))
        if path is not None:
            try:
                user = tomllib.loads(Path(path).read_text("utf-8"))
            except (OSError, tomllib.TOMLDecodeError) as exc:
                raise SettingsError(f"{path}: cannot read settings ({exc}); fix or remove the file") from exc
            _merge(data, user, where=str(path))
        _merge(data, overrides, where="overrides")
        try:
            return cls.from_dict(data)
        except SettingsError as exc:
            where = f"{path}: " if path is not None else ""
            raise SettingsError(f"{where}{exc}") from exc

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Settings:
        sections: dict[str, Any] = {}
        for name, values in data.items():
            section_type = _SECTIONS.get(name)
            if section_type is None:
                raise SettingsError(f"unknown settings section [{name}]; known: {', '.join(_SECTIONS)}")
            known = {f.name for f in dataclasses.fields(section_type)}
            unknown = set(values) - known
            if unknown:
                raise SettingsError(
                    f"unknown setting(s) {', '.join(sorted(unknown))} in [{name}]; known: {', '.join(sorted(known))}"
                )
            for f in dataclasses.fields(section_type):
                if f.name in values:
                    _check_type(name, f.name, values[f.name], f.default)
            sections[name] = section_type(**values)
        return cls(**sections)

    def to_dict(self) -> dict[str, dict[str, Any]]:
        return {name: dataclasses.asdict(getattr(self, name)) for name in _SECTIONS}

    def section_id(self, name: str) -> str:
        """Versioned id of one section, e.g. ``minhash-anchors-v1:3f2a9c1d``."""
        values = json.dumps(dataclasses.asdict(getattr(self, name)), sort_keys=True)
        digest = hashlib.blake2b(values.encode(), digest_size=4).hexdigest()
        return f"{ALGORITHM_VERSIONS[name]}:{digest}"

    @property
    def relation_id(self) -> str:
        """Id of everything a relation depends on (all sections but cluster)."""
        parts = [self.section_id(n) for n in ("clean", "fingerprint", "embedding", "align", "relate")]
        digest = hashlib.blake2b("|".join(parts).encode(), digest_size=6).hexdigest()
        return f"relation-v1:{digest}"

    def ids(self) -> dict[str, str]:
        """The versioned id of every section plus the relation id (the JSON report's ``settings``)."""
        out = {name: self.section_id(name) for name in _SECTIONS}
        out["relation"] = self.relation_id
        return out


def _check_type(section: str, key: str, value: Any, default: Any) -> None:
    expected: tuple[type, ...] = (int, float) if isinstance(default, float) else (type(default),)
    if isinstance(value, bool) != isinstance(default, bool) or not isinstance(value, expected):
        raise SettingsError(
            f"[{section}] {key} = {value!r} should be {type(default).__name__}, like the default {default!r}"
        )


def _merge(base: dict[str, Any], extra: dict[str, Any], *, where: str) -> None:
    for section, values in extra.items():
        if not isinstance(values, dict):
            raise SettingsError(f"{where}: [{section}] must be a table of settings")
        base.setdefault(section, {}).update(values)
