"""The relate stage: relation kind, origin with reasons, and what changed from original to copy."""

from __future__ import annotations

from newstrace.relate._changes import ChangeDetector
from newstrace.relate._kind import decide_kind
from newstrace.relate._origin import decide_origin

__all__ = ["ChangeDetector", "decide_kind", "decide_origin"]
