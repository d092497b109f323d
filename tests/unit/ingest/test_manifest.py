"""The manifest: metadata matched to articles by id or by file name."""

from __future__ import annotations

import datetime as dt
import logging

import pytest

from newstrace.ingest import read_inputs

from .conftest import WriteFile, WriteJsonl


def test_manifest_by_file_sets_id_and_metadata(write: WriteFile, write_jsonl: WriteJsonl) -> None:
    root = write("arts/000_abc.txt", "zero").parent
    write("arts/001_def.html", "<p>one</p>")
    manifest = write_jsonl(
        "meta/manifest.jsonl",
        [
            {
                "id": "000",
                "file": "000_abc.txt",
                "outlet": "Outlet Zero",
                "published": "2024-07-23",
                "title": "Zero",
                "url": "https://zero.example/0",
                "language": "en",
                "published_note": "extra fields are ignored",
            },
            # a folder in "file" is ignored: files are compared by base name
            {"id": "001", "file": "some/where/else/001_def.html", "outlet": None, "published": None},
        ],
    )
    result = read_inputs([root], manifest=manifest)
    assert result.skipped == ()
    zero, one = result.articles
    assert (zero.id, zero.outlet, zero.published, zero.title, zero.url, zero.language) == (
        "000",
        "Outlet Zero",
        dt.date(2024, 7, 23),
        "Zero",
        "https://zero.example/0",
        "en",
    )
    assert zero.source == str(root / "000_abc.txt")
    assert (one.id, one.outlet, one.published, one.html) == ("001", None, None, "<p>one</p>")


def test_manifest_by_file_without_id_keeps_the_stem(write: WriteFile, write_jsonl: WriteJsonl) -> None:
    path = write("x/story.txt", "text")
    manifest = write_jsonl("m.jsonl", [{"file": "story.txt", "outlet": "Daily"}])
    (article,) = read_inputs([path], manifest=manifest).articles
    assert (article.id, article.outlet) == ("story", "Daily")


def test_manifest_by_id_for_text_files_and_jsonl(write: WriteFile, write_jsonl: WriteJsonl) -> None:
    txt = write("in/abc.txt", "text body")
    feed = write_jsonl(
        "in/feed.jsonl",
        [
            {"id": 7, "text": "seven", "outlet": "Own Outlet"},
            {"id": "j2", "text": "two"},
        ],
    )
    manifest = write_jsonl(
        "manifest.jsonl",
        [
            {"id": "abc", "outlet": "ABC Outlet", "published": "2024-01-02T03:04:05"},
            {"id": 7, "outlet": "Manifest Outlet", "published": "2023-05-06", "language": "de"},
            {"id": "j2", "title": "Two", "url": "https://j2.example"},
        ],
    )
    result = read_inputs([txt, feed], manifest=manifest)
    assert result.skipped == ()
    abc, seven, two = result.articles
    assert (abc.id, abc.outlet, abc.published) == ("abc", "ABC Outlet", dt.date(2024, 1, 2))
    # the article's own JSONL metadata wins; only its None fields are filled
    assert (seven.id, seven.outlet, seven.published, seven.language) == (
        "7",
        "Own Outlet",
        dt.date(2023, 5, 6),
        "de",
    )
    assert (two.title, two.url, two.outlet) == ("Two", "https://j2.example", None)


def test_jsonl_articles_are_not_matched_by_file(write_jsonl: WriteJsonl) -> None:
    feed = write_jsonl("feed.jsonl", [{"id": "a", "text": "ay"}])
    manifest = write_jsonl("m.jsonl", [{"id": "other", "file": "feed.jsonl", "outlet": "Nope"}])
    (article,) = read_inputs([feed], manifest=manifest).articles
    assert (article.id, article.outlet) == ("a", None)


def test_unmatched_manifest_entry_is_only_a_warning(
    write: WriteFile, write_jsonl: WriteJsonl, caplog: pytest.LogCaptureFixture
) -> None:
    path = write("a.txt", "ay")
    manifest = write_jsonl("m.jsonl", [{"id": "a", "outlet": "A"}, {"id": "ghost", "file": "ghost.txt"}])
    with caplog.at_level(logging.WARNING, logger="newstrace.ingest"):
        result = read_inputs([path], manifest=manifest)
    assert result.skipped == ()
    assert [(a.id, a.outlet) for a in result.articles] == [("a", "A")]
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert warnings == [
        f"{manifest}:2: manifest entry (id 'ghost', file 'ghost.txt') matches no article; "
        "check its id or file name"
    ]


