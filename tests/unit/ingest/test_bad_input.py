"""Bad input never stops the run: each problem is one InputError saying what is wrong and what to do."""

from __future__ import annotations

import errno
from pathlib import Path

import pytest

from newstrace.errors import InputError
from newstrace.ingest import ReadResult, read_inputs

from .conftest import WriteFile, WriteJsonl


def _only_problem(result: ReadResult) -> InputError:
    assert len(result.skipped) == 1, [str(p) for p in result.skipped]
    return result.skipped[0]


def _says_what_to_do(problem: InputError) -> None:
    """Every message is '<what is wrong>; <what to do>'."""
    wrong, _, todo = problem.reason.partition("; ")
    assert wrong and todo, problem.reason


@pytest.mark.parametrize(
    ("name", "content", "line", "expected"),
    [
        ("empty.txt", b"", None, "the file is empty; add the article text or remove the file"),
        ("blank.txt", b" \n\t\r\n  ", None, "the file contains only whitespace; add the article text"),
        ("blank.html", b"\n\n", None, "the file contains only whitespace"),
        ("nul.txt", b"text\x00more", None, "looks like a binary file (it contains NUL bytes)"),
        ("pic.html", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", None, "binary file"),
        ("wide.txt", "UTF-16 text".encode("utf-16"), None, "UTF-16 encoded; re-save the file as UTF-8"),
        (
            "latin1.txt",
            "line one\nline two\ncaf\u00e9 au lait\n".encode("latin-1"),
            3,
            "not valid UTF-8 at line 3 (byte 0xe9); re-save the file as UTF-8",
        ),
        ("cr.txt", b"one\rtwo\r\nthree\rbad \xc3(\n", 4, "not valid UTF-8 at line 4"),
        ("first.html", b"\xff<p>x</p>", 1, "not valid UTF-8 at line 1 (byte 0xff)"),
        ("binary.jsonl", b'{"id": "a", "text": "\x00"}\n', None, "binary file"),
        ("empty.jsonl", b"\n  \n", None, "the file has no JSON lines"),
    ],
)
def test_bad_files_are_skipped_and_the_rest_is_read(
    write: WriteFile, name: str, content: bytes, line: int | None, expected: str
) -> None:
    bad = write(f"in/{name}", content)
    write("in/good.txt", "good text")
    result = read_inputs([bad.parent])
    assert [a.id for a in result.articles] == ["good"]
    problem = _only_problem(result)
    assert (problem.source, problem.line) == (str(bad), line)
    assert expected in problem.reason
    _says_what_to_do(problem)
    where = f"{bad}:{line}" if line is not None else str(bad)
    assert str(problem) == f"{where}: {problem.reason}"


@pytest.mark.parametrize(
    ("line_text", "expected"),
    [
        ('{"id": "b", "text": "bee"', "malformed JSON at line 2 (Expecting ',' delimiter at column 26)"),
        ("not json at all", "malformed JSON at line 2"),
        ('["b", "bee"]', "line 2 holds a JSON list, not an object"),
        ('{"text": "no id"}', 'no "id"; add an "id"'),
        ('{"id": null, "text": "null id"}', 'no "id"'),
        ('{"id": true, "text": "bool id"}', '"id" must be a string or an integer, not bool'),
        ('{"id": 1.5, "text": "float id"}', '"id" must be a string or an integer, not float'),
        ('{"id": "  ", "text": "blank id"}', '"id" is blank'),
        ('{"id": "b"}', """article 'b' has no "text" or "html"; add the article text"""),
        ('{"id": "b", "text": null, "html": null}', 'has no "text" or "html"'),
        ('{"id": "b", "text": "  \\n "}', """article 'b' has an empty "text"/"html\""""),
        ('{"id": "b", "text": ["x"]}', '"text" must be a string, not list'),
        (
            '{"id": "b", "text": "t", "published": "July 5, 2024"}',
            "\"published\" is not an ISO date: 'July 5, 2024'",
        ),
        ('{"id": "b", "text": "t", "published": "2024-02-30"}', '"published" is not an ISO date'),
        (
            '{"id": "b", "text": "t", "published": 2024}',
            '"published" must be an ISO date string or null, not int',
        ),
        ('{"id": "b", "text": "t", "title": 3}', '"title" must be a string or null, not int'),
        ('{"id": "b", "text": "t", "url": {"href": "x"}}', '"url" must be a string or null, not dict'),
        ('{"id": ' + "9" * 5000 + ', "text": "t"}', "cannot parse the JSON at line 2"),
        ("[" * 100_000 + "]" * 100_000, "cannot parse the JSON at line 2"),
    ],
)
def test_bad_jsonl_lines_are_skipped_by_line(write: WriteFile, line_text: str, expected: str) -> None:
    path = write(
        "feed.jsonl",
        '{"id": "a", "text": "ay"}\n' + line_text + '\n\n{"id": "c", "text": "sea"}\n',
    )
    result = read_inputs([path])
    assert [(a.id, a.source) for a in result.articles] == [("a", f"{path}:1"), ("c", f"{path}:4")]
    problem = _only_problem(result)
    assert (problem.source, problem.line) == (str(path), 2)
    assert expected in problem.reason
    _says_what_to_do(problem)
    assert str(problem).startswith(f"{path}:2: ")


def test_bad_utf8_in_one_jsonl_line_skips_only_that_line(write: WriteFile) -> None:
    path = write(
        "feed.jsonl", b'{"id": "a", "text": "ay"}\n{"id": "b", "text": "b\xe9"}\n{"id": "c", "text": "c"}\n'
    )
    result = read_inputs([path])
    assert [a.id for a in result.articles] == ["a", "c"]
    problem = _only_problem(result)
    assert (problem.line, problem.reason) == (2, "not valid UTF-8 at line 2; re-save the file as UTF-8")


def test_duplicate_ids_keep_the_first_and_name_both_places(write: WriteFile, write_jsonl: WriteJsonl) -> None:
    txt = write("in/a/dup.txt", "first copy")
    feed = write_jsonl("in/b/feed.jsonl", [{"id": "x", "text": "x1"}, {"id": "dup", "text": "second"}])
    html = write("in/c/dup.html", "<p>third</p>")
    later = write_jsonl("other.jsonl", [{"id": "x", "text": "x again"}])
    result = read_inputs([txt.parent.parent, later])
    assert [(a.id, a.raw) for a in result.articles] == [("dup", "first copy"), ("x", "x1")]
    jsonl_dup, html_dup, x_dup = result.skipped
    assert (jsonl_dup.source, jsonl_dup.line) == (str(feed), 2)
    assert jsonl_dup.reason == (
        f"duplicate id 'dup' (first read from {txt}); rename one of them or remove the copy "
        "(the first one is kept)"
    )
    assert (html_dup.source, html_dup.line) == (str(html), None)
    assert f"(first read from {txt})" in html_dup.reason
    assert (x_dup.source, x_dup.line) == (str(later), 1)
    assert f"(first read from {feed}:1)" in x_dup.reason


def test_missing_path_is_a_problem(tmp_path: Path, write: WriteFile) -> None:
    good = write("good.txt", "fine")
    missing = tmp_path / "nowhere" / "gone.txt"
    result = read_inputs([missing, good])
    assert [a.id for a in result.articles] == ["good"]
    problem = _only_problem(result)
    assert (problem.source, problem.reason) == (str(missing), "no such file or folder; check the path")


def test_unsupported_file_named_directly_is_a_problem(write: WriteFile) -> None:
    notes = write("notes.md", "# notes")
    bare = write("README", "readme")
    result = read_inputs([notes, bare])
    assert result.articles == ()
    md, readme = result.skipped
    assert md.source == str(notes)
    assert md.reason.startswith("unsupported file type '.md'; pass .txt, .html, .htm, .jsonl or .ndjson")
    assert "'(no extension)'" in readme.reason


def test_folder_without_article_files_is_a_problem(write: WriteFile) -> None:
    folder = write("empty/readme.md", "no articles here").parent
    write("empty/.hidden.txt", "hidden")
    result = read_inputs([folder])
    assert result.articles == ()
    problem = _only_problem(result)
    assert problem.source == str(folder)
    assert problem.reason.startswith("no article files (.txt, .html, .htm, .jsonl or .ndjson) in this folder")


def test_unreadable_file_is_a_problem(write: WriteFile, monkeypatch: pytest.MonkeyPatch) -> None:
    secret = write("in/secret.txt", "locked")
    locked_feed = write("in/locked.jsonl", '{"id": "j", "text": "locked"}\n')
    write("in/open.txt", "readable")
    real_read_bytes = Path.read_bytes
    real_open = Path.open

    def read_bytes(self: Path) -> bytes:
        if self.name == "secret.txt":
            raise PermissionError(errno.EACCES, "Permission denied", str(self))
        return real_read_bytes(self)

    def fake_open(self: Path, *args: object, **kwargs: object) -> object:
        if self.name == "locked.jsonl":
            raise PermissionError(errno.EACCES, "Permission denied", str(self))
        return real_open(self, *args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    monkeypatch.setattr(Path, "open", fake_open)
    result = read_inputs([secret.parent])
    assert [a.id for a in result.articles] == ["open"]
    feed_problem, text_problem = result.skipped
    assert feed_problem.source == str(locked_feed)
    assert text_problem.source == str(secret)
    for problem in (feed_problem, text_problem):
        assert problem.reason == (
            "cannot read the file (Permission denied); check that it exists and that you may read it"
        )


@pytest.mark.skipif(
    not hasattr(__import__("os"), "geteuid") or __import__("os").geteuid() == 0,
    reason="root can read files whatever their permissions",
)
def test_unreadable_file_by_permissions(write: WriteFile) -> None:  # pragma: no cover - not as root
    secret = write("in/secret.txt", "locked")
    write("in/open.txt", "readable")
    secret.chmod(0)
    try:
        result = read_inputs([secret.parent])
    finally:
        secret.chmod(0o644)
    assert [a.id for a in result.articles] == ["open"]
    assert _only_problem(result).reason.startswith("cannot read the file (Permission denied)")


def test_many_problems_are_all_reported_in_order(write: WriteFile, tmp_path: Path) -> None:
    empty = write("d/1.txt", "")
    good = write("d/2.txt", "two")
    feed = write("d/3.jsonl", '{"id": "2", "text": "dup"}\n{oops}\n{"id": "4", "text": "four"}\n')
    result = read_inputs([good.parent, tmp_path / "missing"])
    assert [a.id for a in result.articles] == ["2", "4"]
    assert [(p.source, p.line) for p in result.skipped] == [
        (str(empty), None),
        (str(feed), 1),
        (str(feed), 2),
        (str(tmp_path / "missing"), None),
    ]
    for problem in result.skipped:
        _says_what_to_do(problem)
