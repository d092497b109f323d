"""Terminal report with rich: the analysis overview and one relation side by side.

Every piece of article-derived text (ids, titles, outlets, sentences, reasons) goes into a
:class:`rich.text.Text`, never into a markup string, so "[bold]" in an article stays literal.
"""

from __future__ import annotations

from collections.abc import Callable

from rich import box
from rich.console import Console, Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from newstrace.analysis import Analysis
from newstrace.engine import CheckResult
from newstrace.records import Article, Change, Relation, RemovedLine
from newstrace.report._diff import Segment, word_diff
from newstrace.report._layout import Cell, Role, checked_pair, roles, runs, side_by_side

__all__ = ["print_analysis", "print_relation"]

TITLE_WIDTH = 60
TOP_REASONS = 2

_DIFF_STYLE = {Role.ORIGINAL: "bold red", Role.COPY: "bold green", Role.UNKNOWN: "bold magenta"}
_CHANGE_STYLE = "underline"
_UNALIGNED_STYLE = "dim"


def _truncate(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def _origin_text(relation: Relation) -> Text:
    if relation.origin is None:
        return Text("unknown", style="yellow")
    copy = relation.b if relation.origin == relation.a else relation.a
    return Text.assemble((relation.origin, "bold"), " → ", copy)


def _coverage(relation: Relation) -> str:
    alignment = relation.alignment
    return f"{alignment.coverage_a:.0%} / {alignment.coverage_b:.0%}"


def _kind_text(relation: Relation) -> Text:
    return Text(str(relation.kind), style="bold cyan" if relation.kind.derived else "cyan")


def _articles_table(analysis: Analysis, rows: int | None) -> Table:
    table = Table(title="Articles", box=box.SIMPLE_HEAD, title_justify="left")
    table.add_column("id", no_wrap=True)
    table.add_column("outlet")
    table.add_column("published", no_wrap=True)
    table.add_column("title")
    table.add_column("sentences", justify="right")
    table.add_column("removed", justify="right")
    table.add_column("credits")
    for article in analysis.articles[:rows]:
        table.add_row(
            Text(article.id, style="bold"),
            Text(article.outlet or "—"),
            Text(article.published.isoformat() if article.published else "—"),
            Text(_truncate(article.title or "", TITLE_WIDTH)),
            Text(str(len(article.sentences))),
            Text(str(len(article.removed))),
            Text(", ".join(dict.fromkeys(c.name for c in article.credits))),
        )
    return table


def _removed_lines(analysis: Analysis) -> list[tuple[Article, RemovedLine]]:
    return [(article, removed) for article in analysis.articles for removed in article.removed]


def _removed_table(analysis: Analysis, rows: int | None) -> Table:
    table = Table(title="Removed lines", box=box.SIMPLE_HEAD, title_justify="left")
    table.add_column("article", no_wrap=True)
    table.add_column("line", justify="right")
    table.add_column("reason")
    table.add_column("text", style=_UNALIGNED_STYLE)
    for article, removed in _removed_lines(analysis)[:rows]:
        table.add_row(Text(article.id), Text(str(removed.line)), Text(removed.reason), Text(removed.text))
    return table


def _relations_table(analysis: Analysis, rows: int | None) -> Table:
    table = Table(title="Relations", box=box.SIMPLE_HEAD, title_justify="left")
    table.add_column("pair", no_wrap=True)
    table.add_column("kind", no_wrap=True)
    table.add_column("original → copy")
    table.add_column("coverage a/b", no_wrap=True)
    table.add_column("confidence", justify="right")
    table.add_column("reasons")
    for relation in analysis.relations[:rows]:
        table.add_row(
            Text(f"{relation.a} ↔ {relation.b}"),
            _kind_text(relation),
            _origin_text(relation),
            Text(_coverage(relation)),
            Text(f"{relation.confidence:.2f}"),
            Text("\n".join(f"• {r}" for r in relation.reasons[:TOP_REASONS])),
        )
    return table


def _stories_table(analysis: Analysis, rows: int | None) -> Table:
    table = Table(title="Stories", box=box.SIMPLE_HEAD, title_justify="left")
    table.add_column("id", no_wrap=True)
    table.add_column("articles")
    table.add_column("origin")
    for story in analysis.stories[:rows]:
        table.add_row(
            Text(story.id, style="bold"),
            Text(f"{len(story.articles)}: " + ", ".join(story.articles)),
            Text(story.origin) if story.origin is not None else Text("unknown", style="yellow"),
        )
    return table


def _threads_table(analysis: Analysis, rows: int | None) -> Table:
    table = Table(title="Threads", box=box.SIMPLE_HEAD, title_justify="left")
    table.add_column("id", no_wrap=True)
    table.add_column("stories")
    table.add_column("articles", justify="right")
    for thread in analysis.threads[:rows]:
        table.add_row(
            Text(thread.id, style="bold"),
            Text(", ".join(thread.stories)),
            Text(str(len(thread.articles))),
        )
    return table


def _skipped_panel(analysis: Analysis) -> Panel:
    lines = Text()
    for i, error in enumerate(analysis.skipped):
        where = f"{error.source}:{error.line}" if error.line is not None else error.source
        if i:
            lines.append("\n")
        lines.append(where, style="bold")
        lines.append(f"  {error.reason}")
    return Panel(
        lines,
        title=Text(f"Skipped inputs ({len(analysis.skipped)})"),
        title_align="left",
        border_style="yellow",
    )


def print_analysis(
    analysis: Analysis, *, console: Console, show_removed: bool = False, max_rows: int | None = None
) -> None:
    """Print the analysis as tables: articles, relations, stories, threads and skipped inputs.

    ``max_rows`` caps each table (``None``: every row): a table holding more shows its first rows, in
    the usual order, and a line saying how many more there are. The JSON and HTML reports hold them all;
    rendering ten thousand rows took longer than analysing them.
    """
    rows = max_rows if max_rows is not None and max_rows >= 0 else None
    derived = sum(1 for r in analysis.relations if r.kind.derived)
    console.print(
        Text(
            f"{len(analysis.articles)} articles · {len(analysis.relations)} relations ({derived} derived) · "
            f"{len(analysis.stories)} stories · {len(analysis.threads)} threads",
            style="bold",
        )
    )
    console.print(_articles_table(analysis, rows))
    _print_more(console, len(analysis.articles), rows, "articles")
    removed = len(_removed_lines(analysis)) if show_removed else 0
    if removed:
        console.print(_removed_table(analysis, rows))
        _print_more(console, removed, rows, "removed lines")
    sections: list[tuple[str, int, Callable[[Analysis, int | None], Table]]] = [
        ("relations", len(analysis.relations), _relations_table),
        ("stories", len(analysis.stories), _stories_table),
        ("threads", len(analysis.threads), _threads_table),
    ]
    for name, count, table in sections:
        if count:
            console.print(table(analysis, rows))
            _print_more(console, count, rows, name)
        else:
            console.print(Text(f"No {name}.", style=_UNALIGNED_STYLE))
    if analysis.skipped:
        console.print(_skipped_panel(analysis))


def _print_more(console: Console, count: int, rows: int | None, name: str) -> None:
    """The line under a table cut at ``rows`` of its ``count`` rows (nothing when all are shown)."""
    if rows is not None and count > rows:
        console.print(
            Text(
                f"… {count - rows:,} more {name} not shown (--rows 0 shows every row; "
                "--json and --html hold them all)",
                style=_UNALIGNED_STYLE,
            )
        )


def _cell_text(cell: Cell | None, role: Role, *, aligned: bool) -> Text:
    if cell is None:
        return Text()
    if not aligned:
        return Text(cell.text, style=_UNALIGNED_STYLE)
    text = Text()
    for run in runs(cell):
        styles = [
            s for s in (_DIFF_STYLE[role] if run.changed else "", _CHANGE_STYLE if run.change else "") if s
        ]
        text.append(run.text, style=" ".join(styles))
    return text


def _segments_text(segments: tuple[Segment, ...], role: Role) -> Text:
    text = Text()
    for segment in segments:
        text.append(segment.text, style=_DIFF_STYLE[role] if segment.changed else "")
    return text


def _header(relation: Relation, a: Article, b: Article) -> Panel:
    alignment = relation.alignment
    lines: list[RenderableType] = [
        Text.assemble(
            ("kind ", "dim"),
            _kind_text(relation),
            ("   confidence ", "dim"),
            f"{relation.confidence:.2f}",
        ),
        Text.assemble(("origin ", "dim"), _origin_text(relation)),
        Text.assemble(
            ("coverage ", "dim"),
            f"A {alignment.coverage_a:.0%} · B {alignment.coverage_b:.0%}",
            ("   longest run ", "dim"),
            f"{alignment.longest_run}",
            ("   in order ", "dim"),
            f"{alignment.in_order:.0%}",
        ),
    ]
    for article, label in ((a, "A"), (b, "B")):
        lines.append(
            Text.assemble(
                (f"{label} ", "dim"),
                (article.id, "bold"),
                f"  {article.outlet or '—'}",
                f"  {article.published.isoformat() if article.published else '—'}",
                f"  {_truncate(article.title or '', TITLE_WIDTH)}",
            )
        )
    if relation.reasons:
        lines.append(Text("reasons", style="dim"))
        lines.extend(Text(f"• {reason}") for reason in relation.reasons)
    return Panel(Group(*lines), title=Text(f"{relation.a} ↔ {relation.b}"), title_align="left")


def _changes_table(changes: tuple[Change, ...], role_a: Role) -> Table:
    table = Table(title="Changes (original → copy)", box=box.SIMPLE_HEAD, title_justify="left", expand=True)
    table.add_column("type", no_wrap=True)
    table.add_column("severity", justify="right", no_wrap=True)
    table.add_column("original", ratio=1)
    table.add_column("copy", ratio=1)
    table.add_column("detail", ratio=1)
    original_role = Role.ORIGINAL if role_a is not Role.UNKNOWN else Role.UNKNOWN
    copy_role = Role.COPY if role_a is not Role.UNKNOWN else Role.UNKNOWN
    for change in changes:
        diff = word_diff(change.original, change.copy)
        table.add_row(
            Text(str(change.type), style="bold"),
            Text(f"{change.severity:.2f}"),
            _segments_text(diff.a, original_role),
            _segments_text(diff.b, copy_role),
            Text(change.detail),
        )
    return table


def print_relation(relation: Relation, a: Article, b: Article, *, console: Console) -> None:
    """Print one relation: provenance header, aligned sentences side by side, then the changes."""
    a, b = checked_pair(relation, a, b)
    role_a, role_b = roles(relation)
    console.print(_header(relation, a, b))

    def label(article: Article, side: str, role: Role) -> Text:
        text = Text.assemble((f"{side}: ", "dim"), (article.id, "bold"))
        if role is not Role.UNKNOWN:
            text.append(f" ({role})", style="dim")
        return text

    table = Table(box=box.SIMPLE_HEAD, expand=True, show_lines=False)
    table.add_column(label(a, "A", role_a), ratio=1)
    table.add_column(Text("score"), width=10, no_wrap=True)
    table.add_column(label(b, "B", role_b), ratio=1)
    for row in side_by_side(relation, a, b):
        if row.link is None:
            table.add_row(
                _cell_text(row.a, role_a, aligned=False),
                Text("—", style=_UNALIGNED_STYLE),
                _cell_text(row.b, role_b, aligned=False),
            )
            continue
        middle = Text(f"{row.link.score:.2f}\n{row.link.type}")
        if row.link.quote_only:
            middle.append("\nquote", style="italic")
        table.add_row(
            _cell_text(row.a, role_a, aligned=True), middle, _cell_text(row.b, role_b, aligned=True)
        )
    console.print(table)
    if relation.changes:
        console.print(_changes_table(relation.changes, role_a))
    else:
        console.print(Text("No changes detected.", style=_UNALIGNED_STYLE))


def print_check(result: CheckResult, indexed: dict[str, Article], *, console: Console) -> None:
    """``newstrace check``: the checked text's sources among indexed articles, each with its evidence."""
    article = result.article
    if not result.relations:
        console.print(Text(f"No source found for {article.id} among the indexed articles."))
        return
    table = Table(title=f"Where {article.id} came from", box=box.SIMPLE_HEAD)
    table.add_column("indexed article")
    table.add_column("outlet")
    table.add_column("published")
    table.add_column("relation")
    table.add_column("original")
    table.add_column("coverage")
    for relation in result.relations:
        other_id = relation.b if relation.a == article.id else relation.a
        other = indexed.get(other_id)
        table.add_row(
            Text(other_id),
            Text(other.outlet or "—") if other else Text("—"),
            Text(str(other.published or "—")) if other else Text("—"),
            _kind_text(relation),
            _origin_text(relation),
            _coverage(relation),
        )
    console.print(table)
    for relation in result.relations:
        other_id = relation.b if relation.a == article.id else relation.a
        other = indexed.get(other_id)
        if other is None or not relation.kind.derived:
            continue
        a, b = (article, other) if relation.a == article.id else (other, article)
        print_relation(relation, a, b, console=console)
