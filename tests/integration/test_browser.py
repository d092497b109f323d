"""The web UI in a real browser: headless Chromium (Debian's ``chromium`` package) driven by Playwright.

The server runs with uvicorn on 127.0.0.1 (a free port, in a thread) over a new SQLite index; the seed
articles are added through the API (``POST /api/v1/articles``), as a user would. Needs
``pip install playwright`` (the Python package only; no ``playwright install``) and
``apt-get install -y chromium``; skipped otherwise.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"
PAYLOAD = f"{SCRIPT} {IMG}"

pytestmark = pytest.mark.slow

if not CHROMIUM.exists():
    pytest.skip(
        f"no Chromium at {CHROMIUM}: install Debian's browser with 'apt-get install -y chromium'",
        allow_module_level=True,
    )
sync_api = pytest.importorskip(
    "playwright.sync_api", reason="the playwright Python package is missing: pip install playwright"
)
pytest.importorskip("fastapi", reason="the server extra is missing: pip install 'newstrace[server]'")
uvicorn = pytest.importorskip(
    "uvicorn", reason="the server extra is missing: pip install 'newstrace[server]'"
)
httpx = pytest.importorskip("httpx", reason="httpx is missing: pip install httpx")

from newstrace import Engine  # noqa: E402
from newstrace.executors import LocalExecutor  # noqa: E402
from newstrace.server import ServerSettings, create_app  # noqa: E402
from newstrace.store import open_store  # noqa: E402


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _seed_records(seeds_dir: Path) -> list[dict[str, Any]]:
    read = Engine(embeddings=False).read([seeds_dir], manifest=seeds_dir / "manifest.jsonl")
    assert not read.skipped
    return [
        {
            "id": a.id,
            "text": a.raw,
            "title": a.title,
            "outlet": a.outlet,
            "published": a.published.isoformat() if a.published else None,
        }
        for a in read.articles
    ]


def _pseudo_sentences(seed: int, n: int) -> list[str]:
    """Sentences of made-up words: shares nothing with the seeds or with other seeds' sentences."""
    rng = random.Random(seed)
    syllables = [c + v for c in "bdfgklmnprstvz" for v in "aeiou"]
    out = []
    for _ in range(n):
        words = ["".join(rng.choices(syllables, k=4)) for _ in range(rng.randint(12, 18))]
        out.append(words[0].capitalize() + " " + " ".join(words[1:]) + ".")
    return out


def _xss_records() -> list[dict[str, Any]]:
    """An article carrying payloads in its title, outlet and text, and a copy of it a day later."""
    sentences = _pseudo_sentences(7, 12)
    sentences[3] = f"The minister said {SCRIPT} and then {IMG} again."
    text = "\n\n".join(" ".join(sentences[i : i + 3]) for i in range(0, len(sentences), 3))
    day = dt.date(2020, 2, 2)
    return [
        {"id": "xss-1", "text": text, "title": PAYLOAD, "outlet": PAYLOAD, "published": day.isoformat()},
        {
            "id": "xss-2",
            "text": text.replace("minister", "official"),
            "title": f"Copy {PAYLOAD}",
            "outlet": f'"><svg onload=alert(1)>{IMG}',
            "published": (day + dt.timedelta(days=1)).isoformat(),
            "url": "javascript:alert(1)",
        },
    ]


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory, seeds_dir: Path) -> Iterator[str]:
    store = open_store(tmp_path_factory.mktemp("browser") / "index.db")
    engine = Engine(embeddings=False, executor=LocalExecutor(workers=1))
    app = create_app(engine=engine, store=store, settings=ServerSettings(token="browser-test"))
    port = _free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", ws="none", lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="uvicorn", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    url = f"http://127.0.0.1:{port}"
    try:
        headers = {"Authorization": "Bearer browser-test"}
        for records in (_seed_records(seeds_dir), _xss_records()):
            response = httpx.post(f"{url}/api/v1/articles", json=records, headers=headers, timeout=120)
            assert response.status_code == 200, response.text
        yield url
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        store.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


class Watch:
    """Dialogs (alert/confirm/prompt), console errors and requests that leave the server."""

    def __init__(self, page: Any, base_url: str) -> None:
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        self.foreign: list[str] = []
        page.on("dialog", self._dialog)
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        page.on(
            "request", lambda r: None if r.url.startswith((base_url, "data:")) else self.foreign.append(r.url)
        )

    def _dialog(self, dialog: Any) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()


@pytest.fixture
def page(browser: Any, base_url: str) -> Iterator[tuple[Any, Watch]]:
    context = browser.new_context(viewport={"width": 1300, "height": 900})
    opened = context.new_page()
    watch = Watch(opened, base_url)
    try:
        yield opened, watch
    finally:
        context.close()
    assert watch.dialogs == [], f"a dialog opened: {watch.dialogs}"
    assert watch.foreign == [], f"requests left the server: {watch.foreign}"


