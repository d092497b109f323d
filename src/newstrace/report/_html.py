"""Self-contained HTML report: one page, inline CSS, no scripts, no external resources.

Article text, titles, ids, outlets, reasons and settings are untrusted: every one of them goes through
:func:`_e` (``html.escape`` with ``quote=True``) before it reaches the page, including attribute values.
The page's Content-Security-Policy forbids scripts, images, fonts and connections entirely.
"""

from __future__ import annotations

import hashlib
import html
import logging
import os
import re
from functools import cache
from importlib import resources
from itertools import groupby
from pathlib import Path
from urllib.parse import urlsplit

from newstrace.analysis import Analysis
from newstrace.records import Article, Change, Relation
from newstrace.report._diff import Segment, word_diff
from newstrace.report._layout import Cell, Role, checked_pair, roles, runs, side_by_side

__all__ = ["relation_html", "render_html", "write_html"]

logger = logging.getLogger(__name__)

CSP = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"

# The tag that marks changed words on each side: removed from the original, inserted in the copy.
_UNKNOWN = '<span class="muted">unknown</span>'
_DIFF_TAG = {Role.ORIGINAL: "del", Role.COPY: "ins", Role.UNKNOWN: "mark"}


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


@cache
def _css() -> str:
    return resources.files("newstrace.report").joinpath("report.css").read_text(encoding="utf-8")


def anchor(prefix: str, key: str) -> str:
    """A safe, unique, stable fragment id for an untrusted key."""
    slug = re.sub(r"[^A-Za-z0-9_-]+", "-", key).strip("-")[:40]
    digest = hashlib.sha1(key.encode("utf-8"), usedforsecurity=False).hexdigest()[:8]
    return f"{prefix}-{slug}-{digest}" if slug else f"{prefix}-{digest}"


def _article_link(article_id: str) -> str:
    return f'<a class="id" href="#{_e(anchor("art", article_id))}">{_e(article_id)}</a>'


def _severity_class(severity: float) -> str:
    return "sev-high" if severity >= 2 / 3 else "sev-med" if severity >= 1 / 3 else "sev-low"


def _pct(value: float) -> str:
    return f"{value:.0%}"


def _diff_html(segments: tuple[Segment, ...], role: Role) -> str:
    tag = _DIFF_TAG[role]
    return "".join(f'<{tag} class="chg">{_e(s.text)}</{tag}>' if s.changed else _e(s.text) for s in segments)


def _cell_html(cell: Cell | None, role: Role) -> str:
    if cell is None:
        return ""
    tag = _DIFF_TAG[role]
    parts: list[str] = []
    # Consecutive runs inside the same change share one wrapper carrying the change's description.
    for change, group in groupby(runs(cell), key=lambda run: run.change):
        inner = "".join(
            f'<{tag} class="chg">{_e(run.text)}</{tag}>' if run.changed else _e(run.text) for run in group
        )
        if change is None:
            parts.append(inner)
            continue
        title = f"{change.type}: {change.original} → {change.copy}"
        if change.detail:
            title += f" ({change.detail})"
        parts.append(
            f'<span class="change {_e(_severity_class(change.severity))}" title="{_e(title)}">{inner}</span>'
        )
    return "".join(parts)


def _origin_html(relation: Relation) -> str:
    if relation.origin is None:
        return _UNKNOWN
    copy = relation.b if relation.origin == relation.a else relation.a
    return f"{_article_link(relation.origin)} → {_article_link(copy)}"


def _side_label(article: Article, side: str, role: Role) -> str:
    label = f"{_e(side)}: {_article_link(article.id)}"
    if role is not Role.UNKNOWN:
        label += f' <span class="muted">({_e(role)})</span>'
    if article.outlet:
        label += f' <span class="muted">· {_e(article.outlet)}</span>'
    return label