def test_explicit_manifest_file_in_paths(write: WriteFile, write_jsonl: WriteJsonl) -> None:
    path = write("d/a.txt", "ay")
    manifest = write_jsonl("d/manifest.jsonl", [{"id": "a", "outlet": "A"}])
    # passed as both a path and the manifest (a shell glob): quietly not read as articles
    result = read_inputs([path, manifest], manifest=manifest)
    assert result.skipped == ()
    assert [(a.id, a.outlet) for a in result.articles] == [("a", "A")]
    # passed only as a path: a problem that says to use it as the manifest
    result = read_inputs([path, manifest])
    assert [a.id for a in result.articles] == ["a"]
    (problem,) = result.skipped
    assert problem.source == str(manifest)
    assert "holds metadata, not articles" in problem.reason and "--manifest" in problem.reason


def test_manifest_id_collision_is_a_duplicate(write: WriteFile, write_jsonl: WriteJsonl) -> None:
    first = write("s/first.txt", "one")
    second = write("s/second.txt", "two")
    manifest = write_jsonl("m.jsonl", [{"id": "first", "file": "second.txt"}])
    result = read_inputs([first, second], manifest=manifest)
    assert [a.raw for a in result.articles] == ["one"]
    (problem,) = result.skipped
    assert problem.source == str(second)
    assert f"duplicate id 'first' (first read from {first})" in problem.reason


@pytest.mark.parametrize(
    ("lines", "line", "expected"),
    [
        (['{"id": "a", "outlet": "A"', '{"id": "b", "outlet": "B"}'], 1, "malformed JSON at line 1"),
        (['{"id": "b", "outlet": "B"}', '["a", "A"]'], 2, "holds a JSON list, not an object"),
        (['{"id": "b", "outlet": "B"}', '{"outlet": "A"}'], 2, 'neither "id" nor "file"'),
        (['{"id": "b", "outlet": "B"}', '{"id": "a", "published": "last week"}'], 2, "not an ISO date"),
        (['{"id": "b", "outlet": "B"}', '{"id": "a", "outlet": 5}'], 2, '"outlet" must be a string or null'),
        (
            ['{"id": "b", "outlet": "B"}', '{"id": "b", "outlet": "C"}'],
            2,
            "duplicate manifest entry for id 'b'",
        ),
        (
            ['{"id": "b", "file": "x/b.txt", "outlet": "B"}', '{"id": "c", "file": "b.txt"}'],
            2,
            "duplicate manifest entry for file 'b.txt'",
        ),
    ],
)
def test_bad_manifest_lines_are_skipped_and_the_rest_is_used(
    write: WriteFile, write_jsonl: WriteJsonl, lines: list[str], line: int, expected: str
) -> None:
    path = write("b.txt", "bee")
    manifest = write_jsonl("m.jsonl", lines)
    result = read_inputs([path], manifest=manifest)
    assert [(a.id, a.outlet) for a in result.articles] == [("b", "B")]
    (problem,) = result.skipped
    assert (problem.source, problem.line) == (str(manifest), line)
    assert expected in problem.reason


def test_bad_utf8_in_manifest_names_the_line(write: WriteFile) -> None:
    path = write("b.txt", "bee")
    manifest = write("m.jsonl", b'{"id": "b", "outlet": "B"}\n{"id": "c", "outlet": "\xff"}\n')
    result = read_inputs([path], manifest=manifest)
    assert [(a.id, a.outlet) for a in result.articles] == [("b", "B")]
    (problem,) = result.skipped
    assert (problem.line, problem.reason) == (2, "not valid UTF-8 at line 2; re-save the manifest as UTF-8")


def test_missing_manifest_is_a_problem_but_articles_are_read(write: WriteFile) -> None:
    path = write("a.txt", "ay")
    missing = path.parent / "nope.jsonl"
    result = read_inputs([path], manifest=missing)
    assert [a.id for a in result.articles] == ["a"]
    (problem,) = result.skipped
    assert problem.source == str(missing)
    assert problem.reason.startswith("cannot read the manifest (No such file or directory)")


def test_empty_manifest_is_a_problem(write: WriteFile) -> None:
    path = write("a.txt", "ay")
    manifest = write("m.jsonl", "\n\n")
    result = read_inputs([path], manifest=manifest)
    assert [a.id for a in result.articles] == ["a"]
    (problem,) = result.skipped
    assert "manifest is empty" in problem.reason
