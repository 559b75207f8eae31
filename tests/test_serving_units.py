"""Fast checks of the serving pieces that need no published data: the commands' errors, the response cache."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipelines.cli import app
from serving.reader import ResponseCache, answer_key


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
    cache.put("huge", (b"x" * 11, "text/csv", {}))  # larger than the whole cache: not kept, nothing evicted
    assert cache.get("huge") is None and cache.get("a") == a


def test_answer_key_ignores_the_order_of_parameters() -> None:
    assert answer_key("/v1/forecasts", "region=01001&limit=5") == answer_key("/v1/forecasts", "limit=5&region=01001")
    assert answer_key("/v1/forecasts", "region=01001") != answer_key("/v1/forecasts", "region=01002")
