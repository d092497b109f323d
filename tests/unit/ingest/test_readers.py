"""Reading text, HTML and JSONL files, folders and stdin (the happy paths)."""

from __future__ import annotations

import datetime as dt
import io
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

import newstrace.ingest as ingest
from newstrace.errors import InputError
from newstrace.ingest import READERS, Reader, ReadResult, article_from_text, read_inputs
from newstrace.records import Article

from .conftest import WriteFile, WriteJsonl


def test_public_names_are_sorted_and_importable() -> None:
    assert ingest.__all__ == sorted(ingest.__all__)
    assert ingest.__all__ == ["READERS", "ReadResult", "Reader", "article_from_text", "read_inputs"]
    for name in ingest.__all__:
        assert getattr(ingest, name) is not None


def test_txt_file_is_one_article_with_stem_id_and_normalized_text(write: WriteFile) -> None:
    path = write("a/story-1.txt", b"\xef\xbb\xbfFirst line\r\nsecond line\rthird line\n")
    result = read_inputs([path])
    assert result.skipped == ()
    assert result.articles == (
        Article(id="story-1", raw="First line\nsecond line\nthird line\n", source=str(path)),
    )


def test_html_and_htm_files_fill_html_not_raw(write: WriteFile) -> None:
    page = write("p.html", "<html><body><p>Hello\r\nthere</p></body></html>")
    old = write("q.HTM", "<p>Old page</p>")
    result = read_inputs([page, old])
    assert result.skipped == ()
    first, second = result.articles
    assert (first.id, first.raw, first.html, first.source) == (
        "p",
        "",
        "<html><body><p>Hello\nthere</p></body></html>",
        str(page),
    )
    assert (second.id, second.html) == ("q", "<p>Old page</p>")


def test_html_page_declaring_another_charset_is_decoded_with_it(write: WriteFile) -> None:
    body = "caf\u00e9 \u2013 na\u00efve"
    page = write(
        "latin.html", f'<html><head><meta charset="windows-1252"></head><body>{body}</body>'.encode("cp1252")
    )
    result = read_inputs([page])
    assert result.skipped == ()
    assert result.articles[0].html is not None
    assert body in result.articles[0].html


def test_folder_is_read_recursively_sorted_skipping_hidden_other_and_manifest(write: WriteFile) -> None:
    root = write("corpus/z.txt", "zed").parent
    write("corpus/b/2.html", "<p>two</p>")
    write("corpus/a.txt", "ay")
    write("corpus/b/1.txt", "one")
    write("corpus/b/notes.md", "not an article")
    write("corpus/data.json", '{"id": "x", "text": "not jsonl"}')
    write("corpus/.hidden.txt", "hidden file")
    write("corpus/.git/HEAD.txt", "hidden folder")
    write("corpus/manifest.jsonl", '{"id": "a", "outlet": "Nowhere"}\n')
    write("corpus/c/feed.ndjson", '{"id": "n1", "text": "from ndjson"}\n')
    result = read_inputs([root])
    assert result.skipped == ()
    assert [a.id for a in result.articles] == ["a", "1", "2", "n1", "z"]
    assert [a.source for a in result.articles] == [
        str(root / "a.txt"),
        str(root / "b" / "1.txt"),
        str(root / "b" / "2.html"),
        f"{root / 'c' / 'feed.ndjson'}:1",
        str(root / "z.txt"),
    ]
    # The folder's manifest was not applied: only --manifest adds metadata.
    assert result.articles[0].outlet is None


def test_order_is_deterministic_whatever_the_creation_order(tmp_path: Path) -> None:
    names = ["m.txt", "b.txt", "k/z.txt", "a.txt", "k/0.txt", "aa.txt", "B.txt", "k/j/q.txt"]
    for root, order in (("one", names), ("two", list(reversed(names)))):
        for name in order:
            path = tmp_path / root / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(f"text of {name}", encoding="utf-8")
    one = read_inputs([tmp_path / "one"])
    two = read_inputs([tmp_path / "two"])
    # sorted by relative path, component by component (a folder sorts by its name among the files)
    assert [a.raw for a in one.articles] == [
        "text of B.txt",
        "text of a.txt",
        "text of aa.txt",
        "text of b.txt",
        "text of k/0.txt",
        "text of k/j/q.txt",
        "text of k/z.txt",
        "text of m.txt",
    ]
    assert [a.id for a in one.articles] == ["B", "a", "aa", "b", "0", "q", "z", "m"]
    assert [a.raw for a in two.articles] == [a.raw for a in one.articles]
    assert read_inputs([tmp_path / "one"]) == one


