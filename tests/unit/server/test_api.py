"""The JSON API over a real SQLite index of the seed articles (lexical-only Engine)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from newstrace.server import ServerSettings, create_app

from .helpers import FILLER_STORIES, PAYLOAD, XSS_A, XSS_B, Words, as_text, lexical_engine

SEED_STORIES = 3  # {000, 001}, {002}, {003, 004}
ALL_STORIES = SEED_STORIES + 1 + FILLER_STORIES


def seed_text(seeds_dir: Path, article_id: str) -> str:
    (path,) = seeds_dir.glob(f"{article_id}_*.txt")
    return path.read_text(encoding="utf-8")


def detail(response: Any) -> str:
    body = response.json()
    assert set(body) >= {"detail"}, body
    assert isinstance(body["detail"], str) and body["detail"], body
    return str(body["detail"])


# -- articles ---------------------------------------------------------------------------------------------
def test_get_article_returns_cleaned_text_and_story(client: TestClient) -> None:
    response = client.get("/api/v1/articles/003")
    assert response.status_code == 200
    body = response.json()
    assert body["id"] == "003"
    assert body["outlet"] == "Bloomberg"
    assert body["published"] == "2024-11-14"
    assert body["story"] == "s-003"
    assert body["text"] and body["sentences"] > 5


def test_unknown_article_is_404_with_a_message(client: TestClient) -> None:
    for path in ("/api/v1/articles/nope", "/api/v1/articles/nope/sources", "/api/v1/articles/nope/copies"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert "nope" in detail(response)


def test_sources_of_a_copy_name_its_original_with_evidence(client: TestClient) -> None:
    response = client.get("/api/v1/articles/004/sources")
    assert response.status_code == 200
    body = response.json()
    assert body["article"]["id"] == "004"
    (item,) = [i for i in body["items"] if i["other"]["id"] == "003"]
    assert item["kind"] in ("rewrite", "duplicate", "partial")
    assert item["origin"] == "003" and item["copy"] == "004"
    assert item["role"] == "copy"
    assert item["other"]["outlet"] == "Bloomberg"
    assert item["evidence"], "aligned sentences as evidence"
    this_text = client.get("/api/v1/articles/004").json()["text"]
    other_text = client.get("/api/v1/articles/003").json()["text"]
    for ev in item["evidence"]:
        start, end = ev["this"]["span"]
        assert this_text[start:end] == ev["this"]["text"]
        start, end = ev["other"]["span"]
        assert other_text[start:end] == ev["other"]["text"]


def test_copies_of_an_original_name_the_copy(client: TestClient) -> None:
    body = client.get("/api/v1/articles/003/copies").json()
    assert [i["other"]["id"] for i in body["items"]] == ["004"]
    assert body["items"][0]["role"] == "original"
    assert client.get("/api/v1/articles/003/sources").json()["items"] == []
    assert client.get("/api/v1/articles/004/copies").json()["items"] == []


def test_an_article_without_relations_has_no_sources(client: TestClient) -> None:
    assert client.get("/api/v1/articles/002/sources").json()["items"] == []


# -- adding articles -------------------------------------------------------------------------------------
def _pair_payload() -> list[dict[str, Any]]:
    sentences = Words(7).sentences(12)
    copy = [*sentences]
    copy[3] = Words(8).sentence()
    return [
        {
            "id": "orig",
            "text": as_text(sentences),
            "title": "Original",
            "outlet": "Wire",
            "published": "2024-01-02",
        },
        {
            "id": 7,
            "text": as_text(copy),
            "title": "Copy",
            "outlet": "Blog",
            "published": "2024-01-03T10:00:00Z",
        },
    ]


def test_add_articles_then_unchanged_on_repeat(empty_client: TestClient) -> None:
    response = empty_client.post("/api/v1/articles", json=_pair_payload())
    assert response.status_code == 200, response.text
    body = response.json()
    assert sorted(body["added"]) == ["7", "orig"]
    assert body["unchanged"] == []
    assert body["relations"] >= 1
    again = empty_client.post("/api/v1/articles", json=_pair_payload()).json()
    assert again["added"] == [] and sorted(again["unchanged"]) == ["7", "orig"]
    stories = empty_client.get("/api/v1/stories").json()
    assert stories["total"] == 1
    (story,) = stories["items"]
    assert story["articles"] == ["7", "orig"] and story["origin"] == "orig"
    assert empty_client.get("/api/v1/articles/7").json()["published"] == "2024-01-03"
    assert [i["other"]["id"] for i in empty_client.get("/api/v1/articles/7/sources").json()["items"]] == [
        "orig"
    ]


def test_add_articles_accepts_html(empty_client: TestClient) -> None:
    paragraphs = "".join(f"<p>{s}</p>" for s in Words(9).sentences(8))
    page = f"<html><head><title>T</title></head><body><article>{paragraphs}</article></body></html>"
    response = empty_client.post("/api/v1/articles", json=[{"id": "h", "html": page}])
    assert response.status_code == 200, response.text
    assert response.json()["added"] == ["h"]
    assert "<p>" not in empty_client.get("/api/v1/articles/h").json()["text"]


@pytest.mark.parametrize(
    ("payload", "needle"),
    [
        ([], "empty"),
        ({"id": "x", "text": "t"}, "body"),
        ([{"id": "x"}], '"text"'),
        ([{"text": "no id"}], "id"),
        ([{"id": True, "text": "bool id"}], "id"),
        ([{"id": "x", "text": "   "}], "empty"),
        ([{"id": "x", "text": 5}], "text"),
        ([{"id": "x", "text": "fine text here.", "published": "yesterday"}], "ISO date"),
        ([{"id": " ", "text": "fine text here."}], "blank"),
        ([{"id": "d", "text": "one."}, {"id": "d", "text": "two."}], "twice"),
    ],
)
def test_bad_articles_are_422_with_a_message(empty_client: TestClient, payload: Any, needle: str) -> None:
    response = empty_client.post("/api/v1/articles", json=payload)
    assert response.status_code == 422, response.text
    assert needle in detail(response)
    assert empty_client.get("/api/v1/stories").json()["total"] == 0, "nothing stored"


def test_malformed_json_is_422(empty_client: TestClient) -> None:
    response = empty_client.post(
        "/api/v1/articles", content=b'[{"id": "x", "text": ', headers={"content-type": "application/json"}
    )
    assert response.status_code == 422
    assert "JSON" in detail(response)


# -- check and compare ------------------------------------------------------------------------------------
def test_check_finds_the_source_of_a_copied_text(client: TestClient, seeds_dir: Path) -> None:
    response = client.post("/api/v1/check", json={"text": seed_text(seeds_dir, "004"), "outlet": "Somewhere"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["article"]["outlet"] == "Somewhere"
    source_ids = [s["id"] for s in body["sources"]]
    assert "003" in source_ids
    (bloomberg,) = [s for s in body["sources"] if s["id"] == "003"]
    assert bloomberg["outlet"] == "Bloomberg" and bloomberg["origin"] == "003"
    (item,) = [r for r in body["relations"] if r["other"]["id"] == "003"]
    assert item["role"] == "copy" and item["evidence"]
    checked_text = body["article"]["text"]
    for ev in item["evidence"]:
        start, end = ev["this"]["span"]
        assert checked_text[start:end] == ev["this"]["text"]
    assert isinstance(item["changes"], list)
    # Nothing was stored.
    assert client.get("/api/v1/stories").json()["total"] == ALL_STORIES


def test_check_of_an_unrelated_text_finds_nothing(client: TestClient) -> None:
    body = client.post("/api/v1/check", json={"text": as_text(Words(555).sentences(9))}).json()
    assert body["sources"] == [] and body["relations"] == []


@pytest.mark.parametrize(
    ("payload", "needle"),
    [
        ({}, "text"),
        ({"text": ""}, "text"),
        ({"text": "   \n "}, "empty"),
        ({"text": "some words.", "published": "31/12/2024"}, "ISO date"),
        ({"text": "some words.", "colour": "red"}, "colour"),
    ],
)
def test_bad_check_requests_are_422(client: TestClient, payload: dict[str, Any], needle: str) -> None:
    response = client.post("/api/v1/check", json=payload)
    assert response.status_code == 422, response.text
    assert needle in detail(response)


def test_compare_two_texts(client: TestClient, seeds_dir: Path) -> None:
    response = client.post(
        "/api/v1/compare", json={"a": seed_text(seeds_dir, "000"), "b": seed_text(seeds_dir, "001")}
    )
    assert response.status_code == 200, response.text
    body = response.json()
    relation = body["relation"]
    assert relation["kind"] in ("rewrite", "duplicate", "partial")
    assert {body["a"]["id"], body["b"]["id"]} == {"a", "b"}
    for ev in relation["evidence"]:
        start, end = ev["a"]["span"]
        assert body["a"]["text"][start:end] == ev["a"]["text"]


def test_compare_two_indexed_articles(client: TestClient) -> None:
    response = client.post("/api/v1/compare", json={"a_id": "004", "b_id": "003"})
    assert response.status_code == 200, response.text
    relation = response.json()["relation"]
    assert {relation["a"], relation["b"]} == {"003", "004"}
    assert relation["kind"] in ("rewrite", "partial", "duplicate")
    assert relation["origin"] == "003"


@pytest.mark.parametrize(
    "payload",
    [
        {},
        {"a": "x"},
        {"a": "x", "b": "y", "a_id": "003", "b_id": "004"},
        {"a_id": "003"},
        {"a": "x", "b_id": "003"},
    ],
)
def test_compare_needs_two_texts_or_two_ids(client: TestClient, payload: dict[str, Any]) -> None:
    response = client.post("/api/v1/compare", json=payload)
    assert response.status_code == 422
    assert "a_id" in detail(response)


def test_compare_errors(client: TestClient) -> None:
    assert client.post("/api/v1/compare", json={"a_id": "003", "b_id": "nope"}).status_code == 404
    assert client.post("/api/v1/compare", json={"a_id": "003", "b_id": "003"}).status_code == 422
    assert client.post("/api/v1/compare", json={"a": "  ", "b": "text."}).status_code == 422


# -- stories ---------------------------------------------------------------------------------------------
def test_stories_list_newest_first_with_totals(client: TestClient) -> None:
    body = client.get("/api/v1/stories").json()
    assert body["total"] == ALL_STORIES
    assert body["offset"] == 0 and body["limit"] == 50
    ids = [s["id"] for s in body["items"]]
    assert ids[:3] == ["s-003", "s-000", "s-002"]
    first = body["items"][0]
    assert first["articles"] == ["003", "004"] and first["origin"] == "003"
    assert first["first_published"] == "2024-11-14" and first["last_published"] == "2024-11-15"
    assert first["title"]
    assert "Bloomberg" in first["outlets"]


def test_stories_pagination(client: TestClient) -> None:
    seen: list[str] = []
    for offset in range(0, ALL_STORIES + 5, 5):
        body = client.get("/api/v1/stories", params={"limit": 5, "offset": offset}).json()
        assert body["limit"] == 5 and body["offset"] == offset and body["total"] == ALL_STORIES
        assert len(body["items"]) == max(0, min(5, ALL_STORIES - offset))
        seen.extend(s["id"] for s in body["items"])
    assert len(seen) == len(set(seen)) == ALL_STORIES


def test_page_size_is_capped(make_client: Callable[..., TestClient]) -> None:
    client = make_client(max_page_size=4, default_page_size=2)
    assert client.get("/api/v1/stories").json()["limit"] == 2
    body = client.get("/api/v1/stories", params={"limit": 1000}).json()
    assert body["limit"] == 4 and len(body["items"]) == 4


def test_stories_filters(client: TestClient) -> None:
    body = client.get("/api/v1/stories", params={"outlet": "bloomberg"}).json()
    assert [s["id"] for s in body["items"]] == ["s-003"]
    body = client.get("/api/v1/stories", params={"since": "2024-07-01", "until": "2024-07-31"}).json()
    assert [s["id"] for s in body["items"]] == ["s-000"]
    assert client.get("/api/v1/stories", params={"since": "2030-01-01"}).json() == {
        "items": [],
        "total": 0,
        "limit": 50,
        "offset": 0,
    }


@pytest.mark.parametrize(
    ("params", "needle"),
    [
        ({"limit": 0}, "limit"),
        ({"limit": "ten"}, "limit"),
        ({"offset": -1}, "offset"),
        ({"since": "last week"}, "since"),
        ({"since": "2024-12-01", "until": "2024-01-01"}, "after"),
    ],
)
def test_bad_story_queries_are_422(client: TestClient, params: dict[str, Any], needle: str) -> None:
    response = client.get("/api/v1/stories", params=params)
    assert response.status_code == 422
    assert needle in detail(response)


def test_story_detail(client: TestClient) -> None:
    body = client.get("/api/v1/stories/s-000").json()
    assert body["origin"] == "000"
    assert [m["id"] for m in body["members"]] == ["000", "001"]
    (relation,) = body["relations"]
    assert (relation["origin"], relation["copy"]) == ("000", "001")
    response = client.get("/api/v1/stories/s-nope")
    assert response.status_code == 404 and "s-nope" in detail(response)


def test_payload_strings_come_back_verbatim_in_json(client: TestClient) -> None:
    body = client.get(f"/api/v1/articles/{XSS_A}").json()
    assert body["title"] == f"Title {PAYLOAD}"
    assert "<script>alert(1)</script>" in body["text"]
    response = client.get(f"/api/v1/articles/{XSS_B}/sources")
    assert response.headers["content-type"].startswith("application/json")
    assert [i["other"]["id"] for i in response.json()["items"]] == [XSS_A]


# -- token, body size, unknown routes ------------------------------------------------------------------------
@pytest.fixture
def token_client(make_client: Callable[..., TestClient]) -> Iterator[TestClient]:
    yield make_client(token="s3cret-token")


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/api/v1/stories", None),
        ("GET", "/api/v1/stories/s-000", None),
        ("GET", "/api/v1/articles/003", None),
        ("GET", "/api/v1/articles/003/sources", None),
        ("GET", "/api/v1/articles/003/copies", None),
        ("POST", "/api/v1/articles", [{"id": "z", "text": "text."}]),
        ("POST", "/api/v1/check", {"text": "text."}),
        ("POST", "/api/v1/compare", {"a_id": "003", "b_id": "004"}),
        ("GET", "/api/v1/no-such-route", None),
    ],
)
def test_every_api_route_needs_the_token(token_client: TestClient, method: str, path: str, body: Any) -> None:
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": "Basic s3cret-token"}):
        response = token_client.request(method, path, json=body, headers=headers)
        assert response.status_code == 401, (path, headers)
        assert response.headers["www-authenticate"].startswith("Bearer")
        assert "token" in detail(response)


def test_the_right_token_opens_the_api(token_client: TestClient) -> None:
    good = {"Authorization": "Bearer s3cret-token"}
    assert token_client.get("/api/v1/stories", headers=good).status_code == 200
    assert (
        token_client.get("/api/v1/stories", headers={"Authorization": "bearer s3cret-token"}).status_code
        == 200
    )
    # Malformed JSON with no token is refused before the body is looked at.
    response = token_client.post(
        "/api/v1/articles", content=b"{", headers={"content-type": "application/json"}
    )
    assert response.status_code == 401
    # Pages and the API docs do not need the token.
    assert token_client.get("/").status_code == 200
    assert token_client.get("/openapi.json").status_code == 200


def test_token_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, store: Any, make_client: Callable[..., TestClient]
) -> None:
    monkeypatch.setenv("NEWSTRACE_TOKEN", "from-env")
    client = TestClient(create_app(engine=lexical_engine(), store=store, settings=ServerSettings()))
    assert client.get("/api/v1/stories").status_code == 401
    assert client.get("/api/v1/stories", headers={"Authorization": "Bearer from-env"}).status_code == 200


def test_large_bodies_are_413(make_client: Callable[..., TestClient]) -> None:
    client = make_client(max_body_bytes=2000)
    big = [{"id": "big", "text": "word " * 1000}]
    response = client.post("/api/v1/articles", json=big)
    assert response.status_code == 413
    assert "2,000 bytes" in detail(response)
    response = client.post("/api/v1/check", json={"text": "word " * 1000})
    assert response.status_code == 413
    assert client.get("/api/v1/stories").status_code == 200


def test_large_chunked_bodies_are_413(make_client: Callable[..., TestClient]) -> None:
    client = make_client(max_body_bytes=2000)

    def chunks() -> Iterator[bytes]:
        yield b'{"text": "'
        for _ in range(100):
            yield b"word " * 20
        yield b'"}'

    response = client.post("/api/v1/check", content=chunks(), headers={"content-type": "application/json"})
    assert response.status_code == 413
    assert "limit" in detail(response)


def test_default_body_limit_is_two_mib(client: TestClient) -> None:
    body = json.dumps({"text": "x" * (2 * 1024 * 1024)})
    response = client.post("/api/v1/check", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 413


def test_unknown_api_routes_and_methods(client: TestClient) -> None:
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404 and "/docs" in detail(response)
    response = client.delete("/api/v1/stories")
    assert response.status_code == 405 and "DELETE" in detail(response)


def test_openapi_lists_the_api(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    paths = set(schema["paths"])
    assert {
        "/api/v1/articles",
        "/api/v1/articles/{article_id}",
        "/api/v1/articles/{article_id}/sources",
        "/api/v1/articles/{article_id}/copies",
        "/api/v1/check",
        "/api/v1/stories",
        "/api/v1/stories/{story_id}",
        "/api/v1/compare",
    } <= paths
    assert not any(not p.startswith("/api/") for p in paths), "pages are not part of the API schema"
    assert client.get("/docs").status_code == 200


def test_allowed_hosts_refuse_other_host_headers(make_client: Callable[..., TestClient]) -> None:
    client = make_client(allowed_hosts=("127.0.0.1", "localhost"))
    assert client.get("/api/v1/stories", headers={"host": "127.0.0.1:8000"}).status_code == 200
    assert client.get("/", headers={"host": "localhost"}).status_code == 200
    assert client.get("/api/v1/stories", headers={"host": "attacker.example"}).status_code == 400
    assert client.get("/", headers={"host": "attacker.example"}).status_code == 400
