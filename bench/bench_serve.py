"""Bounded load benchmark of the HTTP server, on loopback only.

    python bench/bench_serve.py                          # 5k articles, 50 clients, 60 s, lexical mode
    python bench/bench_serve.py --n 1000 --duration 10   # a quick run
    python bench/bench_serve.py --mix check=1,stories=2,story=2 --json out/serve.json

Steps: generate a corpus with ``bench/corpus.py`` (cached in ``--data-dir``), index it into a SQLite store
(cached next to it, rebuilt when the relation settings change), start the server in a subprocess on
127.0.0.1 with a random token, then run ``--clients`` concurrent clients for ``--duration`` seconds
against ``POST /api/v1/check``, ``GET /api/v1/stories`` and ``GET /api/v1/stories/{id}``. The clients stop
at the deadline (requests in flight get ``--request-timeout``), the server is stopped, and a markdown
table gives per endpoint: requests, errors, throughput and p50/p99/max latency.

The server only ever listens on, and the clients only ever connect to, 127.0.0.1: there is no option to
point the benchmark anywhere else.
"""

from __future__ import annotations

import argparse
import asyncio
import ipaddress
import json
import os
import platform
import random
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

from corpus import cached_corpus  # noqa: E402 - bench/ is on the path only from here

__all__ = ["main"]

HOST = "127.0.0.1"
ENDPOINTS = ("check", "stories", "story")
_STARTUP_TIMEOUT = 120.0


# ------------------------------------------------------------------------------------- preparation
def ensure_index(corpus_path: Path, *, embeddings: bool, rebuild: bool) -> tuple[Path, float | None]:
    """A store indexing the corpus; returns its path and the seconds spent indexing (None: cached)."""
    from newstrace import Engine
    from newstrace.executors import LocalExecutor
    from newstrace.store import open_store

    engine = Engine(embeddings=embeddings, executor=LocalExecutor())
    mode = "default" if engine.embeddings else "lexical"
    path = corpus_path.with_name(f"{corpus_path.stem}-{mode}.serve.db")
    stamp = path.with_name(path.name + ".settings")
    wanted = engine.settings_ids()["relation"]
    if path.exists() and not rebuild and stamp.exists() and stamp.read_text() == wanted:
        return path, None
    for old in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm"), stamp):
        old.unlink(missing_ok=True)
    read = engine.read([corpus_path])
    started = time.perf_counter()
    store = open_store(path)
    try:
        report = engine.index(read.articles, store)
    finally:
        store.close()
    seconds = time.perf_counter() - started
    stamp.write_text(wanted)
    print(
        f"indexed {len(report.added)} articles ({report.relations} relations) into {path} in {seconds:.1f} s",
        file=sys.stderr,
    )
    return path, seconds


