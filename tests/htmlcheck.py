"""HTML checks shared by the report and server tests: what a browser would see, and that untrusted text
stays inert (no scripts, images, event handlers or javascript: links)."""

from __future__ import annotations

import re
from html.parser import HTMLParser

VOID = {"meta", "br", "col", "img", "hr", "input", "link", "wbr", "source", "area", "base", "embed"}


class Collector(HTMLParser):
    """Every tag and attribute a browser would see; checks that tags nest."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str | None]] = []
        self.stack: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attrs.extend(attrs)
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attrs.extend(attrs)

    def handle_endtag(self, tag: str) -> None:
        assert self.stack and self.stack[-1] == tag, f"</{tag}> closes {self.stack[-1:]}"
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse_html(page: str) -> Collector:
    collector = Collector()
    collector.feed(page)
    collector.close()
    assert collector.stack == [], f"unclosed tags: {collector.stack}"
    return collector


def assert_inert(page: str) -> Collector:
    """Nothing executable: no script/img/iframe/object tags, no event handler attributes, no
    ``javascript:`` links; the raw payload markup never appears unescaped."""
    parsed = parse_html(page)
    for tag in ("script", "img", "iframe", "object", "embed"):
        assert tag not in parsed.tags, f"<{tag}> in the page"
    handlers = [name for name, _ in parsed.attrs if name.startswith("on")]
    assert not handlers, f"event handler attributes: {handlers}"
    for name, value in parsed.attrs:
        if name in ("href", "src", "action", "xlink:href"):
            assert value is not None and not value.strip().lower().startswith("javascript:"), value
    lowered = page.lower()
    assert "<script" not in lowered
    assert "<img" not in lowered
    for tag in re.findall(r"<[A-Za-z][^>]*>", page):
        unquoted = re.sub(r'"[^"]*"', '""', tag)
        assert not re.search(r"\son\w+\s*=", unquoted), f"an on*= attribute in {tag}"
    return parsed
