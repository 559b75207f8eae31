"""`moocast backtest` on a user's long-format file: JSON scorecard, saved runs, clear errors."""

import json
from datetime import date
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from typer.testing import CliRunner

from pipelines.cli import app
from pipelines.warehouse import connect


def _series_file(path: Path, series: int = 6, months: int = 48) -> Path:
    rng = np.random.default_rng(3)
    rows = [
        (f"s{s}", date(2019 + m // 12, m % 12 + 1, 1).isoformat(),
         round(100 * (s + 1) * (1 + 0.2 * np.sin(2 * np.pi * m / 12)) + rng.normal(0, 5), 2))
        for s in range(series) for m in range(months)
    ]  # fmt: skip
    pl.DataFrame(rows, schema=["series_id", "ds", "y"], orient="row").write_csv(path)
    return path


def test_backtest_a_series_file(tmp_path: Path) -> None:
    warehouse = tmp_path / "w.duckdb"
    series = _series_file(tmp_path / "series.csv")
    result = CliRunner().invoke(
        app, ["--warehouse", str(warehouse), "backtest", "--series", str(series), "--horizon", "6", "--windows", "2",
              "--json"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    scores = json.loads(result.stdout)
    assert {"seasonal_naive", "lightgbm", "prophet", "auto_ets", "ensemble", "selected"} <= set(scores["models"])
    assert (scores["series"], scores["windows"], scores["horizon"], scores["freq"], scores["season"]) == (
        6,
        2,
        6,
        "M",
        12,
    )
    goal, models = scores["goal"], scores["models"]
    assert goal["vs_auto_ets"]["ratio"] == pytest.approx(models["selected"]["mase"] / models["auto_ets"]["mase"])
    assert goal["vs_seasonal_naive"]["ratio"] == pytest.approx(
        models["selected"]["mase"] / models["seasonal_naive"]["mase"]
    )
    assert goal["coverage_80"]["coverage"] == models["selected"]["coverage_80"]
    assert "reconciliation" not in scores  # a file's series have no hierarchies
    assert set(scores["by_step"]) == set(models)
    for model, steps in scores["by_step"].items():  # every series has every step: the steps' mean is the MASE
        assert [s["step"] for s in steps] == list(range(1, 7))
        assert sum(s["mase"] for s in steps) / 6 == pytest.approx(models[model]["mase"])
        assert sum(s["coverage_80"] for s in steps) / 6 == pytest.approx(models[model]["coverage_80"])
    for metrics in scores["models"].values():
        assert set(metrics) == {"mase", "smape", "rmsse", "coverage_80", "coverage_95"}
        assert metrics["mase"] >= 0 and 0 <= metrics["coverage_80"] <= metrics["coverage_95"] <= 1
    with connect(warehouse, read_only=True) as con:
        runs = con.execute("SELECT run_id, horizon, series FROM backtest_runs").fetchall()
        per_series = con.execute("SELECT count(*), count(DISTINCT series_id) FROM backtest_scores").fetchall()[0]
        served = con.sql("SELECT run_id, series_id, step, ds, y, yhat, lo_80, hi_80 FROM backtest_forecasts").pl()
    observed = pl.read_csv(series, try_parse_dates=True)
    assert runs == [(scores["run_id"], 6, 6)]
    assert per_series == (6 * len(scores["models"]), 6)
    # the served forecasts of every series, window and step, with what happened at each date
    assert served.height == 6 * 2 * 6 and served["run_id"].unique().to_list() == [scores["run_id"]]
    happened = served.join(observed, on=["series_id", "ds"], suffix="_observed")
    assert happened.height == served.height and (happened["y"] == happened["y_observed"]).all()
    inside = ((served["y"] >= served["lo_80"]) & (served["y"] <= served["hi_80"])).mean()
    assert inside == pytest.approx(models["selected"]["coverage_80"])


def test_backtest_writes_each_series_scores_and_a_chart(tmp_path: Path) -> None:
    series, scores = _series_file(tmp_path / "series.csv", series=4), tmp_path / "scores.parquet"
    chart = tmp_path / "steps.html"
    result = CliRunner().invoke(
        app, ["--warehouse", str(tmp_path / "w.duckdb"), "backtest", "--series", str(series), "--horizon", "6",
              "--models", "naive,seasonal_naive,auto_ets,ets_ses", "--output", str(scores), "--chart", str(chart),
              "--json"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    summary, per_series = json.loads(result.stdout), pl.read_parquet(scores)
    assert summary["output"] == str(scores) and summary["chart"] == str(chart)
    page = chart.read_text(encoding="utf-8")
    assert "step ahead" in page and all(f'"{m}"' in page for m in summary["models"])
    assert per_series.columns == ["model", "series_id", "mase", "smape", "rmsse", "coverage_80", "coverage_95"]
    assert per_series.height == 4 * len(summary["models"])  # every series, every model (ensemble and selected too)
    for model, metrics in summary["models"].items():  # every series has both windows: the mean of the means
        rows = per_series.filter(pl.col("model") == model)
        assert rows["mase"].mean() == pytest.approx(metrics["mase"])
        assert rows["coverage_80"].mean() == pytest.approx(metrics["coverage_80"])
    text = CliRunner().invoke(
        app, ["--warehouse", str(tmp_path / "w.duckdb"), "backtest", "--series", str(series), "--horizon", "6",
              "--models", "naive", "--output", str(tmp_path / "scores.csv")],
    )  # fmt: skip
    assert text.exit_code == 0 and "rest on 8 errors per step" in " ".join(text.stderr.split())
    assert pl.read_csv(tmp_path / "scores.csv").height == 4 * 2  # naive and selected
    onto_itself = CliRunner().invoke(
        app, ["--warehouse", str(tmp_path / "w.duckdb"), "backtest", "--series", str(series), "--output", str(series)]
    )
    assert onto_itself.exit_code == 2 and "is the file read" in onto_itself.stderr
    assert pl.read_csv(series).columns == ["series_id", "ds", "y"]  # untouched
    # (the first scored window's intervals rest on the 2 calibration windows' errors of 4 series: 8 per step)


def test_the_cli_default_models_are_the_library_defaults() -> None:
    from pipelines import backtest, cli_backtest

    assert cli_backtest.DEFAULT_MODELS.split(",") == backtest.DEFAULT_MODELS
    others = cli_backtest.OTHER_MODELS.split(", ")
    assert sorted(backtest.DEFAULT_MODELS + others) == sorted(backtest.MODELS)  # --help names every model
    assert set(backtest.DEFAULT_MODELS) <= set(backtest.MODELS) and set(backtest.ENSEMBLE) <= set(backtest.MODELS)


def test_backtest_names_the_bad_line_and_field(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("series_id,ds,y\na,2020-01-01,1\na,2020-02-01,many\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["--warehouse", str(tmp_path / "w.duckdb"), "backtest", "--series", str(path)])
    assert result.exit_code == 1
    assert "bad.csv" in result.output and "line 3" in result.output and "'many'" in result.output


@pytest.mark.parametrize(
    ("line", "text", "message"),
    [
        (6, "s0,2019-06-01,NaN", ", line 6, field 'y': y 'NaN' is not a valid finite number"),
        (6, "s0,2019-06-01,inf", ", line 6, field 'y': y 'inf' is not a valid finite number"),
        (6, "s0,2019-06-01,", ", line 6, field 'y': y is empty"),
        (290, "s0,2019-03-01,4", ", line 290, field 'ds': series 's0' has two values for 2019-03-01 (lines 4 and 290)"),
        (6, "s0,2019-06-15,4", ", line 6, field 'ds': series 's0' has 2019-06-15 off its period grid at frequency M"),
        (2, None, ": has no rows"),
        (6, "s0,01/06/2019,4", ", line 6, field 'ds': ds '01/06/2019' is not a valid date (YYYY-MM-DD)"),
    ],
)
def test_backtest_names_the_line_and_field_of_bad_values(
    tmp_path: Path, line: int, text: str | None, message: str
) -> None:
    """Non-finite and empty values, a date given twice, a date off its series' monthly grid, a file without rows
    (`text` replaces line `line` of a good file, or is added as that line; None cuts the file there)."""
    path = _series_file(tmp_path / "series.csv")
    lines = path.read_text().splitlines()
    lines = lines[: line - 1] if text is None else [*lines[: line - 1], text, *lines[line:]]
    path.write_text("\n".join(lines) + "\n")
    args = ["--warehouse", str(tmp_path / "w.duckdb"), "backtest", "--series", str(path), "--models", "naive"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 1
    assert f"{path}{message}" in " ".join(result.output.split())


def test_timestamps_and_typed_parquet_columns_read_as_their_dates(tmp_path: Path) -> None:
    """pandas writes ds as datetime64 (and y may be integers); a CSV may give times at midnight: the same series."""
    plain = _series_file(tmp_path / "series.csv", months=60)
    frame = pl.read_csv(plain, try_parse_dates=True)
    frame.with_columns(pl.col("ds").cast(pl.Datetime("ns")), pl.col("y").round(0).cast(pl.Int64)).write_parquet(
        tmp_path / "typed.parquet"
    )
    frame.with_columns(pl.col("y").round(0)).write_csv(tmp_path / "rounded.csv")
    frame.with_columns(pl.col("ds").dt.strftime("%Y-%m-%dT00:00:00")).write_csv(tmp_path / "times.csv")

    def scores(path: Path) -> dict[str, float]:
        """Each model's metric, keyed model.metric (polars may average in another order: compared approximately)."""
        args = ["--warehouse", str(tmp_path / "w.duckdb"), "backtest", "--series", str(path), "--models",
                "naive,seasonal_naive", "--json"]  # fmt: skip
        result = CliRunner().invoke(app, args)
        assert result.exit_code == 0, result.output
        models = json.loads(result.stdout)["models"]
        return {f"{model}.{metric}": value for model, row in models.items() for metric, value in row.items()}

    assert scores(tmp_path / "times.csv") == pytest.approx(scores(plain))
    assert scores(tmp_path / "typed.parquet") == pytest.approx(scores(tmp_path / "rounded.csv"))


def test_a_parquet_file_names_the_row_of_a_date_off_the_grid(tmp_path: Path) -> None:
    frame = pl.read_csv(_series_file(tmp_path / "series.csv"), schema_overrides={"ds": pl.String})
    frame.with_columns(
        ds=pl.when(pl.int_range(pl.len()) == 9).then(pl.lit("2019-10-02")).otherwise("ds")
    ).write_parquet(tmp_path / "series.parquet")
    args = ["--warehouse", str(tmp_path / "w.duckdb"), "backtest", "--series", str(tmp_path / "series.parquet")]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 1
    assert "series.parquet, line 10, field 'ds': series 's0' has 2019-10-02 off its period grid" in " ".join(
        result.output.split()
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["backtest", "--horizon", "0"], "Invalid value for '--horizon'"),
        (["backtest", "--windows", "0"], "Invalid value for '--windows'"),
        (["backtest", "--season", "0"], "Invalid value for '--season'"),
        (["train", "--windows", "0"], "Invalid value for '--windows'"),
        (["forecast", "--horizon", "-1"], "Invalid value for '--horizon'"),
    ],
)
def test_counts_below_one_are_refused_before_any_work(tmp_path: Path, args: list[str], message: str) -> None:
    """Before: --horizon 0 ran the default horizon, --windows 0 failed with "cannot concat empty list"."""
    series = _series_file(tmp_path / "series.csv")
    extra = ["--series", str(series)] if args[0] == "backtest" else []
    result = CliRunner().invoke(app, ["--warehouse", str(tmp_path / "w.duckdb"), *args, *extra])
    assert result.exit_code == 2 and message in result.output
    assert not (tmp_path / "w.duckdb").exists()


def test_a_series_file_that_is_not_there_is_named(tmp_path: Path) -> None:
    args = ["--warehouse", str(tmp_path / "w.duckdb"), "backtest", "--series", str(tmp_path / "nothing.csv")]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2 and "nothing.csv" in result.output and "does not exist" in result.output


def test_backtest_says_what_is_too_short(tmp_path: Path) -> None:
    series = _series_file(tmp_path / "short.csv", series=2, months=10)
    result = CliRunner().invoke(app, ["--warehouse", str(tmp_path / "w.duckdb"), "backtest", "--series", str(series),
                                      "--models", "naive,seasonal_naive"])  # fmt: skip
    assert result.exit_code == 2 and "no series is long enough" in result.output
    assert "the longest has 10: at most a horizon of 1 with 2 scored window(s)" in " ".join(result.output.split())
    again = CliRunner().invoke(app, ["--warehouse", str(tmp_path / "w.duckdb"), "backtest", "--series", str(series),
                                     "--models", "naive,seasonal_naive", "--horizon", "1"])  # fmt: skip
    assert again.exit_code == 0, again.output


def test_backtest_names_a_hole_in_a_series(tmp_path: Path) -> None:
    """A missing month would make the models read the month after it as the month it lacks: refused, naming the
    file, the series and the first missing period; aggregating to a coarser frequency that covers it is fine."""
    path = _series_file(tmp_path / "series.csv")
    lines = path.read_text().splitlines()
    path.write_text("\n".join(line for line in lines if not line.startswith("s2,2020-03-01")) + "\n")
    args = ["--warehouse", str(tmp_path / "w.duckdb"), "backtest", "--series", str(path), "--models", "naive"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2
    assert f"{path}: series 's2' has no value for 2020-03-01 (1 series with holes at frequency M)" in " ".join(
        result.output.split()
    )
    assert CliRunner().invoke(app, [*args, "--freq", "Q", "--horizon", "2"]).exit_code == 0


def test_a_file_that_mixes_frequencies_says_so(tmp_path: Path) -> None:
    """A quarterly series among monthly ones: not a series with holes, a file at two frequencies."""
    path = _series_file(tmp_path / "series.csv")
    quarters = [f"q,{2019 + i // 4}-{3 * (i % 4) + 1:02d}-01,{10 + i}" for i in range(16)]
    path.write_text(path.read_text() + "\n".join(quarters) + "\n")
    args = ["--warehouse", str(tmp_path / "w.duckdb"), "backtest", "--series", str(path), "--models", "naive"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2
    assert f"{path}: series 'q' is at frequency Q, most of the others at M (1 series at another frequency)" in " ".join(
        result.output.split()
    )


def test_backtest_of_a_missing_source_says_what_the_panel_holds(tmp_path: Path) -> None:
    warehouse = tmp_path / "w.duckdb"
    connect(warehouse).close()  # migrated, no panel yet
    result = CliRunner().invoke(app, ["--warehouse", str(warehouse), "backtest", "--source", "reconciled"])
    assert result.exit_code == 2
    assert "no series from 'reconciled' (it holds: nothing)" in " ".join(result.output.split())


def test_the_default_ensemble_is_the_median_of_the_three_exponential_smoothings(tmp_path: Path) -> None:
    from pipelines.backtest import panel_of, run_backtest, series_file

    panel = panel_of(series_file(_series_file(tmp_path / "series.csv", series=3)), None, None, "mean", "series.csv")
    result = run_backtest(panel, ["naive", "auto_ets", "ets_ses", "ets_damped"], h=6, windows=1)
    wide = result.forecasts.pivot(on="model", index=["window", "series_id", "step"], values="yhat")
    members = wide.select(pl.concat_list("auto_ets", "ets_ses", "ets_damped").list.median())
    assert wide.height == 3 * 6 and (wide["ensemble"] - members.to_series()).abs().max() < 1e-9  # type: ignore[operator]
    assert (wide["selected"] == wide["ensemble"]).all()


def test_the_table_ends_with_the_goal_when_its_references_ran(tmp_path: Path) -> None:
    series = _series_file(tmp_path / "series.csv", series=3)
    base = ["--warehouse", str(tmp_path / "w.duckdb"), "backtest", "--series", str(series), "--horizon", "6",
            "--windows", "1", "--models"]  # fmt: skip
    shown = CliRunner().invoke(app, [*base, "seasonal_naive,auto_ets,ets_ses"])
    assert shown.exit_code == 0, shown.output
    line = " ".join(shown.stdout.split())
    assert "x AutoETS (goal <= 0.95:" in line and "x seasonal naive (<= 0.80:" in line
    assert "80% coverage" in line and "(0.73-0.87:" in line
    without = CliRunner().invoke(app, [*base, "naive,auto_ets", "--json"])
    assert without.exit_code == 0 and json.loads(without.stdout)["goal"] is None


def test_the_goal_line_of_series_seasonal_naive_forecasts_exactly(tmp_path: Path) -> None:
    """Series that repeat every 12 months: seasonal naive's MASE is 0, so the goal has no ratio to it (the backtest
    failed with a division by zero before)."""
    months = [date(2018 + m // 12, m % 12 + 1, 1).isoformat() for m in range(48)]
    season = [100.0 + 30 * np.sin(2 * np.pi * m / 12) for m in range(12)]
    rows = [(f"s{s}", ds, (s + 1) * season[m % 12]) for s in range(3) for m, ds in enumerate(months)]
    pl.DataFrame(rows, schema=["series_id", "ds", "y"], orient="row").write_csv(tmp_path / "repeats.csv")
    base = ["--warehouse", str(tmp_path / "w.duckdb"), "backtest", "--series", str(tmp_path / "repeats.csv"),
            "--horizon", "6", "--windows", "1", "--models", "seasonal_naive,auto_ets,naive"]  # fmt: skip
    shown = CliRunner().invoke(app, base)
    assert shown.exit_code == 0, shown.output
    assert "no ratio to seasonal naive, whose MASE is 0 (<= 0.80:" in " ".join(shown.stdout.split())
    scored = CliRunner().invoke(app, [*base, "--json"])
    assert scored.exit_code == 0, scored.output
    goal = json.loads(scored.stdout)["goal"]
    assert (
        goal["vs_seasonal_naive"]["ratio"] is None
        and json.loads(scored.stdout)["models"]["seasonal_naive"]["mase"] == 0
    )
