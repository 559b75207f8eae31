"""`moocast serve` under load: starts the service on a published snapshot and drives it from this process over
loopback with an asyncio HTTP client (aiohttp), bounded in time: requests/s and p50/p99 latency of forecasts
and priorities beside the app's own /health, at 4 and 32 connections, in the same run.

    python benchmarks/serve.py [--serving-dir data/serving] [--seconds 8] [--connections 4 32]
                               [--services uncached cached] [--mixes distinct repeated] [--seed 0] [--json]

Mixes: `distinct` (the default) sends mostly distinct requests whose filters are drawn from the snapshot's real
values: forecasts by region, skill group, skill, series, level, sector or source of a real series, with a page
size, page and horizon; priorities of every published list by course level, length and offset. `repeated`
cycles over few URLs (every district's first forecast page, five pages of each list), which a response cache
answers. The `repeats` column is the share of measured requests the service had been sent before (the cache
hit rate at most). Every answer must be 200, or the run fails.

Services: `uncached` (MOOCAST_SERVING_CACHE_MB=0: no response cache) and `cached` (the default cache; with the
repeated mix its warm-up sends every request once, so the measured requests are repeats). Goals: the data
endpoints reach at least 0.5x the /health rate, p99 <= 25 ms at 4 connections."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import aiohttp
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
SERVICES = {"uncached": 0, "cached": None}  # MOOCAST_SERVING_CACHE_MB (None: the default)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def started(serving_dir: Path, port: int, cache_mb: int | None) -> subprocess.Popen[bytes]:
    """`moocast serve` (no access log) in a child process, once it listens."""
    env = {**os.environ, "MOOCAST_SERVING_DIR": str(serving_dir), "PYTHONPATH": str(ROOT)}
    if cache_mb is not None:
        env["MOOCAST_SERVING_CACHE_MB"] = str(cache_mb)
    command = [sys.executable, "-m", "pipelines.cli", "serve", "--port", str(port), "--no-access-log"]
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"moocast serve exited: {process.stderr.read().decode() if process.stderr else ''}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return process
        except OSError:
            time.sleep(0.3)
    process.kill()
    raise RuntimeError("moocast serve did not listen within 90 s")


async def json_of(session: aiohttp.ClientSession, url: str) -> Any:
    async with session.get(url) as response:
        response.raise_for_status()
        return await response.json()


async def repeated_mix(session: aiohttp.ClientSession, base: str) -> dict[str, list[str]]:
    """The same few URLs over and over: every district's first forecast page, five pages of every list."""
    districts = await json_of(session, f"{base}/v1/regions?level=district&limit=1000")
    lists = (await json_of(session, f"{base}/v1/priorities/lists?limit=1000"))["items"]
    forecasts = [f"/v1/forecasts?region={r['code']}&limit=100" for r in districts["items"]]
    priorities = [f"/v1/priorities?provider={row['provider']}&language={row['language_filter']}&region="
                  f"{row['region_filter']}&top=20&offset={offset}" for row in lists
                  for offset in range(0, 100, 20)]  # fmt: skip
    return {"forecasts": forecasts, "priorities": priorities}


def forecast_query(rng: random.Random, series: dict[str, Any]) -> dict[str, Any]:
    """The filters of one forecast request, drawn around a real series: its region, sector, skill, skill group,
    level, source or id in one of the ways the dashboard and API users combine them, a page size and page."""
    pattern = rng.randrange(8)
    chosen = {
        0: ("region",), 1: ("region", "skill_group"), 2: ("skill_group",), 3: ("skill",), 4: ("series_id",),
        5: ("region", "level"), 6: ("region", "sector"), 7: ("skill_group", "source", "level"),
    }[pattern]  # fmt: skip
    query: dict[str, Any] = {name: series["hierarchy_level" if name == "level" else name] for name in chosen}
    # skill=ALL / skill_group=ALL (the totals, accepted since) left out: the mix of the README's serving figures
    query = {name: value for name, value in query.items() if value != "ALL" or name not in ("skill", "skill_group")}
    query = query or {"region": series["region"]}
    limit = rng.choice((10, 20, 50, 100, 200))
    query.update(limit=limit, offset=limit * rng.choice((0, 0, 0, 1, 2)))
    if rng.random() < 0.3:
        query["horizon"] = rng.randint(1, 2)
    return query


