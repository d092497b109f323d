"""Page layout shared by the web UI: escaping, links, the page frame and its security headers.

Every untrusted value (article text, titles, outlets, ids, reasons, query values) goes through :func:`e`
(``html.escape`` with ``quote=True``); ids in URLs are percent-encoded first. Pages load nothing from
elsewhere and run no scripts; the Content-Security-Policy says so to the browser.
"""

from __future__ import annotations

import html
from functools import cache
from importlib import resources
from urllib.parse import quote, urlencode, urlsplit

from starlette.responses import HTMLResponse

__all__ = [
    "CSP",
    "e",
    "page",
    "pair_url",
    "security_headers",
    "story_url",
    "url_link",
    "with_query",
]

CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)

_SERVER_CSS = """
header.site { display: flex; gap: 1.2rem; align-items: baseline; border-bottom: 2px solid var(--line);
              padding-bottom: .5rem; margin-bottom: 1rem; }
header.site .brand { font-weight: 700; font-size: 1.15rem; text-decoration: none; color: var(--fg); }
form.filter { display: flex; flex-wrap: wrap; gap: .6rem 1rem; align-items: end; margin: .6rem 0 1rem; }
form.filter label, form.check label { display: flex; flex-direction: column; font-size: .85rem; color: var(--muted); }
form.check { display: grid; gap: .6rem; max-width: 1000px; }
form.check .meta { display: flex; flex-wrap: wrap; gap: .6rem 1rem; }
textarea { width: 100%; min-height: 14rem; font: inherit; }
input, textarea, button { font: inherit; padding: .3rem .45rem; }
ul.stories { list-style: none; padding: 0; margin: .2rem 0 1rem; }
ul.stories li { padding: .45rem 0; border-bottom: 1px solid var(--line); }
ul.stories .meta { color: var(--muted); font-size: .9rem; }
h2.day { font-size: 1.05rem; margin-top: 1.6rem; }
nav.pages { display: flex; gap: 1.5rem; margin: 1rem 0; }
.error { border: 1px solid #c92a2a; background: #fff0f0; padding: .6rem 1rem; border-radius: 6px; }
.answer { border: 1px solid var(--line); background: var(--bg-soft); padding: .6rem 1rem; border-radius: 8px; }
.legend span { margin-right: 1.2rem; }
.legend .sw { display: inline-block; width: 1.6rem; height: 0; vertical-align: middle; margin-right: .3rem;
              border-top: 3px solid; }
figure.graph { overflow-x: auto; margin: .6rem 0; }
svg.graph .node rect { fill: var(--bg-soft); stroke: var(--line); stroke-width: 1.5px; }
svg.graph .node.original rect { stroke: var(--accent); stroke-width: 3.5px; }
svg.graph .node text { fill: var(--fg); font: 13px system-ui, sans-serif; }
svg.graph .node text.sub { fill: var(--muted); font-size: 12px; }
svg.graph .node text.badge { fill: var(--accent); font-weight: 700; text-transform: uppercase; font-size: 11px; }
svg.graph path.line { fill: none; stroke: #9aa3ad; }
svg.graph path.hit { fill: none; stroke: transparent; stroke-width: 12px; }
svg.graph .duplicate path.line, .sw.duplicate { stroke: #c92a2a; border-color: #c92a2a; }
svg.graph .rewrite path.line, .sw.rewrite { stroke: #d9480f; border-color: #d9480f; }
svg.graph .partial path.line, .sw.partial { stroke: #b08900; border-color: #b08900; }
svg.graph .unknown-origin path.line { stroke: #6b7280; stroke-dasharray: 7 4; }
.sw.unknown-origin { border-top-style: dashed; border-color: #6b7280; }
svg.graph .same_story path.line { stroke-dasharray: 2 4; }
.sw.same_story { border-top-style: dotted; border-color: #9aa3ad; }
svg.graph .arrow-duplicate path { fill: #c92a2a; }
svg.graph .arrow-rewrite path { fill: #d9480f; }
svg.graph .arrow-partial path { fill: #b08900; }
svg.graph .secondary { opacity: .3; }
svg.graph a:hover .secondary { opacity: 1; }
svg.graph a:hover path.line { stroke-width: 5px !important; }
@media (prefers-color-scheme: dark) { .error { background: #3b1717; } }
"""


def e(value: object) -> str:
    """``value`` as HTML text or attribute value (``html.escape`` with quotes)."""
    return html.escape(str(value), quote=True)


@cache
def _css() -> str:
    report = resources.files("newstrace.report").joinpath("report.css").read_text(encoding="utf-8")
    return report + _SERVER_CSS


def security_headers() -> dict[str, str]:
    return {
        "Content-Security-Policy": CSP,
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "X-Frame-Options": "DENY",
        "Cache-Control": "no-store",
    }


def page(title: str, body: str, *, status: int = 200) -> HTMLResponse:
    """A whole page: ``title`` is untrusted text, ``body`` is markup built with :func:`e`."""
    document = (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="referrer" content="no-referrer">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<link rel="icon" href="data:,">\n'
        f"<title>{e(title)} · newstrace</title>\n"
        f"<style>{_css()}</style>\n"
        "</head>\n<body>\n"
        '<header class="site"><a class="brand" href="/">newstrace</a>'
        '<a href="/">Stories</a><a href="/check">Check a text</a><a href="/docs">API</a></header>\n'
        f"<main>\n{body}\n</main>\n</body>\n</html>\n"
    )
    return HTMLResponse(document, status_code=status, headers=security_headers())


def error_page(status: int, message: str) -> HTMLResponse:
    return page(
        f"Error {status}",
        f'<h1>Error {status}</h1><p class="error">{e(message)}</p><p><a href="/">Back to the stories</a></p>',
        status=status,
    )


def _segment(value: str) -> str:
    return quote(value, safe="")


def story_url(story_id: str) -> str:
    return f"/stories/{_segment(story_id)}"


def pair_url(a: str, b: str) -> str:
    return f"/pair/{_segment(a)}/{_segment(b)}"


def with_query(path: str, params: dict[str, str | int | None]) -> str:
    """``path`` with the non-empty ``params`` as a query string."""
    kept = {k: str(v) for k, v in params.items() if v not in (None, "")}
    return f"{path}?{urlencode(kept)}" if kept else path


def url_link(url: str | None) -> str:
    """A link for http(s) URLs (no referrer, no follow); other URLs as plain text."""
    if not url:
        return ""
    if urlsplit(url).scheme.lower() in ("http", "https"):
        return f'<a href="{e(url)}" rel="noopener noreferrer nofollow">{e(url)}</a>'
    return e(url)