def check_texts(corpus_path: Path, *, count: int, seed: int) -> list[str]:
    """Texts to check: the leading two thirds of random corpus articles (a truncated copy)."""
    lines = corpus_path.read_text(encoding="utf-8").splitlines()
    rng = random.Random(seed)
    out = []
    for line in rng.sample(lines, min(count, len(lines))):
        paragraphs = json.loads(line)["text"].split("\n\n")
        out.append("\n\n".join(paragraphs[: max(1, 2 * len(paragraphs) // 3)]))
    return out


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


# ------------------------------------------------------------------------------------------ server
def serve_worker(store: Path, port: int, embeddings: bool) -> None:
    """The server subprocess: the same app as ``newstrace serve``, without access logs."""
    import uvicorn

    from newstrace import Engine
    from newstrace.executors import LocalExecutor
    from newstrace.server import ServerSettings, create_app
    from newstrace.store import open_store

    engine = Engine(embeddings=embeddings, executor=LocalExecutor(workers=1))
    if engine.embeddings:
        engine.embedder  # noqa: B018  (load the model before serving)
    opened = open_store(store)
    app = create_app(
        engine=engine, store=opened, settings=ServerSettings(allowed_hosts=(HOST,))
    )  # token: $NEWSTRACE_TOKEN
    # A long keep-alive: a pooled connection closed by the server just as a client reuses it would be
    # counted as an error that is a property of the benchmark, not of the server.
    uvicorn.run(
        app,
        host=HOST,
        port=port,
        log_level="warning",
        access_log=False,
        server_header=False,
        timeout_keep_alive=120,
    )


class Server:
    """The server subprocess on 127.0.0.1; stopped with SIGINT (then SIGKILL after a grace period)."""

    def __init__(self, store: Path, *, embeddings: bool, log: Path) -> None:
        self.port = free_port()
        self.token = secrets.token_urlsafe(24)
        self.base_url = f"http://{HOST}:{self.port}"
        command = [sys.executable, __file__, "--_serve", str(store), "--_port", str(self.port)]
        if embeddings:
            command.append("--embeddings")
        env = {**os.environ, "NEWSTRACE_TOKEN": self.token}
        self.log = log.open("w", encoding="utf-8")
        self.process = subprocess.Popen(command, env=env, stdout=self.log, stderr=subprocess.STDOUT)

    def wait_ready(self) -> None:
        import httpx

        deadline = time.monotonic() + _STARTUP_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"the server exited with code {self.process.returncode}; see {self.log.name}"
                )
            try:
                if httpx.get(f"{self.base_url}/openapi.json", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"the server did not answer within {_STARTUP_TIMEOUT:.0f} s; see {self.log.name}")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=15)
        self.log.close()


# ------------------------------------------------------------------------------------------- load
@dataclass
class Stats:
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    statuses: dict[str, int] = field(default_factory=dict)

    def add(self, seconds: float, status: str, ok: bool) -> None:
        self.statuses[status] = self.statuses.get(status, 0) + 1
        if ok:
            self.latencies.append(seconds)
        else:
            self.errors += 1


def percentile(values: Sequence[float], q: float) -> float | None:
    """Nearest-rank percentile (``q`` in [0, 100])."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(q / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


async def run_load(
    base_url: str,
    token: str,
    *,
    clients: int,
    duration: float,
    mix: dict[str, float],
    texts: list[str],
    request_timeout: float,
    seed: int,
) -> tuple[dict[str, Stats], float]:
    import httpx

    host = httpx.URL(base_url).host
    if not ipaddress.ip_address(host).is_loopback:  # defence in depth: HOST is a constant
        raise SystemExit(f"refusing to load a non-loopback address: {host}")
    headers = {"Authorization": f"Bearer {token}"}
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(
        base_url=base_url, headers=headers, limits=limits, timeout=request_timeout, trust_env=False
    ) as client:
        first = await client.get("/api/v1/stories", params={"limit": 200})
        first.raise_for_status()
        story_ids = [s["id"] for s in first.json()["items"]]
        if not story_ids:
            raise RuntimeError("the index has no stories")
        stats = {name: Stats() for name in ENDPOINTS}
        names = [n for n in ENDPOINTS if mix.get(n, 0) > 0]
        weights = [mix[n] for n in names]
        total_stories = first.json()["total"]
        started = time.perf_counter()
        deadline = started + duration

        async def one_client(index: int) -> None:
            rng = random.Random(seed * 1000 + index)
            while time.perf_counter() < deadline:
                name = rng.choices(names, weights)[0]
                t0 = time.perf_counter()
                try:
                    if name == "check":
                        response = await client.post("/api/v1/check", json={"text": rng.choice(texts)})
                    elif name == "stories":
                        offset = rng.randrange(0, max(1, min(total_stories, 2000)))
                        response = await client.get("/api/v1/stories", params={"limit": 20, "offset": offset})
                    else:
                        response = await client.get(f"/api/v1/stories/{rng.choice(story_ids)}")
                    status = str(response.status_code)
                    ok = response.status_code == 200
                except httpx.TimeoutException:
                    status, ok = "timeout", False
                except httpx.TransportError as exc:
                    status, ok = type(exc).__name__, False
                stats[name].add(time.perf_counter() - t0, status, ok)

        await asyncio.wait_for(
            asyncio.gather(*(one_client(i) for i in range(clients))), timeout=duration + request_timeout + 30
        )
        elapsed = time.perf_counter() - started
    return stats, elapsed


# ----------------------------------------------------------------------------------------- report
def _ms(value: float | None) -> str:
    return "—" if value is None else f"{value * 1000:.1f}"


def _ms_value(value: float | None) -> float | None:
    return None if value is None else round(value * 1000, 2)


def table(stats: dict[str, Stats], elapsed: float) -> str:
    rows = [
        "| endpoint | requests | errors | req/s | p50 ms | p99 ms | max ms |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    labels = {
        "check": "POST /api/v1/check",
        "stories": "GET /api/v1/stories",
        "story": "GET /api/v1/stories/{id}",
    }
    for name in ENDPOINTS:
        s = stats[name]
        count = len(s.latencies) + s.errors
        rows.append(
            f"| `{labels[name]}` | {count} | {s.errors} | {count / elapsed:.1f} | {_ms(percentile(s.latencies, 50))} "
            f"| {_ms(percentile(s.latencies, 99))} | {_ms(max(s.latencies, default=None))} |"
        )
    return "\n".join(rows)


def parse_mix(text: str) -> dict[str, float]:
    mix: dict[str, float] = {}
    for part in text.split(","):
        name, _, weight = part.partition("=")
        if name.strip() not in ENDPOINTS or not weight:
            raise argparse.ArgumentTypeError(f"bad --mix part {part!r}; use e.g. check=1,stories=2,story=2")
        mix[name.strip()] = float(weight)
    if not any(w > 0 for w in mix.values()):
        raise argparse.ArgumentTypeError("--mix needs at least one positive weight")
    return mix


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=5000, help="articles in the index (default 5000)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--clients", type=int, default=50, help="concurrent clients (default 50)")
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of load (default 60)")
    parser.add_argument("--mix", type=parse_mix, default=parse_mix("check=1,stories=1,story=1"))
    parser.add_argument("--request-timeout", type=float, default=60.0, help="seconds per request")
    parser.add_argument("--embeddings", action="store_true", help="default mode (loads the embedding model)")
    parser.add_argument("--rebuild", action="store_true", help="rebuild the cached index")
    parser.add_argument("--data-dir", type=Path, default=BENCH / "data")
    parser.add_argument("--json", dest="json_out", type=Path, help="also write the results as JSON here")
    parser.add_argument("--_serve", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--_port", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args._serve is not None:
        serve_worker(args._serve, args._port, args.embeddings)
        return 0
    if args.clients < 1 or args.duration <= 0 or args.n < 10:
        parser.error("--clients must be >= 1, --duration > 0 and --n >= 10")

    corpus_path = cached_corpus(args.n, args.seed, args.data_dir)
    store, index_seconds = ensure_index(corpus_path, embeddings=args.embeddings, rebuild=args.rebuild)
    texts = check_texts(corpus_path, count=200, seed=args.seed)
    server = Server(store, embeddings=args.embeddings, log=args.data_dir / "bench_serve.server.log")
    try:
        server.wait_ready()
        print(
            f"server on {server.base_url}; {args.clients} clients for {args.duration:.0f} s ...",
            file=sys.stderr,
        )
        stats, elapsed = asyncio.run(
            run_load(
                server.base_url,
                server.token,
                clients=args.clients,
                duration=args.duration,
                mix=args.mix,
                texts=texts,
                request_timeout=args.request_timeout,
                seed=args.seed,
            )
        )
    finally:
        server.stop()

    mode = "default (embeddings)" if args.embeddings else "lexical"
    print(
        f"## newstrace serve: {args.n} articles, {mode}, {args.clients} clients, {elapsed:.1f} s\n\n"
        f"{table(stats, elapsed)}\n\n"
        f"Machine: {platform.platform()}, Python {platform.python_version()}, {os.cpu_count()} CPUs. "
        f"Index build: {'cached' if index_seconds is None else f'{index_seconds:.1f} s'}. "
        f"Statuses: {json.dumps({k: v.statuses for k, v in stats.items()})}"
    )
    if args.json_out is not None:
        args.json_out.parent.mkdir(parents=True, exist_ok=True)
        results = {
            name: {
                "requests": len(s.latencies) + s.errors,
                "errors": s.errors,
                "statuses": s.statuses,
                "p50_ms": _ms_value(percentile(s.latencies, 50)),
                "p99_ms": _ms_value(percentile(s.latencies, 99)),
            }
            for name, s in stats.items()
        }
        args.json_out.write_text(
            json.dumps(
                {
                    "n": args.n,
                    "clients": args.clients,
                    "seconds": elapsed,
                    "mode": mode,
                    "endpoints": results,
                },
                indent=1,
            )
        )
    return 0 if all(s.errors == 0 for s in stats.values()) else 1


if __name__ == "__main__":
    raise SystemExit(main())
