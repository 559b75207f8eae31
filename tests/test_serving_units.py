"""Fast checks of the serving pieces that need no published data: the commands' errors, the response cache, the
tables held in memory."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import polars as pl
import pytest
from pydantic import BaseModel, TypeAdapter
from typer.testing import CliRunner

from pipelines.cli import app
from pipelines.publish import _backtest_tables
from serving.reader import ResponseCache, answer_key
from serving.schemas import Page
from serving.tables import Table, ordered, ranks


def test_publish_and_serve_say_what_to_run_first(tmp_path: Path, inputs: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    monkeypatch.setenv("MOOCAST_SERVING_DIR", str(tmp_path / "serving"))
    common = ["--inputs", str(inputs), "--warehouse", str(tmp_path / "w.duckdb")]
    published = CliRunner().invoke(app, [*common, "publish"])
    assert published.exit_code == 2 and "holds no forecasts: run `moocast train`" in published.output
    served = CliRunner().invoke(app, [*common, "serve"])
    assert served.exit_code == 2 and "nothing published" in served.output and "moocast publish" in served.output
    bad_port = CliRunner().invoke(app, [*common, "serve", "--port", "70000"])
    assert bad_port.exit_code == 2


def test_response_cache_keeps_the_recent_within_its_bytes() -> None:
    cache = ResponseCache(max_bytes=10)
    a, b, c = ((body, "application/json", {}) for body in (b"1234", b"5678", b"90ab"))
    cache.put("a", a)
    cache.put("b", b)
    assert cache.get("a") == a  # a is now the most recent
    cache.put("c", c)  # 12 bytes > 10: the least recent (b) goes
    assert (cache.get("a"), cache.get("b"), cache.get("c")) == (a, None, c)
    assert cache.paths == {"a", "b", "c"}
    cache.put("huge", (b"x" * 11, "text/csv", {}))  # larger than the whole cache: not kept, nothing evicted
    assert cache.get("huge") is None and cache.get("a") == a and "huge" not in cache.paths


def test_answer_key_ignores_the_order_of_parameters() -> None:
    assert answer_key("/v1/forecasts", "region=01001&limit=5") == answer_key("/v1/forecasts", "limit=5&region=01001")
    assert answer_key("/v1/forecasts", "region=01001") != answer_key("/v1/forecasts", "region=01002")


class Row(BaseModel):
    code: str
    region: str
    day: date
    value: float
    note: str | None


def frame_of(**columns: list[Any]) -> pl.DataFrame:
    rows = {"code": ["a", "b", "c", "d"], "region": ["0101", "0102", "0201", "0101"],
            "day": [date(2026, 1, d) for d in (1, 2, 3, 4)], "value": [1.5, 2.0, -3.25, 4.0],
            "note": ["x", None, 'say "hi", then go', "y"]}  # fmt: skip
    return pl.DataFrame({**rows, **columns})


def test_table_filters_pages_and_encodes_as_the_model() -> None:
    table = Table(frame_of(), Row, keys=("code", "region"), numbers=("value",))
    assert table.matching({"region": "0101"}).tolist() == [0, 3]
    assert table.matching({"region": "0101", "code": "d"}).tolist() == [3]
    assert table.matching({"region": "0101", "code": "b"}).tolist() == []
    assert table.matching({"region": "9999"}).tolist() == []
    assert table.with_prefix(table.everything(), "region", "01").tolist() == [0, 1, 3]
    page = TypeAdapter(Page[Row]).validate_json(table.page(table.everything(), limit=2, offset=1))
    assert (page.total, page.limit, page.offset) == (4, 2, 1)
    assert page.items == [
        Row(code="b", region="0102", day=date(2026, 1, 2), value=2.0, note=None),
        Row(code="c", region="0201", day=date(2026, 1, 3), value=-3.25, note='say "hi", then go'),
    ]
    exported = list(csv.DictReader(io.StringIO(table.csv(table.matching({"code": "c"}), 10, 0).decode())))
    assert exported == [{"code": "c", "region": "0201", "day": "2026-01-03", "value": "-3.25",
                         "note": 'say "hi", then go'}]  # fmt: skip


def test_table_orders_by_precomputed_ranks() -> None:
    frame = frame_of()
    rank = ranks(frame, ["value", "code"], [True, False])
    assert ordered(np.array([0, 1, 2, 3]), rank).tolist() == [3, 1, 0, 2]  # value descending
    assert ordered(np.array([0, 2]), rank).tolist() == [0, 2]


@pytest.mark.parametrize(("columns", "says"), [
    ({"value": [1.0, None, 2.0, 3.0]}, "Row.value is required but 1 rows"),
    ({"value": [1.0, float("nan"), float("inf"), 3.0]}, "Row.value is required but 2 rows"),
    ({"day": ["2026-01-01"] * 4}, "Row.day"),
    ({"value": ["1.0"] * 4}, "Row.value"),
])  # fmt: skip
def test_table_refuses_columns_that_do_not_fit_the_model(columns: dict[str, list[Any]], says: str) -> None:
    with pytest.raises(ValueError, match=says):
        Table(frame_of(**columns), Row, keys=("code",))


def test_published_backtests_hold_scores_by_step_when_the_run_has_them(tmp_path: Path) -> None:
    scores = {"mase": 1.5, "smape": 0.1, "rmsse": 1.2, "coverage_80": 0.8, "coverage_95": 0.9}
    steps = [{"step": 1, "mase": 1.0, "coverage_80": 0.85, "coverage_95": 0.95},
             {"step": 2, "mase": 2.0, "coverage_80": 0.75, "coverage_95": 0.85}]  # fmt: skip
    runs = [("r1", "moocast-ba", "2", {"models": {"selected": scores}, "by_step": {"selected": steps}}),
            ("r0", "moocast-ons", "1", {"models": {"naive": scores}})]  # fmt: skip  # stored before by_step existed
    with duckdb.connect(str(tmp_path / "snap.duckdb")) as snap:
        snap.execute("CREATE TABLE backtest_runs (run_id VARCHAR, model_name VARCHAR, model_version VARCHAR, "
                     "summary_json VARCHAR)")  # fmt: skip
        snap.executemany("INSERT INTO backtest_runs VALUES (?, ?, ?, ?)", [[*r[:3], json.dumps(r[3])] for r in runs])
        _backtest_tables(snap)
        models = snap.sql("SELECT model_name, model, mase FROM backtest_models ORDER BY model_name").fetchall()
        by_step = snap.sql("SELECT * FROM backtest_steps").pl()
    assert models == [("moocast-ba", "selected", 1.5), ("moocast-ons", "naive", 1.5)]
    assert by_step.to_dicts() == [{"run_id": "r1", "model_name": "moocast-ba", "model_version": "2",
                                   "model": "selected", **row} for row in steps]  # fmt: skip
