"""`moocast forecast --series`: forecasts of one's own series file, calibrated on a backtest, written as CSV,
Parquet or JSON, with an HTML chart; and the chart itself on tiny frames."""

import json
import math
from datetime import date
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from pipelines.charts import backtest_chart, forecast_chart
from pipelines.cli import app
from pipelines.series_forecast import FORECAST_COLUMNS


def _seasonal_file(path: Path, series: int = 3, months: int = 60) -> Path:
    """Series that repeat exactly every 12 months: seasonal naive knows their future."""
    rows = [
        (f"s{s}", date(2018 + m // 12, m % 12 + 1, 1).isoformat(),
         round(100 * (s + 1) * (1 + 0.3 * math.sin(2 * math.pi * m / 12)), 3))
        for s in range(series) for m in range(months)
    ]  # fmt: skip
    pl.DataFrame(rows, schema=["series_id", "ds", "y"], orient="row").write_csv(path)
    return path


def _forecast(tmp_path: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["--warehouse", str(tmp_path / "w.duckdb"), "forecast", *args])
    return result.exit_code, result.stdout, result.stderr


def test_forecasts_of_a_file_repeat_a_season_the_backtest_found_exact(tmp_path: Path) -> None:
    series = _seasonal_file(tmp_path / "seasonal.csv")
    output = tmp_path / "out" / "forecasts.csv"
    code, _, stderr = _forecast(tmp_path, "--series", str(series), "--models", "naive,seasonal_naive",
                                "--horizon", "6", "--output", str(output))  # fmt: skip
    assert code == 0, stderr
    forecasts = pl.read_csv(output, try_parse_dates=True)
    observed = pl.read_csv(series, try_parse_dates=True)
    assert forecasts.columns == FORECAST_COLUMNS and forecasts.height == 3 * 6
    assert forecasts["ds"].min() == date(2023, 1, 1) and forecasts["ds"].max() == date(2023, 6, 1)
    assert set(forecasts["model"]) == {"seasonal_naive"}  # chosen on the backtest: no error at all
    year_before = observed.with_columns(pl.col("ds").dt.offset_by("1y"))
    joined = forecasts.join(year_before, on=["series_id", "ds"])
    assert joined.height == 18 and (joined["yhat"] - joined["y"]).abs().max() < 1e-9
    for level in ("80", "95"):  # no error in the backtest: intervals of no width
        assert (joined[f"hi_{level}"] - joined[f"lo_{level}"]).abs().max() < 1e-9
    assert "3 series, 6 periods ahead (2023-01-01 to 2023-06-01)" in stderr and str(output) in stderr
    # few series: the intervals rest on little (3 series x the 4 backtest windows), and it says so
    assert "rest on 12 errors per step" in " ".join(stderr.split())


def test_forecasts_of_a_file_on_stdout_and_as_json(tmp_path: Path) -> None:
    series = _seasonal_file(tmp_path / "seasonal.csv", series=2, months=48)
    noisy = pl.read_csv(series).with_columns(pl.col("y") + pl.int_range(pl.len()).mod(7) * 3.0)
    noisy.write_csv(series)
    code, stdout, stderr = _forecast(tmp_path, "--series", str(series), "--horizon", "3",
                                     "--models", "naive,auto_ets,ets_ses,ets_damped")  # fmt: skip
    assert code == 0, stderr
    as_csv = pl.read_csv(stdout.encode(), try_parse_dates=True)  # stdout is the forecasts alone
    assert as_csv.columns == FORECAST_COLUMNS and as_csv.height == 2 * 3
    assert set(as_csv["model"]) == {"ensemble"}  # the median of the exponential smoothing members
    assert (as_csv["lo_95"] <= as_csv["lo_80"]).all() and (as_csv["lo_80"] <= as_csv["yhat"]).all()
    assert (as_csv["yhat"] <= as_csv["hi_80"]).all() and (as_csv["hi_80"] <= as_csv["hi_95"]).all()
    assert (as_csv["lo_95"] >= 0).all()  # never-negative series get non-negative intervals
    code, stdout, stderr = _forecast(tmp_path, "--series", str(series), "--horizon", "3",
                                     "--models", "naive,auto_ets,ets_ses,ets_damped", "--json")  # fmt: skip
    assert code == 0, stderr
    summary = json.loads(stdout)
    assert (summary["series"], summary["horizon"], summary["freq"], summary["interval_errors"]) == (2, 3, "M", 2 * 4)
    assert summary["backtest"]["models"]["selected"]["mase"] == summary["backtest"]["models"]["ensemble"]["mase"]
    from_json = pl.DataFrame(summary["forecasts"]).with_columns(pl.col("ds").str.to_date())
    assert from_json.select(FORECAST_COLUMNS).equals(as_csv.select(FORECAST_COLUMNS))  # the same run twice
    assert not (tmp_path / "w.duckdb").exists()  # nothing is written to the warehouse


def test_a_series_too_short_for_the_backtest_is_forecast_and_said_to_be_unscored(tmp_path: Path) -> None:
    series = _seasonal_file(tmp_path / "seasonal.csv", series=2)
    short = pl.read_csv(series).filter(pl.col("series_id") == "s0").tail(20).with_columns(series_id=pl.lit("short"))
    pl.concat([pl.read_csv(series), short]).write_csv(series)
    code, stdout, stderr = _forecast(tmp_path, "--series", str(series), "--models", "naive,seasonal_naive",
                                     "--horizon", "6")  # fmt: skip
    assert code == 0, stderr
    forecasts = pl.read_csv(stdout.encode())
    assert forecasts.filter(pl.col("series_id") == "short").height == 6  # 20 months < 4 windows x 6 + 3
    assert "1 series too short for the backtest's windows are forecast too" in " ".join(stderr.split())


def test_forecasts_as_parquet_and_json_files_and_a_chart(tmp_path: Path) -> None:
    series = _seasonal_file(tmp_path / "seasonal.csv")
    parquet, listed, chart = tmp_path / "f.parquet", tmp_path / "f.json", tmp_path / "chart.html"
    common = ["--series", str(series), "--models", "naive,seasonal_naive", "--horizon", "4"]
    code, stdout, stderr = _forecast(tmp_path, *common, "--output", str(parquet), "--chart", str(chart), "--json")
    assert code == 0, stderr
    summary = json.loads(stdout)
    assert summary["output"] == str(parquet) and summary["chart"] == str(chart) and "forecasts" not in summary
    written = pl.read_parquet(parquet)
    assert written.columns == FORECAST_COLUMNS and written.schema["ds"] == pl.Date and written.height == 12
    page = chart.read_text(encoding="utf-8")
    assert "plotly" in page and all(f'"s{i}"' in page for i in range(3))  # offline: plotly.js inside the page
    code, _, stderr = _forecast(tmp_path, *common, "--output", str(listed))
    assert code == 0, stderr
    rows = json.loads(listed.read_text(encoding="utf-8"))
    assert len(rows) == 12 and rows[0]["ds"] == "2023-01-01" and set(rows[0]) == set(FORECAST_COLUMNS)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--output", "{dir}/f.txt"], "give a path ending in .csv, .parquet, .json, .jsonl"),
        (["--chart", "{dir}/chart.png"], "the chart is an HTML page"),
        (["--output", "{series}"], "is the file read"),
        (["--horizon", "40"], "at most a horizon of"),
    ],
)
def test_forecast_series_refuses_what_it_cannot_do(tmp_path: Path, args: list[str], message: str) -> None:
    series = _seasonal_file(tmp_path / "seasonal.csv")
    filled = [a.format(dir=tmp_path, series=series) for a in args]
    code, _, stderr = _forecast(tmp_path, "--series", str(series), "--models", "naive", *filled)
    assert code == 2 and message in " ".join(stderr.split())
    assert series.read_text(encoding="utf-8").startswith("series_id,ds,y")  # untouched


