"""The API of `moocast serve`, over HTTP against a real server on a snapshot published from the real inputs
(conftest.published_results): filters, pagination, CSV, 4xx for bad input, the API key, and the switch to a
newly published snapshot under concurrent requests."""

from __future__ import annotations

import csv
import io
import os
import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest
import requests
from pydantic import TypeAdapter

from pipelines.publish import CURRENT, published
from pipelines.retrain import retrain_lock, stages
from pipelines.settings import Settings
from pipelines.warehouse import connect
from serving.schemas import ForecastOut, HistoryOut, Page, PriorityOut, SeriesOut
from tests.serving_server import running_server

KEY = "k3y-of-the-tests-0123456789"


@pytest.fixture(scope="module")
def server(published_results: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    log = tmp_path_factory.mktemp("server") / "serve.log"
    env = {**published_results, "MOOCAST_API_KEY": KEY, "MOOCAST_SERVING_KEEP": "2"}
    with running_server(env, log) as url:
        yield {"url": url, "log": log, "env": env}


def get(server: dict[str, Any], path: str, **params: Any) -> requests.Response:
    return requests.get(server["url"] + path, params=params, timeout=30)


PAGES = {"/v1/forecasts": ForecastOut, "/v1/series": SeriesOut, "/v1/history": HistoryOut,
         "/v1/priorities": PriorityOut}  # fmt: skip


def ok(server: dict[str, Any], path: str, **params: Any) -> Any:
    """The JSON of a 200 answer; a list answered from memory (pre-encoded rows) is validated against its
    response model here, as FastAPI does not validate a Response returned as is."""
    response = get(server, path, **params)
    assert response.status_code == 200, response.text
    if path in PAGES and params.get("format") != "csv":
        TypeAdapter(Page[PAGES[path]]).validate_json(response.content)
    return response.json()


def test_health_docs_and_lists(server: dict[str, Any]) -> None:
    health = ok(server, "/health")
    assert health["status"] == "ok" and health["snapshot"].startswith("results-")
    assert [(m["model_name"], m["model_version"]) for m in health["models"]] == [("moocast-ba", "1")]
    assert {f["kind"] for f in health["freshness"]} == {"taxonomy", "postings", "stats", "courses"}
    assert "/v1/forecasts" in ok(server, "/openapi.json")["paths"]
    assert get(server, "/docs").status_code == 200

    states = ok(server, "/v1/regions", level="state")
    assert [(r["code"], r["label"]) for r in states["items"]] == [("01", "Schleswig-Holstein"), ("02", "Hamburg")]
    assert ok(server, "/v1/regions", q="Flensburg")["items"][0]["code"] == "01001"
    assert [(s["code"], s["label"]) for s in ok(server, "/v1/sectors")["items"]] == [("ALL", "all sectors")]
    lists = ok(server, "/v1/priorities/lists")["items"]
    assert lists[0]["provider"] == "ALL" and {row["provider"] for row in lists} >= {"coursera", "edx"}
    exported = get(server, "/v1/priorities/lists", format="csv").text.splitlines()
    assert exported[0] == "provider,language_filter,region_filter,topics" and len(exported) == len(lists) + 1


def test_forecasts_filters_intervals_pages_and_csv(server: dict[str, Any]) -> None:
    district = ok(server, "/v1/forecasts", region="01001", limit=1000)
    assert district["total"] == len(district["items"]) > 20
    for row in district["items"]:
        assert row["region"] == "01001" and row["region_label"] == "Flensburg, Stadt"
        assert row["lo_95"] <= row["lo_80"] <= row["yhat"] <= row["hi_80"] <= row["hi_95"]
        assert row["model_version"] == "1" and row["chosen_model"] in {"naive", "window_average"}
    group = district["items"][0]["skill_group"]
    one = ok(server, "/v1/forecasts", region="01001", skill_group=group, horizon=1)
    assert one["total"] == 1 and one["items"][0]["step"] == 1 and one["items"][0]["skill_group"] == group
    totals = ok(server, "/v1/forecasts", region="01001", skill_group="ALL", limit=1000)  # every group's sum
    assert totals["total"] > 0 and {row["skill_group"] for row in totals["items"]} == {"ALL"}

    whole = ok(server, "/v1/forecasts", skill_group=group, limit=20)
    second = ok(server, "/v1/forecasts", skill_group=group, limit=10, offset=10)
    assert second["items"] == whole["items"][10:20] and second["total"] == whole["total"]

    exported = get(server, "/v1/forecasts", skill_group=group, limit=20, format="csv")
    assert exported.headers["content-type"].startswith("text/csv")
    assert "attachment" in exported.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert len(rows) == 20 and rows[0]["series_id"] == whole["items"][0]["series_id"]
    again = get(server, "/v1/forecasts", limit=20, format="csv", skill_group=group)  # the cached answer, reordered
    assert (
        again.content == exported.content
        and again.headers["content-disposition"] == exported.headers["content-disposition"]
        and again.headers["content-type"] == exported.headers["content-type"]
    )

    growing = ok(server, "/v1/series", level="skill_group", region="DE", order="growth", limit=30)
    assert growing["total"] == 27
    assert all(r["demand_lo_80"] <= r["demand"] <= r["demand_hi_80"] for r in growing["items"])
    growth = [r["growth"] for r in growing["items"]]
    assert growth == sorted(growth, reverse=True)
    assert all(r["growth_lo_80"] <= r["growth"] <= r["growth_hi_80"] for r in growing["items"])
    within = ok(server, "/v1/series", within="01", level="skill_group", order="demand", min_demand=10, limit=1000)
    demand = [r["demand"] for r in within["items"]]
    assert within["total"] == len(demand) > 0 and demand == sorted(demand, reverse=True) and min(demand) >= 10
    assert all(r["region"].startswith("01") and r["hierarchy_level"] == "skill_group" for r in within["items"])
    history = ok(server, "/v1/history", series_id=growing["items"][0]["series_id"])
    assert history["total"] >= 5 and history["items"][-1]["ds"] == growing["items"][0]["last_ds"]


def test_skills_priorities_gaps_and_backtests(server: dict[str, Any]) -> None:
    python = ok(server, "/v1/skills", q="python")["items"]
    assert python[0]["label"] == "Python (computer programming)" and python[0]["uri"].startswith(
        "http://data.europa.eu/esco/skill/"
    )
    french = ok(server, "/v1/skills", q="programmation", lang="fr")["items"]
    assert french and all(item["lang"] == "fr" and "programmation" in item["matched"].lower() for item in french)
    groups = ok(server, "/v1/skills", q="communic", kind="skill_group")["items"]
    assert groups and all(item["kind"] == "skill_group" for item in groups)

    top = ok(server, "/v1/priorities", top=5)
    assert [row["rank"] for row in top["items"]] == [1, 2, 3, 4, 5] and top["total"] >= 5
    assert all(row["provider"] == "ALL" and row["model_name"] == "moocast-ba" for row in top["items"])
    edx = ok(server, "/v1/priorities", provider="edx", top=3)
    assert [row["provider"] for row in edx["items"]] == ["edx"] * 3
    exported = list(csv.DictReader(io.StringIO(get(server, "/v1/priorities", top=5, format="csv").text)))
    assert [row["topic"] for row in exported] == [row["topic"] for row in top["items"]]

    gaps = ok(server, "/v1/gaps", kind="skill_group", region="02", limit=50)["items"]
    assert gaps and all(g["region"].startswith("02") for g in gaps)
    assert [g["score"] for g in gaps] == sorted((g["score"] for g in gaps), reverse=True)

    card = ok(server, "/v1/backtests")["items"]
    assert {row["model"] for row in card} == {"naive", "window_average", "selected"}
    assert all(row["model_name"] == "moocast-ba" and row["model_version"] == "1" for row in card)
    series_id = ok(server, "/v1/series", region="01001", limit=1)["items"][0]["series_id"]
    per_series = ok(server, "/v1/backtests", series_id=series_id)["items"]
    assert per_series and {row["series_id"] for row in per_series} == {series_id}
    past = ok(server, "/v1/backtests/forecasts", series_id=series_id)["items"]
    observed = {row["ds"]: row["y"] for row in ok(server, "/v1/history", series_id=series_id, limit=1000)["items"]}
    assert [row["step"] for row in past] == [1, 2]  # the fixture's one scored window of 2 years
    assert all(row["y"] == pytest.approx(observed[row["ds"]]) for row in past)  # what happened, at its date
    assert all(row["lo_95"] <= row["lo_80"] <= row["yhat"] <= row["hi_80"] <= row["hi_95"] for row in past)
    selected = next(row for row in per_series if row["model"] == "selected")
    inside = sum(row["lo_80"] <= row["y"] <= row["hi_80"] for row in past) / len(past)
    assert inside == pytest.approx(selected["coverage_80"])  # the series' scorecard is of these forecasts

    steps = ok(server, "/v1/backtests/steps", model_name="moocast-ba")["items"]
    assert {row["model"] for row in steps} == {row["model"] for row in card}
    for row in card:  # the steps' mean is the candidate's MASE (every step has one error per series and window)
        its = [s for s in steps if s["model"] == row["model"]]
        assert [s["step"] for s in its] == [1, 2]  # BA: annual, a horizon of 2 years
        assert sum(s["mase"] for s in its) / len(its) == pytest.approx(row["mase"], rel=1e-9)
        assert all(0 <= s["coverage_80"] <= s["coverage_95"] <= 1 for s in its)
    chosen = ok(server, "/v1/backtests/steps", model="selected")["items"]
    assert chosen == [s for s in steps if s["model"] == "selected"]


@pytest.mark.parametrize(("path", "params", "status", "says"), [
    ("/v1/forecasts", {"region": "99999"}, 404, "unknown region '99999': see /v1/regions"),
    ("/v1/forecasts", {"skill": "http://example.org/x"}, 404, "see /v1/skills"),
    ("/v1/forecasts", {"sector": "'; DROP TABLE forecasts; --"}, 404, "unknown sector"),
    ("/v1/series", {"level": "galaxy"}, 404, "unknown level"),
    ("/v1/history", {"series_id": "nope"}, 404, "unknown series id"),
    ("/v1/priorities", {"provider": "nobody"}, 404, "the published lists are: provider=ALL"),
    ("/v1/gaps", {"uri": "x"}, 404, "unknown skill or skill group"),
    ("/v1/backtests", {"model_name": "moocast-xx"}, 404, "unknown model"),
    ("/v1/backtests/steps", {"model": "oracle"}, 404, "unknown candidate 'oracle': see /v1/backtests"),
    ("/v1/backtests/forecasts", {"series_id": "nope"}, 404, "unknown series id 'nope': see /v1/series"),
    ("/v1/backtests/forecasts", {}, 422, "series_id"),
    ("/v1/skills", {"q": "python", "lang": "xx"}, 404, "unknown language"),
    ("/v1/forecasts", {"limit": 0}, 422, "greater than or equal to 1"),
    ("/v1/forecasts", {"limit": 5000}, 422, "less than or equal to 1000"),
    ("/v1/forecasts", {"offset": -1}, 422, "offset"),
    ("/v1/forecasts", {"horizon": "soon"}, 422, "horizon"),
    ("/v1/forecasts", {"colour": "blue"}, 422, "colour"),
    ("/v1/forecasts", {"format": "xlsx"}, 422, "format"),
    ("/v1/skills", {"q": "p"}, 422, "at least 2 characters"),
    ("/v1/skills", {}, 422, "q"),
    ("/v1/regions", {"q": "x" * 500}, 422, "at most 100 characters"),
    ("/v1/priorities", {"top": 10**9}, 422, "top"),
    ("/v1/priorities", {"colour": "blue"}, 422, "colour"),
    ("/v1/priorities/lists", {"limit": 0}, 422, "limit"),
    ("/v1/nothing", {}, 404, "Not Found"),
])  # fmt: skip
def test_bad_input_gets_a_helpful_4xx(server: dict[str, Any], path: str, params: dict[str, Any], status: int,
                                      says: str) -> None:  # fmt: skip
    response = get(server, path, **params)
    assert response.status_code == status and says in response.text, response.text


def test_api_key_guards_feeds_and_admin_and_is_never_shown(server: dict[str, Any]) -> None:
    feed = server["url"] + "/v1/feeds/priorities"
    assert requests.get(feed, params={"provider": "edx"}, timeout=30).status_code == 401
    wrong = requests.get(feed, params={"provider": "edx"}, headers={"X-API-Key": KEY[:-1]}, timeout=30)
    assert wrong.status_code == 401 and "wrong API key" in wrong.text
    good = requests.get(feed, params={"provider": "edx", "top": 2}, headers={"X-API-Key": KEY}, timeout=30)
    assert good.status_code == 200, good.text
    entries = good.json()["items"]
    assert [e["rank"] for e in entries] == [1, 2] and entries[0]["skills"] and entries[0]["explanation"]

    retrain = server["url"] + "/v1/admin/retrain"
    assert requests.post(retrain, headers={"X-API-Key": "guess"}, timeout=30).status_code == 401
    warehouse = Path(server["env"]["MOOCAST_WAREHOUSE"])
    with retrain_lock(warehouse.with_suffix(".retrain.lock")):  # a retrain runs: the key passes, the job waits
        busy = requests.post(retrain, headers={"X-API-Key": KEY}, timeout=30)
    assert busy.status_code == 409 and "another `moocast retrain` holds" in busy.text
    assert KEY not in busy.text + good.text + wrong.text + requests.get(server["url"] + "/openapi.json").text
    time.sleep(0.5)  # let the server flush its log
    assert KEY not in server["log"].read_text()


class Hammered:
    """Four clients querying forecasts, health, priorities and the skill search until the block ends: the
    answers that were not 200, the snapshots /health named, how many requests were answered."""

    def __init__(self, server: dict[str, Any]) -> None:
        self.url = server["url"]
        self.failures: list[str] = []
        self.seen: set[str] = set()
        self.answered = 0
        self.stop = threading.Event()
        self.threads = [threading.Thread(target=self.hammer) for _ in range(4)]

    def hammer(self) -> None:
        with requests.Session() as session:
            while not self.stop.is_set():
                for path, params in (("/v1/forecasts", {"region": "02000", "limit": 50}), ("/health", {}),
                                     ("/v1/priorities", {"top": 10}), ("/v1/skills", {"q": "sales"})):  # fmt: skip
                    response = session.get(self.url + path, params=params, timeout=30)
                    self.answered += 1
                    if response.status_code != 200:
                        self.failures.append(f"{path} {response.status_code} {response.text[:300]}")
                    elif path == "/health":
                        self.seen.add(response.json()["snapshot"])

    def __enter__(self) -> Hammered:
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join()


def settings_of(server: dict[str, Any]) -> Settings:
    env = server["env"]
    return Settings(inputs=Path(env["MOOCAST_INPUTS"]), warehouse=Path(env["MOOCAST_WAREHOUSE"]),
                    serving_dir=Path(env["MOOCAST_SERVING_DIR"]), serving_keep=2)  # fmt: skip


def settled(server: dict[str, Any], settings: Settings) -> str:
    """The snapshot `current` links to, once the service serves it (it opens a new one in the background)."""
    deadline = time.monotonic() + 60
    while (served := ok(server, "/health")["snapshot"]) != os.readlink(settings.serving_dir / CURRENT):
        assert time.monotonic() < deadline, "the service did not switch to the snapshot published last"
        time.sleep(0.2)
    return str(served)


def relinked(folder: Path, name: str) -> None:
    """Point `current` at snapshot `name` atomically, as publish does."""
    (folder / ".current.test").symlink_to(name)
    os.replace(folder / ".current.test", folder / CURRENT)


@pytest.mark.parametrize(("stamp", "breakage", "says"), [
    ("0", "UPDATE forecasts SET yhat = NULL WHERE series_id = ? AND step = 1",
     "ForecastOut.yhat is required but 1 rows of yhat have no value"),
    ("1", "UPDATE meta SET value = '1' WHERE key = 'serving_schema' AND ? IS NOT NULL",
     "has serving schema 1, this service reads 2: an earlier version of moocast published it"),
])  # fmt: skip
def test_a_snapshot_that_does_not_fit_its_model_is_skipped(server: dict[str, Any], stamp: str, breakage: str,
                                                           says: str) -> None:  # fmt: skip
    settings = settings_of(server)
    before = settled(server, settings)
    # sorts oldest: never kept by a prune; a name of its own, as the service does not try a failed one again
    broken = settings.serving_dir / f"results-00000000T00000000000{stamp}.duckdb"
    shutil.copy(settings.serving_dir / before, broken)
    with duckdb.connect(str(broken)) as con:
        series_id = con.execute("SELECT min(series_id) FROM forecasts").fetchall()[0][0]
        con.execute(breakage, [series_id])
    try:
        with Hammered(server) as clients:
            relinked(settings.serving_dir, broken.name)
            time.sleep(3)  # the check interval, and the opening that fails
        assert clients.failures == [] and clients.answered > 20
        assert says in server["log"].read_text()
        assert f"snapshot {broken}" in server["log"].read_text()
        kept = ok(server, "/v1/forecasts", series_id=series_id, horizon=1)["items"]  # validated: yhat is a number
        assert len(kept) == 1 and kept[0]["yhat"] is not None
        assert ok(server, "/health")["snapshot"] == before
    finally:
        relinked(settings.serving_dir, before)
        broken.unlink()


def test_snapshot_switch_under_concurrent_requests(server: dict[str, Any]) -> None:
    before = ok(server, "/health")["snapshot"]
    settings = settings_of(server)
    with Hammered(server) as clients, connect(settings.warehouse) as con:  # the batch job holds the warehouse
        time.sleep(1)
        for _ in range(3):  # each publish switches the service; the third deletes the first snapshot (keep 2)
            published(con, settings)
            time.sleep(1.2)
    assert clients.failures == [] and clients.answered > 50
    after = ok(server, "/health")["snapshot"]
    assert after != before and len(clients.seen) >= 3
    assert len(list(settings.serving_dir.glob("results-*.duckdb"))) == 2 and (settings.serving_dir / after).exists()


def test_admin_retrain_runs_the_job_and_the_service_switches(server: dict[str, Any]) -> None:
    """The key starts the real `moocast retrain` in a child process; it resumes an unfinished run whose stages
    all finished but `publish` (as after a crash), so only its publish stage runs here; the service switches to
    that snapshot while clients query it."""
    settings = settings_of(server)
    names = [name for name, _ in stages(settings)]
    assert names[-1] == "publish"
    with connect(settings.warehouse) as con:
        con.execute("INSERT INTO retrain_runs VALUES ('admin', now(), NULL)")
        for stage in names[:-1]:
            con.execute("INSERT INTO retrain_stages VALUES ('admin', ?, 1.0, '{}', now())", [stage])
    before = settled(server, settings)
    deadline = time.monotonic() + 180
    retrain = server["url"] + "/v1/admin/retrain"
    with Hammered(server) as clients:
        started = requests.post(retrain, headers={"X-API-Key": KEY}, timeout=30)
        assert started.status_code == 202, started.text
        job = started.json()
        assert job["started"] is True and Path(job["log"]).parent == settings.serving_dir
        again = requests.post(retrain, headers={"X-API-Key": KEY}, timeout=30)
        assert again.status_code == 409 and f"pid {job['pid']}" in again.text
        while '"run_id": "admin"' not in (log := Path(job["log"]).read_text()):  # its report: the job is done
            assert time.monotonic() < deadline, log[-3000:]
            time.sleep(0.5)
        fresh = settled(server, settings)
        time.sleep(0.5)
    assert clients.failures == [] and clients.seen >= {before, fresh}
    assert fresh != before and fresh in log  # the snapshot the retrain's publish stage wrote
    assert "retrain admin publish:" in log and "retrain admin train:ba: done before the crash, skipped" in log
    with connect(settings.warehouse, read_only=True) as con:
        finished = con.execute("SELECT finished_at IS NOT NULL FROM retrain_runs WHERE run_id = 'admin'").fetchall()
    assert finished == [(True,)]
