"""newstrace: trace news articles back to their sources.

Public API: :class:`Engine` (analyze, compare), the records, :class:`Settings` and the exception tree.
"""

from __future__ import annotations

# First, before any module below loads numpy: one BLAS thread for this process (see newstrace._blas).
from newstrace import _blas  # noqa: F401
from newstrace.analysis import Analysis
from newstrace.engine import Engine
from newstrace.errors import (
    ExtraNotInstalledError,
    InputError,
    NewstraceError,
    SettingsError,
    StoreError,
)
from newstrace.records import (
    Alignment,
    Article,
    CandidatePair,
    Change,
    ChangeType,
    Credit,
    Link,
    LinkType,
    Relation,
    RelationKind,
    RemovedLine,
    Sentence,
    Signature,
    Story,
    Thread,
)
from newstrace.settings import Settings

__version__ = "0.1.0"

__all__ = [
    "Alignment",
    "Analysis",
    "Article",
    "CandidatePair",
    "Change",
    "ChangeType",
    "Credit",
    "Engine",
    "ExtraNotInstalledError",
    "InputError",
    "Link",
    "LinkType",
    "NewstraceError",
    "Relation",
    "RelationKind",
    "RemovedLine",
    "Sentence",
    "Settings",
    "SettingsError",
    "Signature",
    "StoreError",
    "Story",
    "Thread",
    "__version__",
]