def test_forecast_options_for_a_file_need_one(tmp_path: Path) -> None:
    code, _, stderr = _forecast(tmp_path, "--output", str(tmp_path / "f.csv"), "--models", "naive", "--how", "mean")
    assert code == 2 and "--how, --models, --output go(es) with --series" in " ".join(stderr.split())
    assert not (tmp_path / "w.duckdb").exists()
    series = _seasonal_file(tmp_path / "seasonal.csv")
    code, _, stderr = _forecast(tmp_path, "--series", str(series), "--source", "ba")
    assert code == 2 and "with --series the file's series are forecast" in " ".join(stderr.split())
    result = CliRunner().invoke(app, ["--warehouse", str(tmp_path / "w.duckdb"), "backtest", "--series", str(series),
                                      "--level", "sector"])  # fmt: skip
    assert result.exit_code == 2 and "--level choose(s) the panel's series" in " ".join(result.stderr.split())


def test_forecast_chart_offers_the_largest_series_one_at_a_time() -> None:
    history = pl.DataFrame(
        {"series_id": ["a", "a", "b", "b", "c", "c"], "ds": [date(2020, 1, 1), date(2020, 2, 1)] * 3,
         "y": [1.0, 2.0, 50.0, 40.0, 9.0, 10.0]}
    )  # fmt: skip
    forecasts = pl.DataFrame(
        {"series_id": ["a", "b", "c"], "step": [1] * 3, "ds": [date(2020, 3, 1)] * 3, "yhat": [2.0, 40.0, 10.0],
         "lo_80": [1.0, 30.0, 9.0], "hi_80": [3.0, 50.0, 11.0], "lo_95": [0.0, 20.0, 8.0], "hi_95": [4.0, 60.0, 12.0],
         "model": ["naive"] * 3}
    )  # fmt: skip
    figure = forecast_chart(history, forecasts, "f.csv", limit=2)
    buttons = figure.layout.updatemenus[0].buttons
    assert [b.label for b in buttons] == ["b", "c"]  # by their last value, a left out
    assert len(figure.data) == 2 * 5 and [t.visible for t in figure.data] == [True] * 5 + [False] * 5
    assert buttons[1].args[0]["visible"] == [False] * 5 + [True] * 5
    assert "2 largest of 3 series" in figure.layout.title.text
    observed = next(t for t in figure.data if t.name == "observed")
    assert list(observed.y) == [50.0, 40.0]
    band_95 = figure.data[0]
    assert list(band_95.y) == [60.0, 20.0]  # upper end, then lower end back


def test_backtest_chart_draws_each_model_in_one_colour_in_both_panels() -> None:
    by_step = {
        "naive": [{"step": 1, "mase": 1.0, "coverage_80": 0.9}, {"step": 2, "mase": 2.0, "coverage_80": 0.7}],
        "selected": [{"step": 1, "mase": 0.5, "coverage_80": 0.8}, {"step": 2, "mase": 1.0, "coverage_80": 0.8}],
    }
    figure = backtest_chart(by_step, "b")
    assert [t.name for t in figure.data] == ["selected", "selected", "naive", "naive"]  # by mean MASE
    assert [t.showlegend for t in figure.data] == [True, False, True, False]
    assert figure.data[0].line.color == figure.data[1].line.color != figure.data[2].line.color
    assert list(figure.data[2].y) == [1.0, 2.0] and list(figure.data[3].y) == [0.9, 0.7]
    assert figure.data[0].line.width > figure.data[2].line.width  # selected stands out
