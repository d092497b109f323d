"""The relate stage: relation kind, origin with reasons, and (later) what changed."""

from __future__ import annotations

from newstrace.relate._kind import decide_kind
from newstrace.relate._origin import decide_origin

__all__ = ["decide_kind", "decide_origin"]
