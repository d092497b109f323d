"""The command line: parses arguments, calls the Engine, prints. No analysis logic lives here.

Exit codes: 0 success; 1 an error stopped the run; 2 bad usage or nothing to analyze; 3 the run finished
but some inputs were skipped (each one named on stderr).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from newstrace.analysis import Analysis, article_to_json, relation_to_json
from newstrace.engine import Engine
from newstrace.errors import ExtraNotInstalledError, InputError, NewstraceError
from newstrace.ingest import article_from_text, read_inputs
from newstrace.records import Article
from newstrace.report import print_analysis, print_check, print_relation, write_html
from newstrace.settings import Settings
from newstrace.store import open_store

__all__ = ["main"]

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_SKIPPED = 3

logger = logging.getLogger("newstrace")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="newstrace", description="Trace news articles back to their sources: copies, rewrites, origins."
    )
    parser.add_argument("--settings", type=Path, help="TOML file overriding the packaged defaults")
    parser.add_argument("-v", "--verbose", action="count", default=0, help="more log output (-vv: debug)")
    sub = parser.add_subparsers(dest="command", required=True)

    analyze = sub.add_parser("analyze", help="find copies, rewrites, origins, stories and threads")
    analyze.add_argument("inputs", nargs="+", help="folders of .txt/.html, .jsonl files, or - for stdin")
    analyze.add_argument("--manifest", type=Path, help="JSONL adding metadata to files by id or file name")
    analyze.add_argument("--json", dest="json_out", help="write the JSON report here (- for stdout)")
    analyze.add_argument("--html", dest="html_out", type=Path, help="write a self-contained HTML report here")
    analyze.add_argument("--show-removed", action="store_true", help="list the page-chrome lines removed")
    analyze.add_argument(
        "--rows",
        type=int,
        default=50,
        metavar="N",
        help="rows per terminal table (default 50; 0: every row); --json and --html hold them all",
    )
    analyze.add_argument(
        "--executor",
        choices=("local", "spark"),
        default="local",
        help="where stages run: this machine, or Apache Spark (extra: spark; needs Java 17+)",
    )
    analyze.add_argument(
        "--spark-master",
        metavar="URL",
        help="Spark master (default: the one spark-submit sets, else local[*])",
    )
    analyze.add_argument(
        "--spark-partitions", type=int, metavar="N", help="partitions of the article and pair data sets"
    )
    analyze.add_argument(
        "--parquet",
        metavar="OUT_DIR",
        help="with --executor spark: write articles, relations, stories and threads as Parquet here "
        "(local folder or Hadoop filesystem URL); without --json/--html nothing is collected on the driver",
    )
    _add_mode_flags(analyze)

    index = sub.add_parser("index", help="the persistent index: add articles incrementally")
    index_sub = index.add_subparsers(dest="index_command", required=True)
    index_add = index_sub.add_parser("add", help="add articles (already indexed ones are skipped)")
    index_add.add_argument("inputs", nargs="+", help="folders of .txt/.html, .jsonl files, or - for stdin")
    index_add.add_argument("--manifest", type=Path, help="JSONL adding metadata to files by id or file name")
    index_add.add_argument(
        "--batch-size",
        type=int,
        default=500,
        help="articles per transaction (an interruption loses at most one)",
    )
    _add_store_flag(index_add)
    _add_mode_flags(index_add)

    check = sub.add_parser("check", help="where did this text come from? (nothing is added to the index)")
    check.add_argument("file", help="a .txt or .html file, or - for stdin")
    check.add_argument("--json", dest="json_out", help="write JSON here (- for stdout)")
    _add_store_flag(check)
    _add_mode_flags(check)

    serve = sub.add_parser("serve", help="HTTP API and web UI over the index (extra: server)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--token", help="require this bearer token on /api (default: $NEWSTRACE_TOKEN)")
    _add_store_flag(serve)
    serve.add_argument("--no-embeddings", action="store_true", help="lexical-only mode: no embedding model")

    compare = sub.add_parser("compare", help="relate two texts, with the full sentence alignment")
    compare.add_argument("files", nargs="*", help="two files (.txt or .html)")
    compare.add_argument("--pairs", type=Path, help='JSONL of {"id","a","b"} texts, one pair per line')
    compare.add_argument("--json", dest="json_out", help="write JSON here (- for stdout; JSONL with --pairs)")
    _add_mode_flags(compare)
    return parser


def _add_store_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--store",
        type=Path,
        default=Path(os.environ.get("NEWSTRACE_STORE", "newstrace.db")),
        help="the index file (default: $NEWSTRACE_STORE or ./newstrace.db)",
    )


def _add_mode_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--no-embeddings", action="store_true", help="lexical-only mode: no embedding model")
    parser.add_argument("--quiet", action="store_true", help="no tables or progress bars")


@contextmanager
def _progress_bar(console: Console, *, enabled: bool) -> Iterator[Any]:
    if not enabled:
        yield None
        return
    with Progress(
        TextColumn("{task.description:>12}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as bar:
        tasks: dict[str, Any] = {}

        def update(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=total)
            bar.update(tasks[stage], completed=done, total=total)

        yield update


def _write_json(data: Any, target: str, *, console: Console) -> None:
    text = json.dumps(data, ensure_ascii=False, indent=2)
    if target == "-":
        sys.stdout.write(text + "\n")
    else:
        Path(target).write_text(text + "\n", encoding="utf-8")
        console.print(f"JSON written to {target}")


def _report_skipped(skipped: Sequence[InputError], *, console: Console) -> None:
    for error in skipped:
        console.print(f"[yellow]skipped[/] {escape(str(error))}", highlight=False, soft_wrap=True)


def _engine(args: argparse.Namespace, *, progress: Any) -> Engine:
    settings = Settings.load(args.settings) if args.settings else Settings.load()
    return Engine(settings, embeddings=not args.no_embeddings, progress=progress)


def _analyze(args: argparse.Namespace, *, out: Console, err: Console) -> int:
    if args.executor == "spark":
        return _analyze_spark(args, out=out, err=err)
    if args.spark_master or args.spark_partitions or args.parquet:
        err.print("[red]--spark-master, --spark-partitions and --parquet need --executor spark[/]")
        return EXIT_USAGE
    with _progress_bar(err, enabled=not args.quiet) as progress:
        engine = _engine(args, progress=progress)
        read = engine.read(args.inputs, manifest=args.manifest)
        _report_skipped(read.skipped, console=err)
        if not read.articles:
            err.print("[red]no readable articles[/]: give folders of .txt/.html files or .jsonl files")
            return EXIT_USAGE
        analysis = engine.analyze(read.articles, skipped=read.skipped)
    _show_analysis(analysis, args, out=out, err=err)
    return EXIT_SKIPPED if read.skipped else EXIT_OK


def _analyze_spark(args: argparse.Namespace, *, out: Console, err: Console) -> int:
    """``analyze --executor spark``: the same analysis as Spark jobs (see newstrace.executors)."""
    from newstrace.executors import SparkExecutor

    settings = Settings.load(args.settings) if args.settings else Settings.load()
    collect = args.parquet is None or bool(args.json_out or args.html_out)
    executor = SparkExecutor(
        args.spark_master, partitions=args.spark_partitions, log_level="WARN" if args.verbose else "ERROR"
    )
    with executor:
        engine = Engine(settings, embeddings=not args.no_embeddings, executor=executor)
        run = executor.run(engine, args.inputs, manifest=args.manifest, parquet=args.parquet, collect=collect)
    _report_skipped(run.skipped, console=err)
    if not run.articles:
        err.print(
            "[red]no readable articles[/]: give .jsonl or .parquet inputs, or folders of .txt/.html files"
        )
        return EXIT_USAGE
    if run.analysis is not None:
        _show_analysis(run.analysis, args, out=out, err=err)
    elif not args.quiet:
        out.print(
            f"{run.articles} article(s), {run.relations} relation(s), {run.stories} story(ies), "
            f"{run.threads} thread(s)"
        )
    if args.parquet:
        err.print(f"Parquet written to {args.parquet}")
    return EXIT_SKIPPED if run.skipped else EXIT_OK


def _show_analysis(analysis: Analysis, args: argparse.Namespace, *, out: Console, err: Console) -> None:
    """Tables (unless --quiet), then the JSON and HTML reports that were asked for."""
    table_console = err if args.json_out == "-" else out
    if not args.quiet:
        print_analysis(
            analysis,
            console=table_console,
            show_removed=args.show_removed,
            max_rows=args.rows if args.rows > 0 else None,
        )
    if args.json_out:
        _write_json(analysis.to_json(), args.json_out, console=err)
    if args.html_out:
        write_html(analysis, args.html_out)
        err.print(f"HTML report written to {args.html_out}")


def _read_one(path: str) -> Article:
    result = read_inputs([path])
    if result.skipped:
        raise result.skipped[0]
    if len(result.articles) != 1:
        raise InputError("expected exactly one article in this file", source=path)
    return result.articles[0]


def _compare(args: argparse.Namespace, *, out: Console, err: Console) -> int:
    with _progress_bar(err, enabled=not args.quiet and args.pairs is not None) as progress:
        engine = _engine(args, progress=progress)
        if args.pairs is not None:
            return _compare_pairs(engine, args, err=err)
    if len(args.files) != 2:
        err.print("[red]compare needs two files[/] (or --pairs FILE.jsonl)")
        return EXIT_USAGE
    a, b = (_read_one(f) for f in args.files)
    if a.id == b.id:
        b = Article(**{**_fields(b), "id": b.id + "#2"})
    relation, a_clean, b_clean = engine.compare(a, b)
    if not args.quiet and args.json_out != "-":
        print_relation(relation, a_clean, b_clean, console=out)
    if args.json_out:
        _write_json(relation_to_json(relation), args.json_out, console=err)
    return EXIT_OK


def _fields(article: Article) -> dict[str, Any]:
    return {name: getattr(article, name) for name in article.__slots__}


def _compare_pairs(engine: Engine, args: argparse.Namespace, *, err: Console) -> int:
    skipped: list[InputError] = []
    lines_out: list[str] = []
    source = str(args.pairs)
    try:
        lines = Path(args.pairs).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(
            f"cannot read pairs file ({exc}); check the path and that it is UTF-8", source=source
        ) from exc
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            if not isinstance(item, dict) or not all(isinstance(item.get(k), str) for k in ("a", "b")):
                raise ValueError('each line needs "a" and "b" texts')
            pair_id = str(item.get("id", number))
        except (json.JSONDecodeError, ValueError) as exc:
            skipped.append(InputError(f"bad pair line ({exc}); fix the JSON", source=source, line=number))
            continue
        a = article_from_text(item["a"], id=f"{pair_id}:a", source=f"{source}:{number}")
        b = article_from_text(item["b"], id=f"{pair_id}:b", source=f"{source}:{number}")
        relation, _, _ = engine.compare(a, b)
        record = relation_to_json(relation)
        record["id"] = pair_id
        lines_out.append(json.dumps(record, ensure_ascii=False))
    text = "\n".join(lines_out) + ("\n" if lines_out else "")
    if args.json_out and args.json_out != "-":
        Path(args.json_out).write_text(text, encoding="utf-8")
        err.print(f"{len(lines_out)} pair(s) written to {args.json_out}")
    else:
        sys.stdout.write(text)
    _report_skipped(skipped, console=err)
    return EXIT_SKIPPED if skipped else EXIT_OK


def _index_add(args: argparse.Namespace, *, out: Console, err: Console) -> int:
    with _progress_bar(err, enabled=not args.quiet) as progress:
        engine = _engine(args, progress=progress)
        read = engine.read(args.inputs, manifest=args.manifest)
        _report_skipped(read.skipped, console=err)
        store = open_store(args.store)
        try:
            report = engine.index(read.articles, store, batch_size=max(1, args.batch_size))
            total = store.count()
        finally:
            store.close()
    if not args.quiet:
        out.print(
            f"added {len(report.added)} article(s), {len(report.unchanged)} already indexed, "
            f"{report.relations} new relation(s); {total} article(s) in {args.store}"
        )
    return EXIT_SKIPPED if read.skipped else EXIT_OK


def _check(args: argparse.Namespace, *, out: Console, err: Console) -> int:
    if not Path(args.store).exists():
        err.print(f"[red]no index at {escape(str(args.store))}[/]: create it with 'newstrace index add PATH'")
        return EXIT_USAGE
    engine = _engine(args, progress=None)
    article = _read_one(args.file)
    store = open_store(args.store, readonly=True)
    try:
        result = engine.check(article, store)
        others = store.articles({x for r in result.relations for x in (r.a, r.b)} - {result.article.id})
    finally:
        store.close()
    if args.json_out:
        data = {
            "article": article_to_json(result.article),
            "sources": list(result.sources),
            "relations": [relation_to_json(r) for r in result.relations],
        }
        _write_json(data, args.json_out, console=err)
    if not args.quiet and args.json_out != "-":
        print_check(result, others, console=out)
    return EXIT_OK


def _serve(args: argparse.Namespace, *, out: Console, err: Console) -> int:
    try:
        from newstrace.server import serve
    except ImportError as exc:  # pragma: no cover - depends on the extra
        raise ExtraNotInstalledError("the HTTP server", extra="server") from exc
    serve(
        store_path=args.store,
        host=args.host,
        port=args.port,
        token=args.token,
        embeddings=not args.no_embeddings,
        settings=Settings.load(args.settings) if args.settings else Settings.load(),
    )
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    level = [logging.WARNING, logging.INFO, logging.DEBUG][min(args.verbose, 2)]
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    out = Console()
    err = Console(stderr=True)
    try:
        commands = {"analyze": _analyze, "index": _index_add, "check": _check, "serve": _serve}
        return commands.get(args.command, _compare)(args, out=out, err=err)
    except NewstraceError as exc:
        err.print(f"[red]error[/]: {escape(str(exc))}", highlight=False, soft_wrap=True)
        return EXIT_ERROR
    except KeyboardInterrupt:
        err.print("interrupted")
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
