"""Report stage: the analysis as rich terminal tables and as one self-contained HTML page.

* :func:`print_analysis` / :func:`print_relation` print through a given :class:`rich.console.Console`.
* :func:`render_html` / :func:`write_html` make the full page; :func:`relation_html` is the fragment
  for one pair (used by the page and by the web UI).

Both outputs highlight the words that differ between aligned sentences with one shared word diff.
"""

from __future__ import annotations

from newstrace.report._html import relation_html, render_html, write_html
from newstrace.report._terminal import print_analysis, print_check, print_relation

__all__ = [
    "print_analysis",
    "print_check",
    "print_relation",
    "relation_html",
    "render_html",
    "write_html",
]