def test_paths_are_read_in_the_order_given(write: WriteFile) -> None:
    b = write("b.txt", "bee")
    a = write("a.txt", "ay")
    assert [x.id for x in read_inputs([b, a]).articles] == ["b", "a"]
    assert [x.id for x in read_inputs([str(a), str(b)]).articles] == ["a", "b"]


def test_a_single_path_may_be_passed_without_a_list(write: WriteFile) -> None:
    path = write("only.txt", "alone")
    assert [a.id for a in read_inputs(str(path)).articles] == ["only"]
    assert [a.id for a in read_inputs(path).articles] == ["only"]


def test_same_file_named_twice_is_read_once(write: WriteFile) -> None:
    path = write("dir/x.txt", "once")
    result = read_inputs([path.parent, path, path.parent / ".." / "dir" / "x.txt"])
    assert [a.id for a in result.articles] == ["x"]
    assert result.skipped == ()


def test_jsonl_reads_metadata_and_names_lines(write_jsonl: WriteJsonl) -> None:
    path = write_jsonl(
        "feed.jsonl",
        [
            {
                "id": "a1",
                "text": "Body one\r\nline two",
                "title": "Title one",
                "url": "https://example.com/1",
                "outlet": "Example News",
                "published": "2024-07-23",
                "language": "en",
                "extra": {"ignored": True},
            },
            "",
            "   ",
            {"id": 42, "html": "<p>page</p>", "published": "2024-11-14T23:30:00+09:00"},
            {"id": "a3", "text": "Three", "published": None, "title": None},
            {"id": "a4", "text": "Four", "html": "<p>Four</p>", "published": "2024-11-15T08:00:00Z"},
        ],
    )
    result = read_inputs([path])
    assert result.skipped == ()
    one, two, three, four = result.articles
    assert one == Article(
        id="a1",
        raw="Body one\nline two",
        source=f"{path}:1",
        title="Title one",
        outlet="Example News",
        published=dt.date(2024, 7, 23),
        url="https://example.com/1",
        language="en",
    )
    # an integer id becomes a string; a datetime keeps the date as written (no time-zone shift)
    assert (two.id, two.raw, two.html, two.source, two.published) == (
        "42",
        "",
        "<p>page</p>",
        f"{path}:4",
        dt.date(2024, 11, 14),
    )
    assert (three.id, three.source, three.published, three.title) == ("a3", f"{path}:5", None, None)
    assert (four.raw, four.html, four.published) == ("Four", "<p>Four</p>", dt.date(2024, 11, 15))


def test_jsonl_with_bom_and_crlf_line_ends(write: WriteFile) -> None:
    path = write("bom.jsonl", b'\xef\xbb\xbf{"id": "x", "text": "ex"}\r\n{"id": "y", "text": "why"}\r\n')
    result = read_inputs([path])
    assert result.skipped == ()
    assert [(a.id, a.raw) for a in result.articles] == [("x", "ex"), ("y", "why")]


def test_stdin_text_with_buffer(monkeypatch: pytest.MonkeyPatch) -> None:
    stream = io.TextIOWrapper(io.BytesIO(b"\xef\xbb\xbfPiped in\r\ntext\n"), encoding="utf-8")
    monkeypatch.setattr(sys, "stdin", stream)
    result = read_inputs(["-"])
    assert result.skipped == ()
    assert result.articles == (Article(id="stdin", raw="Piped in\ntext\n", source="<stdin>"),)


def test_stdin_without_buffer_and_mixed_with_files(monkeypatch: pytest.MonkeyPatch, write: WriteFile) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("From a string stream"))
    path = write("f.txt", "file text")
    result = read_inputs([path, "-"])
    assert [(a.id, a.raw) for a in result.articles] == [("f", "file text"), ("stdin", "From a string stream")]