def _changes_html(changes: tuple[Change, ...], role_a: Role) -> str:
    if not changes:
        return '<p class="muted">No changes detected.</p>'
    original_role = Role.UNKNOWN if role_a is Role.UNKNOWN else Role.ORIGINAL
    copy_role = Role.UNKNOWN if role_a is Role.UNKNOWN else Role.COPY
    rows = []
    for change in changes:
        diff = word_diff(change.original, change.copy)
        sev = _severity_class(change.severity)
        rows.append(
            "<tr>"
            f"<td><code>{_e(change.type)}</code></td>"
            f'<td class="num {_e(sev)}">{change.severity:.2f}</td>'
            f"<td>{_diff_html(diff.a, original_role)}</td>"
            f"<td>{_diff_html(diff.b, copy_role)}</td>"
            f"<td>{_e(change.detail)}</td>"
            "</tr>"
        )
    return (
        '<table class="changes"><thead><tr><th>type</th><th class="num">severity</th>'
        "<th>original</th><th>copy</th><th>detail</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


def relation_html(relation: Relation, a: Article, b: Article) -> str:
    """An HTML fragment (one ``<section>``) for one relation: provenance, aligned sentences, changes."""
    a, b = checked_pair(relation, a, b)
    role_a, role_b = roles(relation)
    alignment = relation.alignment
    kind_class = "kind derived" if relation.kind.derived else "kind"
    reasons = "".join(f"<li>{_e(reason)}</li>" for reason in relation.reasons)
    out = [
        f'<section class="relation" id="{_e(anchor("rel", relation.a + chr(0) + relation.b))}">',
        f"<h3>{_article_link(relation.a)} ↔ {_article_link(relation.b)} "
        f'<span class="{kind_class}">{_e(relation.kind)}</span></h3>',
        '<dl class="prov">',
        f"<dt>original → copy</dt><dd>{_origin_html(relation)}</dd>",
        f"<dt>kind</dt><dd>{_e(relation.kind)}</dd>",
        f"<dt>confidence</dt><dd>{relation.confidence:.2f}</dd>",
        f"<dt>coverage</dt><dd>A {_pct(alignment.coverage_a)} · B {_pct(alignment.coverage_b)}"
        f" (quoted: A {_pct(alignment.quote_coverage_a)} · B {_pct(alignment.quote_coverage_b)})</dd>",
        f"<dt>longest run</dt><dd>{alignment.longest_run} sentences"
        f" · in order {_pct(alignment.in_order)}</dd>",
        f"<dt>algorithm</dt><dd><code>{_e(relation.algorithm)}</code></dd>",
        f'<dt>reasons</dt><dd><ul class="reasons">{reasons}</ul></dd>' if reasons else "",
        "</dl>",
        '<table class="sbs"><colgroup><col class="side"><col class="score"><col class="side"></colgroup>',
        f"<thead><tr><th>{_side_label(a, 'A', role_a)}</th><th>score</th>"
        f"<th>{_side_label(b, 'B', role_b)}</th></tr></thead><tbody>",
    ]
    for row in side_by_side(relation, a, b):
        if row.link is None:
            out.append(
                '<tr class="unaligned">'
                f"<td>{_e(row.a.text) if row.a else ''}</td>"
                '<td class="score">—</td>'
                f"<td>{_e(row.b.text) if row.b else ''}</td></tr>"
            )
            continue
        link = row.link
        score = f"{link.score:.2f}<br>{_e(link.type)}"
        if link.quote_only:
            score += "<br><em>quote</em>"
        out.append(
            f'<tr class="linked {_e(link.type)}">'
            f"<td>{_cell_html(row.a, role_a)}</td>"
            f'<td class="score">{score}</td>'
            f"<td>{_cell_html(row.b, role_b)}</td></tr>"
        )
    out.append("</tbody></table>")
    out.append("<h4>Changes</h4>")
    out.append(_changes_html(relation.changes, role_a))
    out.append("</section>")
    return "\n".join(part for part in out if part)


def _url_html(url: str | None) -> str:
    if not url:
        return ""
    if urlsplit(url).scheme.lower() in ("http", "https"):
        return f'<a href="{_e(url)}" rel="noopener noreferrer nofollow">{_e(url)}</a>'
    return _e(url)


def _removed_html(article: Article) -> str:
    if not article.removed:
        return "0"
    items = "".join(
        f'<li value="{int(r.line)}">{_e(r.text)} <span class="muted">({_e(r.reason)})</span></li>'
        for r in article.removed
    )
    return f"<details><summary>{len(article.removed)}</summary><ol>{items}</ol></details>"


def _articles_html(analysis: Analysis) -> str:
    rows = []
    for article in analysis.articles:
        credits = ", ".join(_e(name) for name in dict.fromkeys(c.name for c in article.credits))
        title = _e(article.title or "")
        if article.url:
            title += f'<br><small class="muted">{_url_html(article.url)}</small>'
        rows.append(
            f'<tr id="{_e(anchor("art", article.id))}">'
            f'<td class="id">{_e(article.id)}</td>'
            f"<td>{_e(article.outlet or '')}</td>"
            f"<td>{_e(article.published.isoformat() if article.published else '')}</td>"
            f"<td>{title}</td>"
            f'<td class="num">{len(article.sentences)}</td>'
            f'<td class="num">{_removed_html(article)}</td>'
            f"<td>{credits}</td></tr>"
        )
    return (
        "<table><thead><tr><th>id</th><th>outlet</th><th>published</th><th>title</th>"
        '<th class="num">sentences</th><th class="num">removed lines</th><th>credits</th></tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


def _stories_html(analysis: Analysis) -> str:
    if not analysis.stories:
        return '<p class="muted">No stories.</p>'
    rows = "".join(
        f'<tr id="{_e(anchor("story", s.id))}"><td class="id">{_e(s.id)}</td>'
        f"<td>{_article_link(s.origin) if s.origin is not None else _UNKNOWN}</td>"
        f'<td class="num">{len(s.articles)}</td>'
        f"<td>{', '.join(_article_link(x) for x in s.articles)}</td></tr>"
        for s in analysis.stories
    )
    return (
        '<table><thead><tr><th>id</th><th>origin</th><th class="num">articles</th><th></th></tr></thead>'
        f"<tbody>{rows}</tbody></table>"
    )


def _story_link(story_id: str) -> str:
    return f'<a class="id" href="#{_e(anchor("story", story_id))}">{_e(story_id)}</a>'


def _threads_html(analysis: Analysis) -> str:
    if not analysis.threads:
        return '<p class="muted">No threads.</p>'
    rows = "".join(
        f'<tr><td class="id">{_e(t.id)}</td>'
        f"<td>{', '.join(_story_link(s) for s in t.stories)}</td>"
        f'<td class="num">{len(t.articles)}</td></tr>'
        for t in analysis.threads
    )
    return (
        '<table><thead><tr><th>id</th><th>stories</th><th class="num">articles</th></tr></thead>'
        f"<tbody>{rows}</tbody></table>"
    )


def _skipped_html(analysis: Analysis) -> str:
    items = "".join(
        f"<li><code>{_e(e.source)}{':' + _e(e.line) if e.line is not None else ''}</code> {_e(e.reason)}</li>"
        for e in analysis.skipped
    )
    return (
        f'<section id="skipped" class="warn"><h2>Skipped inputs ({len(analysis.skipped)})</h2>'
        f"<ul>{items}</ul></section>"
    )


def _relations_html(analysis: Analysis) -> str:
    if not analysis.relations:
        return '<p class="muted">No relations.</p>'
    by_id = {article.id: article for article in analysis.articles}
    parts = []
    for relation in analysis.relations:
        a, b = by_id.get(relation.a), by_id.get(relation.b)
        if a is None or b is None:
            missing = relation.a if a is None else relation.b
            logger.warning(
                "relation %s/%s: article %r is not in the analysis", relation.a, relation.b, missing
            )
            parts.append(
                f'<section class="relation"><h3>{_e(relation.a)} ↔ {_e(relation.b)}</h3>'
                f'<p class="warn">Article {_e(missing)} is missing from this analysis.</p></section>'
            )
            continue
        parts.append(relation_html(relation, a, b))
    return "\n".join(parts)


def render_html(analysis: Analysis) -> str:
    """The whole analysis as one self-contained HTML page."""
    derived = sum(1 for r in analysis.relations if r.kind.derived)
    settings = "".join(f"<dt>{_e(k)}</dt><dd><code>{_e(v)}</code></dd>" for k, v in analysis.settings.items())
    toc = "".join(
        f'<li><a href="#{_e(anchor("rel", r.a + chr(0) + r.b))}">{_e(r.a)} ↔ {_e(r.b)}</a> '
        f'<span class="muted">{_e(r.kind)}</span></li>'
        for r in analysis.relations
    )
    body = [
        "<header><h1>newstrace report</h1>",
        f'<p class="summary">{len(analysis.articles)} articles · {len(analysis.relations)} relations '
        f"({derived} derived) · {len(analysis.stories)} stories · {len(analysis.threads)} threads"
        f"{f' · {len(analysis.skipped)} skipped inputs' if analysis.skipped else ''}</p>",
        f'<details><summary>Settings</summary><dl class="settings">{settings}</dl></details>'
        if settings
        else "",
        "</header>",
        _skipped_html(analysis) if analysis.skipped else "",
        f'<section id="articles"><h2>Articles</h2>{_articles_html(analysis)}</section>',
        f'<section id="stories"><h2>Stories</h2>{_stories_html(analysis)}</section>',
        f'<section id="threads"><h2>Threads</h2>{_threads_html(analysis)}</section>',
        '<section id="relations"><h2>Relations</h2>',
        f'<nav><ol class="toc">{toc}</ol></nav>' if toc else "",
        _relations_html(analysis),
        "</section>",
    ]
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n'
        '<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">\n'
        '<meta name="referrer" content="no-referrer">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        "<title>newstrace report</title>\n"
        f"<style>\n{_css()}</style>\n"
        "</head>\n<body>\n" + "\n".join(part for part in body if part) + "\n</body>\n</html>\n"
    )


def write_html(analysis: Analysis, path: str | os.PathLike[str]) -> None:
    """Write :func:`render_html` of ``analysis`` to ``path`` (UTF-8)."""
    target = Path(path)
    target.write_text(render_html(analysis), encoding="utf-8")
    logger.info("wrote HTML report to %s", target)
