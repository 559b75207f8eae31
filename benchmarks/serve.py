"""`moocast serve` under load: starts the service on a published snapshot and drives it from this process over
loopback with an asyncio HTTP client (aiohttp), bounded in time: requests/s and p50/p99 latency of forecasts
and priorities beside the app's own /health, at 4 and 32 connections, in the same run.

    python benchmarks/serve.py [--serving-dir data/serving] [--seconds 8] [--connections 4 32] [--json]

Forecast requests cycle over every district (`/v1/forecasts?region=<district>&limit=100`, one page of that
district's forecast rows), priority requests over every published list and five pages of each
(`/v1/priorities?provider=<p>&top=20&offset=<k>`). Every answer must be 200, or the run fails.

Two services are measured one after the other: `uncached` (MOOCAST_SERVING_CACHE_MB=0: every request runs its
query) and `cached` (the default: a repeated request is answered from the snapshot's response cache; its
warm-up sends every request of the mix once, so the measured requests are repeats). Goals: the data endpoints
reach at least 0.5x the /health rate, p99 <= 25 ms at 4 connections."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import aiohttp
import numpy as np

ROOT = Path(__file__).resolve().parents[1]


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


async def paths(base: str) -> dict[str, list[str]]:
    """The request mix of each measure, from the snapshot the service serves."""
    async with aiohttp.ClientSession() as session:
        districts = await json_of(session, f"{base}/v1/regions?level=district&limit=1000")
        lists = (await json_of(session, f"{base}/v1/priorities/lists?limit=1000"))["items"]
    forecasts = [f"/v1/forecasts?region={r['code']}&limit=100" for r in districts["items"]]
    priorities = [f"/v1/priorities?provider={row['provider']}&language={row['language_filter']}&region="
                  f"{row['region_filter']}&top=20&offset={offset}" for row in lists
                  for offset in range(0, 100, 20)]  # fmt: skip
    if not forecasts or not priorities:
        raise RuntimeError("the snapshot has no district forecasts or no priority lists to request")
    return {"health": ["/health"], "forecasts": forecasts, "priorities": priorities}


async def measured(base: str, mix: list[str], connections: int, seconds: float, whole_pass: bool) -> dict[str, Any]:
    """`connections` clients, each sending its next request as soon as the previous answer has been read, for
    `seconds`, after a warm-up that is not counted: 1 s, or (`whole_pass`) at least every request of the mix."""
    latencies: list[float] = []
    failures: list[str] = []
    state = {"next": 0, "counting": False}
    connector = aiohttp.TCPConnector(limit=connections, force_close=False)
    async with aiohttp.ClientSession(base, connector=connector) as session:

        async def client(stop_at: float) -> None:
            while time.perf_counter() < stop_at:
                path = mix[state["next"] % len(mix)]
                state["next"] += 1
                began = time.perf_counter()
                async with session.get(path) as response:
                    await response.read()
                    if response.status != 200:
                        failures.append(f"{path}: {response.status}")
                if state["counting"]:
                    latencies.append(time.perf_counter() - began)

        warm = time.perf_counter() + 1.0
        await asyncio.gather(*(client(warm) for _ in range(connections)))
        while whole_pass and state["next"] < len(mix):
            await asyncio.gather(*(client(time.perf_counter() + 0.5) for _ in range(connections)))
        state["counting"] = True
        began = time.perf_counter()
        await asyncio.gather(*(client(began + seconds) for _ in range(connections)))
        elapsed = time.perf_counter() - began
    if failures:
        raise RuntimeError(f"{len(failures)} requests failed, e.g. {failures[:3]}")
    ms = np.array(latencies) * 1000
    return {"requests": len(latencies), "rps": len(latencies) / elapsed, "p50_ms": float(np.percentile(ms, 50)),
            "p99_ms": float(np.percentile(ms, 99))}  # fmt: skip


async def benchmark(base: str, connections: list[int], seconds: float, cached: bool) -> list[dict[str, Any]]:
    mixes = await paths(base)
    rows: list[dict[str, Any]] = []
    for count in connections:
        for name, mix in mixes.items():
            result = await measured(base, mix, count, seconds, cached)
            rows.append({"service": "cached" if cached else "uncached", "endpoint": name, "connections": count,
                         **result})  # fmt: skip
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
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    rows = []
    for cache_mb in (0, None):
        port = free_port()
        server = started(args.serving_dir, port, cache_mb)
        try:
            rows += asyncio.run(benchmark(f"http://127.0.0.1:{port}", args.connections, args.seconds, cache_mb is None))
        finally:
            server.terminate()
            server.wait(timeout=30)
    goals = {
        f"{service}: {goal}": all(test(r) for r in rows if r["service"] == service)
        for service in ("uncached", "cached")
        for goal, test in (("data rate >= 0.5x /health", lambda r: r["ratio_to_health"] >= 0.5),
                           ("p99 <= 25 ms at 4 connections", lambda r: r["connections"] != 4 or r["p99_ms"] <= 25))
    }  # fmt: skip
    if args.json:
        print(json.dumps({"rows": rows, "goals": goals}, indent=2))
        return
    print(f"{'service':9} {'endpoint':11} {'conn':>4} {'requests':>9} {'req/s':>8} {'p50 ms':>7} {'p99 ms':>7} "
          f"{'x health':>8}")  # fmt: skip
    for r in rows:
        print(f"{r['service']:9} {r['endpoint']:11} {r['connections']:>4} {r['requests']:>9,} {r['rps']:>8,.0f} "
              f"{r['p50_ms']:>7.2f} {r['p99_ms']:>7.2f} {r['ratio_to_health']:>8.2f}")  # fmt: skip
    print("goals: " + "; ".join(f"{name} {'met' if met else 'NOT met'}" for name, met in goals.items()))


if __name__ == "__main__":
    main()
