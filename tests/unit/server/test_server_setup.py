"""Server settings, the missing-extra error, ``serve()`` wiring and the provenance graph layout."""

from __future__ import annotations

import dataclasses
import datetime as dt
import importlib
import sys
from pathlib import Path
from typing import Any

import pytest
from htmlcheck import assert_inert, parse_html

from newstrace.errors import ExtraNotInstalledError, SettingsError
from newstrace.records import Alignment, Article, Relation, RelationKind
from newstrace.server import ServerSettings
from newstrace.server._graph import provenance_svg

from .helpers import PAYLOAD


# -- settings ------------------------------------------------------------------------------------------
def test_settings_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NEWSTRACE_TOKEN", raising=False)
    settings = ServerSettings()
    assert settings.token is None
    assert settings.max_body_bytes == 2 * 1024 * 1024
    assert settings.default_page_size <= settings.max_page_size


def test_settings_token_from_env_unless_given(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSTRACE_TOKEN", "  env-token ")
    assert ServerSettings().token == "env-token"
    assert ServerSettings(token=None).token is None
    assert ServerSettings(token="given").token == "given"
    monkeypatch.setenv("NEWSTRACE_TOKEN", "   ")
    assert ServerSettings().token is None


@pytest.mark.parametrize(
    "kwargs",
    [
        {"token": ""},
        {"token": " padded "},
        {"max_body_bytes": 0},
        {"max_page_size": 0},
        {"default_page_size": 0},
        {"default_page_size": 500, "max_page_size": 100},
        {"allowed_hosts": ()},
    ],
)
def test_bad_settings_are_refused(kwargs: dict[str, Any]) -> None:
    with pytest.raises(SettingsError):
        ServerSettings(**{"token": None, **kwargs})


# -- missing extra ---------------------------------------------------------------------------------------
def test_import_without_fastapi_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(sys.modules):
        if name == "newstrace.server" or name.startswith("newstrace.server."):
            monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "fastapi", None)
    with pytest.raises(ExtraNotInstalledError) as caught:
        importlib.import_module("newstrace.server")
    assert caught.value.extra == "server"
    assert "pip install 'newstrace[server]'" in str(caught.value)


# -- serve() ---------------------------------------------------------------------------------------------
def test_serve_builds_a_non_forking_engine_and_runs_uvicorn(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import uvicorn

    from newstrace.server import serve

    seen: dict[str, Any] = {}

    def fake_run(app: Any, **kwargs: Any) -> None:
        seen["app"], seen["kwargs"] = app, kwargs

    monkeypatch.setattr(uvicorn, "run", fake_run)
    serve(store_path=tmp_path / "s.db", port=8765, token="tok", embeddings=False)
    assert seen["kwargs"]["host"] == "127.0.0.1" and seen["kwargs"]["port"] == 8765
    backend = seen["app"].state.backend
    assert backend.settings.token == "tok"
    assert backend.engine.embeddings is False
    assert backend.engine.executor.workers == 1
    assert backend.settings.allowed_hosts == ("127.0.0.1", "localhost")
    assert (tmp_path / "s.db").exists()


# -- graph layout ----------------------------------------------------------------------------------------
def _article(article_id: str, day: int | None, **extra: Any) -> Article:
    return Article(id=article_id, published=dt.date(2024, 1, day) if day else None, **extra)


def _relation(
    a: str, b: str, kind: RelationKind, origin: str | None, reasons: tuple[str, ...] = ()
) -> Relation:
    alignment = Alignment(a, b, (), 0.9, 0.9, 0.0, 0.0, 3, 1.0)
    return Relation(a, b, kind, origin, 0.9, reasons, alignment, "test")


def _svg(articles: list[Article], relations: list[Relation], origin: str | None) -> str:
    return provenance_svg(
        articles, relations, origin, node_href=lambda i: f"#a-{i}", edge_href=lambda a, b: f"/pair/{a}/{b}"
    )


def test_graph_nodes_in_the_given_order_with_the_original_marked() -> None:
    articles = [_article("x", 1, outlet="Wire"), _article("y", 2), _article("z", None)]
    relations = [
        _relation("x", "y", RelationKind.REWRITE, "x", ("restated 4 sentences",)),
        _relation("x", "z", RelationKind.DUPLICATE, None),
        _relation("y", "z", RelationKind.SAME_STORY, None),
    ]
    svg = _svg(articles, relations, "x")
    parsed = parse_html(svg)
    assert parsed.tags.count("rect") == 3
    assert svg.index('data-article="x"') < svg.index('data-article="y"') < svg.index('data-article="z"')
    assert '<g class="node original" data-article="x">' in svg
    assert ">original</text>" in svg
    assert svg.count("marker-end=") == 1, "only the edge with a known origin has an arrow head"
    assert '<g class="edge derived rewrite">' in svg
    assert '<g class="edge derived unknown-origin">' in svg
    assert '<g class="edge same_story">' in svg
    assert "x → y (original → copy)\nrewrite · confidence 0.90\nrestated 4 sentences" in svg
    assert 'href="/pair/x/y"' in svg and 'href="#a-z"' in svg


def test_graph_arrow_runs_from_original_to_copy_whatever_the_id_order() -> None:
    articles = [_article("b-old", 1), _article("a-new", 5)]
    svg = _svg(articles, [_relation("a-new", "b-old", RelationKind.PARTIAL, "b-old")], "b-old")
    path = svg[svg.index('class="line" d="M') :]
    # Row 0 (b-old) is at the top: the arrow starts near y=28 and ends near y=76.
    start_y = float(path.split('d="M')[1].split(" ")[0].split(",")[1])
    assert start_y < 50


def test_graph_escapes_everything() -> None:
    evil = _article(f'e"{PAYLOAD}', 1, title=PAYLOAD, outlet=PAYLOAD)
    other = _article("o", 2)
    svg = _svg([evil, other], [_relation(evil.id, "o", RelationKind.DUPLICATE, evil.id, (PAYLOAD,))], evil.id)
    assert_inert(svg)


def test_graph_of_a_single_article_and_of_many() -> None:
    assert_inert(_svg([_article("solo", 1)], [], "solo"))
    many = [dataclasses.replace(_article(f"n{i:03d}", None)) for i in range(200)]
    svg = _svg(many, [_relation("n000", "n199", RelationKind.DUPLICATE, "n000")], None)
    assert svg.count("<rect") == 150, "capped"
    assert "n199" not in svg, "edges to hidden nodes are left out"


def test_graph_draws_the_most_direct_source_bold_and_others_faint() -> None:
    articles = [_article("x", 1), _article("y", 2), _article("z", 3)]
    relations = [
        _relation("x", "y", RelationKind.REWRITE, "x"),
        _relation("x", "z", RelationKind.REWRITE, "x"),
        _relation("y", "z", RelationKind.REWRITE, "y"),
    ]
    svg = _svg(articles, relations, "x")
    assert svg.count('<g class="edge derived rewrite">') == 2  # x → y and y → z
    assert svg.count('<g class="edge derived rewrite secondary">') == 1
    faint = svg[svg.index("secondary") :]
    assert faint.index("x → z (original → copy)") < faint.index("</g>")
