"""Ingest: read articles from text, HTML and JSONL files, folders and stdin, plus a metadata manifest.

>>> result = read_inputs(["articles/"], manifest="articles/manifest.jsonl")  # doctest: +SKIP
>>> [a.id for a in result.articles], [str(e) for e in result.skipped]  # doctest: +SKIP

Bad input never raises from :func:`read_inputs`: each problem is an :class:`~newstrace.errors.InputError`
in :attr:`ReadResult.skipped` whose message says what is wrong and what to do. Add a format by appending
a :class:`Reader` to :data:`READERS`.
"""

from newstrace.ingest._read import ReadResult, read_inputs
from newstrace.ingest._readers import READERS, Reader, article_from_text

# Ordered so that both plain ``sorted()`` and ruff's isort-style order agree.
__all__ = [
    "READERS",
    "ReadResult",
    "Reader",
    "article_from_text",
    "read_inputs",
]