def test_stdin_html_is_recognised(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("<!DOCTYPE html><html><body>Hi</body></html>"))
    (article,) = read_inputs(["-"]).articles
    assert (article.raw, article.html) == ("", "<!DOCTYPE html><html><body>Hi</body></html>")


def test_empty_stdin_is_skipped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("  \n"))
    result = read_inputs(["-"])
    assert result.articles == ()
    (problem,) = result.skipped
    assert problem.source == "<stdin>"
    assert "standard input is empty" in problem.reason


def test_bad_utf8_on_stdin_names_the_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"ok\nbad \xff\n"), encoding="utf-8"))
    (problem,) = read_inputs(["-"]).skipped
    assert (problem.source, problem.line) == ("<stdin>", 2)


def test_article_from_text_plain_and_html() -> None:
    plain = article_from_text("\ufeffLine one\r\nLine two", id="t1")
    assert plain == Article(id="t1", raw="Line one\nLine two", source="<text>")
    page = article_from_text("  <html><body><p>x</p></body></html>", id="t2", source="mem")
    assert (page.raw, page.html, page.source) == ("", "  <html><body><p>x</p></body></html>", "mem")
    # "<" alone does not make HTML; a forced choice wins over the guess
    assert article_from_text("<3 this story", id="t3").html is None
    assert article_from_text("<p>forced text</p>", id="t4", html=False).raw == "<p>forced text</p>"
    assert article_from_text("no tags", id="t5", html=True).html == "no tags"


@pytest.mark.parametrize(
    ("text", "article_id", "expected"),
    [
        ("   \n\t", "x", "empty or only whitespace"),
        ("", "x", "empty or only whitespace"),
        ("bin\x00ary", "x", "NUL characters"),
        ("fine", "  ", "id is blank"),
    ],
)
def test_article_from_text_rejects_bad_input(text: str, article_id: str, expected: str) -> None:
    with pytest.raises(InputError, match=expected) as info:
        article_from_text(text, id=article_id, source="here")
    assert info.value.source == "here"


def test_readers_are_tried_in_order_and_can_be_extended(write: WriteFile) -> None:
    class WarcLike:
        """A stand-in for a later WARC reader: two articles per ``.warc`` file."""

        def accepts(self, path: Path) -> bool:
            return path.suffix == ".warc"

        def read(self, path: Path) -> Iterator[Article | InputError]:
            yield Article(id=f"{path.stem}-1", raw="first", source=f"{path}#1")
            yield InputError("record 2 is truncated; re-download the archive", source=f"{path}#2")
            yield Article(id=f"{path.stem}-3", raw="third", source=f"{path}#3")

    reader = WarcLike()
    assert isinstance(reader, Reader)
    root = write("crawl/x.warc", b"WARC/1.0").parent
    write("crawl/y.txt", "text")
    result = read_inputs([root], readers=[reader, *READERS])
    assert [a.id for a in result.articles] == ["x-1", "x-3", "y"]
    assert [p.source for p in result.skipped] == [f"{root / 'x.warc'}#2"]
    # with the default readers the .warc file is not an article file
    assert [a.id for a in read_inputs([root]).articles] == ["y"]


def test_a_crashing_reader_does_not_stop_the_run(write: WriteFile) -> None:
    class Broken:
        def accepts(self, path: Path) -> bool:
            return path.suffix == ".bad"

        def read(self, path: Path) -> Iterator[Article | InputError]:
            yield Article(id="before-crash", raw="kept", source=str(path))
            raise RuntimeError("boom")

    bad = write("x.bad", "whatever")
    good = write("y.txt", "fine")
    result = read_inputs([bad, good], readers=[Broken(), *READERS])
    assert [a.id for a in result.articles] == ["before-crash", "y"]
    (problem,) = result.skipped
    assert problem.source == str(bad)
    assert "Broken failed" in problem.reason and "bug in the reader" in problem.reason


def test_read_result_is_frozen() -> None:
    result = ReadResult(articles=(), skipped=())
    with pytest.raises(AttributeError):
        result.articles = ()  # type: ignore[misc]