async def distinct_mix(session: aiohttp.ClientSession, base: str, seed: int) -> dict[str, list[str]]:
    """Mostly distinct URLs, each with filters drawn from the snapshot's real values (its forecast series, the
    published priority lists), shuffled; a URL occurs once in each mix, so a run repeats one only when it sends
    more requests than the mix holds."""
    rng = random.Random(seed)
    first = await json_of(session, f"{base}/v1/series?limit=1000")
    series: list[dict[str, Any]] = first["items"]
    while len(series) < first["total"]:
        series += (await json_of(session, f"{base}/v1/series?limit=1000&offset={len(series)}"))["items"]
    lists = (await json_of(session, f"{base}/v1/priorities/lists?limit=1000"))["items"]
    forecasts = {"/v1/forecasts?" + urlencode(forecast_query(rng, rng.choice(series))) for _ in range(60_000)}
    priorities = set()
    for _ in range(60_000):
        row, top = rng.choice(lists), rng.choice((5, 10, 20, 50, 100))
        query = {"provider": row["provider"], "language": row["language_filter"], "region": row["region_filter"],
                 "top": top, "offset": rng.randrange(0, row["topics"])}  # fmt: skip
        level = rng.choice((None, "introductory", "intermediate", "advanced"))
        priorities.add("/v1/priorities?" + urlencode(query if level is None else {**query, "level": level}))
    return {"forecasts": rng.sample(sorted(forecasts), len(forecasts)),
            "priorities": rng.sample(sorted(priorities), len(priorities))}  # fmt: skip


async def paths(base: str, mix: str, seed: int) -> dict[str, list[str]]:
    """The requests of each measure, from the snapshot the service serves."""
    async with aiohttp.ClientSession() as session:
        mixes = await (distinct_mix(session, base, seed) if mix == "distinct" else repeated_mix(session, base))
    if not mixes["forecasts"] or not mixes["priorities"]:
        raise RuntimeError("the snapshot has no forecasts or no priority lists to request")
    return {"health": ["/health"], **mixes}


class Mix:
    """One endpoint's requests, sent in order across the measures of a service (a later measure goes on where
    the previous one stopped), and the URLs this service has been sent (`sent`, shared by a service's mixes)."""

    def __init__(self, paths: list[str], sent: set[str]) -> None:
        self.paths = paths
        self.sent = sent
        self.next = 0

    def drawn(self) -> tuple[str, bool]:
        """The next URL and whether the service has been sent it before (its answer may be cached)."""
        path = self.paths[self.next % len(self.paths)]
        self.next += 1
        repeat = path in self.sent
        self.sent.add(path)
        return path, repeat


async def measured(base: str, mix: Mix, connections: int, seconds: float, whole_pass: bool) -> dict[str, Any]:
    """`connections` clients, each sending its next request as soon as the previous answer has been read, for
    `seconds`, after a warm-up that is not counted: 1 s, or (`whole_pass`) at least every request of the mix."""
    latencies: list[float] = []
    repeats = [0]
    failures: list[str] = []
    counting = [False]
    connector = aiohttp.TCPConnector(limit=connections, force_close=False)
    async with aiohttp.ClientSession(base, connector=connector) as session:

        async def client(stop_at: float) -> None:
            while time.perf_counter() < stop_at:
                path, repeat = mix.drawn()
                began = time.perf_counter()
                async with session.get(path) as response:
                    await response.read()
                    if response.status != 200:
                        failures.append(f"{path}: {response.status}")
                if counting[0]:
                    latencies.append(time.perf_counter() - began)
                    repeats[0] += repeat

        warm = time.perf_counter() + 1.0
        await asyncio.gather(*(client(warm) for _ in range(connections)))
        while whole_pass and mix.next < len(mix.paths):
            await asyncio.gather(*(client(time.perf_counter() + 0.5) for _ in range(connections)))
        counting[0] = True
        began = time.perf_counter()
        await asyncio.gather(*(client(began + seconds) for _ in range(connections)))
        elapsed = time.perf_counter() - began
    if failures:
        raise RuntimeError(f"{len(failures)} requests failed, e.g. {failures[:3]}")
    ms = np.array(latencies) * 1000
    return {"requests": len(latencies), "rps": len(latencies) / elapsed, "p50_ms": float(np.percentile(ms, 50)),
            "p99_ms": float(np.percentile(ms, 99)), "repeats": repeats[0] / len(latencies)}  # fmt: skip