def test_timeline_lists_the_seed_stories(page: tuple[Any, Watch], base_url: str) -> None:
    tab, watch = page
    response = tab.goto(base_url + "/")
    assert response.status == 200
    assert "default-src 'none'" in response.headers["content-security-policy"]
    stories = tab.locator("li.story")
    ids = [stories.nth(i).get_attribute("data-story") for i in range(stories.count())]
    assert {"s-000", "s-002", "s-003"} <= set(ids)
    assert ids.index("s-003") < ids.index("s-000") < ids.index("s-002"), "newest first"
    assert tab.locator("h2.day time").first.get_attribute("datetime") == "2024-11-15"
    # The outlet filter narrows the list.
    tab.fill("input[name=outlet]", "Bloomberg")
    tab.click("form.filter button[type=submit]")
    tab.wait_for_load_state()
    assert [
        tab.locator("li.story").nth(i).get_attribute("data-story")
        for i in range(tab.locator("li.story").count())
    ] == ["s-003"]
    assert watch.errors == []


def test_story_page_shows_the_graph_with_the_original_marked(page: tuple[Any, Watch], base_url: str) -> None:
    tab, watch = page
    tab.goto(base_url + "/")
    tab.click('li.story[data-story="s-003"] a')
    tab.wait_for_load_state()
    assert tab.url.endswith("/stories/s-003")
    graph = tab.locator("svg.graph")
    assert graph.is_visible()
    original = graph.locator('g.node.original[data-article="003"]')
    assert original.is_visible()
    assert "original" in (original.locator("text.badge").text_content() or "").lower()
    assert graph.locator('g.node[data-article="004"]').is_visible()
    assert graph.locator("g.node.original").count() == 1
    edge = graph.locator("g.edge.derived")
    assert edge.count() == 1
    assert "003 → 004" in edge.locator("title").text_content()
    box = original.locator("rect").bounding_box()
    assert box is not None and box["width"] > 100
    assert watch.errors == []


def test_pair_page_highlights_changed_words_on_both_sides(page: tuple[Any, Watch], base_url: str) -> None:
    tab, watch = page
    tab.goto(base_url + "/stories/s-000")
    tab.get_by_role("link", name="side by side").click()
    tab.wait_for_load_state()
    assert tab.url.endswith("/pair/000/001")
    removed, inserted = tab.locator("table.sbs del.chg"), tab.locator("table.sbs ins.chg")
    assert removed.count() > 0 and inserted.count() > 0
    assert removed.first.is_visible() and inserted.first.is_visible()
    for mark in (removed.first, inserted.first):
        colour = mark.evaluate("el => getComputedStyle(el).backgroundColor")
        assert colour not in ("rgba(0, 0, 0, 0)", "transparent"), "changed words are highlighted"
    words = {removed.nth(i).inner_text().strip() for i in range(removed.count())}
    assert words & {"disrupts", "enables", "provide", "particularly", "disapproval"}, words
    assert watch.errors == []


def test_paste_page_names_003_as_the_source_of_004s_text(
    page: tuple[Any, Watch], base_url: str, seeds_dir: Path
) -> None:
    tab, watch = page
    (path,) = seeds_dir.glob("004_*.txt")
    tab.goto(base_url + "/check")
    tab.fill("textarea[name=text]", path.read_text(encoding="utf-8"))
    tab.click("form.check button[type=submit]")
    tab.wait_for_load_state()
    source = tab.locator('ol.sources li.source[data-id="003"]')
    assert source.is_visible()
    assert "your text is the copy" in source.inner_text()
    assert "Bloomberg" in source.inner_text()
    assert tab.locator("section.relation").count() >= 1, "evidence shown"
    assert watch.errors == []


def test_xss_payloads_do_not_run(page: tuple[Any, Watch], base_url: str) -> None:
    tab, watch = page
    stories = httpx.get(
        f"{base_url}/api/v1/stories",
        params={"until": "2020-12-31"},
        headers={"Authorization": "Bearer browser-test"},
        timeout=30,
    ).json()
    (story,) = stories["items"]
    assert set(story["articles"]) == {"xss-1", "xss-2"}
    for path in (
        "/",
        "/?outlet=" + quote(PAYLOAD),
        f"/stories/{quote(story['id'], safe='')}",
        "/pair/xss-1/xss-2",
        "/stories/" + quote(PAYLOAD, safe=""),
    ):
        tab.goto(base_url + path)
        assert tab.locator("img").count() == 0, path
        assert tab.locator("script").count() == 0, path
        assert tab.locator("svg [onload]").count() == 0, path
    tab.goto(base_url + "/stories/" + quote(story["id"], safe=""))
    assert SCRIPT in tab.locator("main").inner_text(), "the payload is shown as text"
    tab.goto(base_url + "/check")
    tab.fill("textarea[name=text]", f"Pasted {PAYLOAD} text that nobody wrote before, with {IMG}.")
    tab.fill("input[name=title]", PAYLOAD)
    tab.click("form.check button[type=submit]")
    tab.wait_for_load_state()
    assert tab.locator("img").count() == 0 and tab.locator("script").count() == 0
    tab.wait_for_timeout(300)
    assert watch.dialogs == []
    # The one expected error is the 404 of the unknown story named by the payload.
    unexpected = [m for m in watch.errors if "status of 404" not in m]
    assert unexpected == [], "no blocked inline script or handler"


def test_json_payloads_stay_json(base_url: str) -> None:
    response = httpx.get(
        f"{base_url}/api/v1/articles/xss-1", headers={"Authorization": "Bearer browser-test"}, timeout=30
    )
    assert response.headers["content-type"].startswith("application/json")
    assert json.loads(response.text)["title"] == PAYLOAD
    assert httpx.get(f"{base_url}/api/v1/articles/xss-1", timeout=30).status_code == 401
    assert shutil.which("chromium") or CHROMIUM.exists()
