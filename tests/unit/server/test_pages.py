"""The web UI: every page renders, escapes untrusted data, sends the CSP and answers errors as pages."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from htmlcheck import assert_inert, parse_html

from .helpers import IMG, PAYLOAD, SCRIPT, XSS_A, XSS_B, Words, as_text

CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"


def seed_text(seeds_dir: Path, article_id: str) -> str:
    (path,) = seeds_dir.glob(f"{article_id}_*.txt")
    return path.read_text(encoding="utf-8")


def get_page(client: TestClient, path: str, status: int = 200) -> str:
    response = client.get(path)
    assert response.status_code == status, (path, response.text[:500])
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["content-security-policy"].startswith(CSP)
    assert response.headers["x-content-type-options"] == "nosniff"
    return response.text


def test_timeline_groups_stories_by_date_newest_first(client: TestClient) -> None:
    page = get_page(client, "/")
    assert_inert(page)
    days = [day for day in ("2024-11-15", "2024-07-23", "2024-06-20") if f'datetime="{day}"' in page]
    assert days == ["2024-11-15", "2024-07-23", "2024-06-20"]
    assert (
        page.index('datetime="2024-11-15"')
        < page.index('datetime="2024-07-23"')
        < page.index('datetime="2024-06-20"')
    )
    for story in ("s-003", "s-000", "s-002"):
        assert f'href="/stories/{story}"' in page
    assert "Ukraine allies to push China on Russia-North Korea ties at G-20" in page
    assert '<form class="filter" method="get" action="/">' in page


def test_timeline_filter_and_pages(client: TestClient) -> None:
    page = get_page(client, "/?outlet=Bloomberg")
    assert 'href="/stories/s-003"' in page and 'href="/stories/s-000"' not in page
    assert 'value="Bloomberg"' in page
    page = get_page(client, "/?since=2024-07-01&until=2024-07-31&outlet=")
    assert 'href="/stories/s-000"' in page and 'href="/stories/s-003"' not in page
    first = get_page(client, "/?limit=4")
    assert 'rel="next"' in first and 'rel="prev"' not in first
    assert 'href="/?limit=4&amp;offset=4"' in first
    middle = get_page(client, "/?limit=4&offset=4")
    assert 'rel="next"' in middle and 'rel="prev"' in middle
    assert "No stories match" in get_page(client, "/?outlet=nobody-at-all")


@pytest.mark.parametrize("query", ["?limit=0", "?limit=x", "?offset=-3", "?since=tomorrow"])
def test_timeline_bad_queries_are_422_pages(client: TestClient, query: str) -> None:
    page = get_page(client, "/" + query, status=422)
    assert 'class="error"' in page


def test_story_page_shows_the_graph_with_the_original_marked(client: TestClient) -> None:
    page = get_page(client, "/stories/s-003")
    parsed = assert_inert(page)
    assert "svg" in parsed.tags
    assert '<g class="node original" data-article="003">' in page
    assert '<g class="node" data-article="004">' in page
    assert 'marker-end="url(#nt-arrow-' in page
    assert 'href="/pair/003/004"' in page
    titles = page.count("<title>")
    assert titles >= 4  # page title, two nodes, one edge
    assert "003 → 004 (original → copy)" in page


def test_story_page_unknown_is_404_page(client: TestClient) -> None:
    page = get_page(client, "/stories/s-missing", status=404)
    assert "s-missing" in page and 'class="error"' in page


def test_pair_page_highlights_changes_on_both_sides(client: TestClient) -> None:
    page = get_page(client, "/pair/000/001")
    parsed = assert_inert(page)
    assert "del" in parsed.tags and "ins" in parsed.tags
    assert '<del class="chg">' in page and '<ins class="chg">' in page
    assert "stored in the index" in page
    # Either order of the ids works.
    assert '<del class="chg">' in get_page(client, "/pair/001/000")


def test_pair_page_of_unrelated_articles_compares_now(client: TestClient) -> None:
    page = get_page(client, "/pair/002/003")
    assert "computed now" in page
    assert_inert(page)


def test_pair_page_errors(client: TestClient) -> None:
    assert "nope" in get_page(client, "/pair/000/nope", status=404)
    get_page(client, "/pair/000/000", status=422)


def test_check_form_and_answer(client: TestClient, seeds_dir: Path) -> None:
    form = get_page(client, "/check")
    assert '<form class="check" method="post" action="/check">' in form
    response = client.post(
        "/check", data={"text": seed_text(seeds_dir, "004"), "title": "", "outlet": "", "published": ""}
    )
    assert response.status_code == 200
    assert response.headers["content-security-policy"].startswith(CSP)
    page = response.text
    parsed = assert_inert(page)
    assert '<li class="source" data-id="003">' in page
    source_item = page[page.index('<li class="source" data-id="003">') :]
    assert "your text is the copy" in source_item[: source_item.index("</li>")]
    assert "table" in parsed.tags  # the aligned evidence


def test_check_answer_for_a_new_text(client: TestClient) -> None:
    response = client.post("/check", data={"text": "Nothing like this was ever indexed anywhere at all."})
    assert response.status_code == 200
    assert "No indexed article was copied into this text" in response.text


def test_check_form_errors(client: TestClient) -> None:
    response = client.post("/check", data={"text": "   "})
    assert response.status_code == 422 and 'class="error"' in response.text
    response = client.post("/check", data={"text": "Some text.", "published": "soon"})
    assert response.status_code == 422 and "ISO date" in response.text
    response = client.post("/check", json={"text": "Some text."})
    assert response.status_code == 415
    response = client.post(
        "/check", content=b"text=%FF%FE", headers={"content-type": "application/x-www-form-urlencoded"}
    )
    assert response.status_code == 400


def test_check_form_body_limit(make_client: Callable[..., TestClient]) -> None:
    client = make_client(max_body_bytes=500)
    response = client.post("/check", data={"text": "word " * 500})
    assert response.status_code == 413
    assert response.headers["content-type"].startswith("text/html")
    assert "500 bytes" in response.text


def test_unknown_page_is_a_404_page(client: TestClient) -> None:
    page = get_page(client, "/no/such/page", status=404)
    assert_inert(page)


# -- untrusted text -------------------------------------------------------------------------------------
def _pages_with_payload(client: TestClient) -> dict[str, str]:
    story = client.get(f"/api/v1/articles/{quote(XSS_A, safe='')}").json()["story"]
    pages = {
        "timeline": get_page(client, "/"),
        "timeline-filtered": get_page(client, "/?outlet=" + quote(PAYLOAD)),
        "story": get_page(client, f"/stories/{quote(story, safe='')}"),
        "pair": get_page(client, f"/pair/{quote(XSS_A, safe='')}/{quote(XSS_B, safe='')}"),
        "not-found": get_page(client, f"/stories/{quote(PAYLOAD, safe='')}", status=404),
        "bad-query": get_page(client, "/?since=" + quote(PAYLOAD), status=422),
    }
    text = client.get(f"/api/v1/articles/{quote(XSS_A, safe='')}").json()["text"]
    response = client.post(
        "/check", data={"text": text, "title": PAYLOAD, "outlet": PAYLOAD, "published": ""}
    )
    assert response.status_code == 200
    pages["check"] = response.text
    return pages


def test_payloads_are_escaped_on_every_page(client: TestClient) -> None:
    pages = _pages_with_payload(client)
    for name, page in pages.items():
        parsed = assert_inert(page)
        shown = "".join(parsed.text)
        if name not in ("not-found", "bad-query"):
            assert SCRIPT in shown, f"{name}: the payload is shown as text"
    for name in ("timeline", "story", "pair", "check"):
        shown = "".join(parse_html(pages[name]).text)
        assert IMG in shown or "onerror" in shown, name
    # The javascript: URL of XSS_A is never a link; the https one of XSS_B is, escaped.
    assert 'href="javascript:' not in pages["story"]
    assert 'href="https://example.org/?q=&lt;script&gt;"' in pages["story"]
    # Ids with quotes and brackets are escaped in attributes and encoded in URLs.
    assert (
        f'href="/pair/{quote(XSS_A, safe="")}/{quote(XSS_B, safe="")}"'.replace("&", "&amp;")
        in pages["story"]
    )


def test_story_of_three_articles_names_each_copy_once(empty_client: TestClient) -> None:
    sentences = Words(21).sentences(12)
    first, second = [*sentences], [*sentences]
    first[2], second[8] = Words(22).sentence(), Words(23).sentence()
    records = [
        {"id": "o", "text": as_text(sentences), "outlet": "Wire", "published": "2024-03-01"},
        {"id": "c1", "text": as_text(first), "outlet": "Blog", "published": "2024-03-02"},
        {"id": "c2", "text": as_text(second), "outlet": "Site", "published": "2024-03-04"},
    ]
    assert empty_client.post("/api/v1/articles", json=records).status_code == 200
    story = empty_client.get("/api/v1/stories").json()["items"][0]
    assert story["articles"] == ["c1", "c2", "o"] and story["origin"] == "o"
    page = get_page(empty_client, "/stories/" + story["id"])
    assert_inert(page)
    assert page.index('data-article="o"') < page.index('data-article="c1"') < page.index('data-article="c2"')
    assert '<g class="node original" data-article="o">' in page
    rows = {
        row_id: page[page.index(f'<td class="id">{row_id}</td>') :].split("</tr>")[0]
        for row_id in ("o", "c1", "c2")
    }
    assert "<strong>original</strong>" in rows["o"] and " of " not in rows["o"]
    # c1 copies o (and is itself the original of c2: not a role of c1 as a copy).
    assert rows["c1"].count(" of ") == 1 and 'href="/pair/o/c1"' in rows["c1"]
    assert 'href="/pair/o/c2"' in rows["c2"]
    assert page.count('marker-end="url(#nt-arrow-') >= 2