async def benchmark(base: str, connections: list[int], seconds: float, cached: bool, mix: str,
                    seed: int) -> list[dict[str, Any]]:  # fmt: skip
    sent: set[str] = set()
    mixes = {name: Mix(paths, sent) for name, paths in (await paths(base, mix, seed)).items()}
    rows: list[dict[str, Any]] = []
    for count in connections:
        for name, requests in mixes.items():
            result = await measured(base, requests, count, seconds, cached and mix == "repeated")
            rows.append({"service": "cached" if cached else "uncached", "mix": mix, "endpoint": name,
                         "connections": count, **result})  # fmt: skip
        health = next(r["rps"] for r in rows if r["endpoint"] == "health" and r["connections"] == count)
        for row in rows:
            if row["connections"] == count:
                row["ratio_to_health"] = row["rps"] / health
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--serving-dir", type=Path, default=Path(os.environ.get("MOOCAST_SERVING_DIR", "data/serving")))
    parser.add_argument("--seconds", type=float, default=8.0, help="Measured seconds per endpoint and concurrency")
    parser.add_argument("--connections", type=int, nargs="+", default=[4, 32])
    parser.add_argument("--services", nargs="+", choices=list(SERVICES), default=list(SERVICES))
    parser.add_argument("--mixes", nargs="+", choices=("distinct", "repeated"), default=["distinct"])
    parser.add_argument("--seed", type=int, default=0, help="Of the distinct mix's draws")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    rows = []
    for service in args.services:
        for mix in args.mixes:
            port = free_port()
            server = started(args.serving_dir, port, SERVICES[service])
            try:
                rows += asyncio.run(benchmark(f"http://127.0.0.1:{port}", args.connections, args.seconds,
                                              service == "cached", mix, args.seed))  # fmt: skip
            finally:
                server.terminate()
                server.wait(timeout=30)
    goals = {
        f"{service} {mix}: {goal}": all(test(r) for r in rows if (r["service"], r["mix"]) == (service, mix))
        for service in args.services
        for mix in args.mixes
        for goal, test in (("data rate >= 0.5x /health", lambda r: r["ratio_to_health"] >= 0.5),
                           ("p99 <= 25 ms at 4 connections", lambda r: r["connections"] != 4 or r["p99_ms"] <= 25))
    }  # fmt: skip
    if args.json:
        print(json.dumps({"rows": rows, "goals": goals}, indent=2))
        return
    print(f"{'service':9} {'mix':9} {'endpoint':11} {'conn':>4} {'requests':>9} {'repeats':>7} {'req/s':>8} "
          f"{'p50 ms':>7} {'p99 ms':>7} {'x health':>8}")  # fmt: skip
    for r in rows:
        print(f"{r['service']:9} {r['mix']:9} {r['endpoint']:11} {r['connections']:>4} {r['requests']:>9,} "
              f"{r['repeats']:>7.0%} {r['rps']:>8,.0f} {r['p50_ms']:>7.2f} {r['p99_ms']:>7.2f} "
              f"{r['ratio_to_health']:>8.2f}")  # fmt: skip
    print("goals: " + "; ".join(f"{name} {'met' if met else 'NOT met'}" for name, met in goals.items()))


if __name__ == "__main__":
    main()
