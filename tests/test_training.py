"""`moocast train`, `models list|promote|rollback` and `forecast` against a real MLflow store in a temp dir."""

import json
from datetime import date
from pathlib import Path

import mlflow
import numpy as np
import pandas as pd
import polars as pl
import pytest
from mlflow.exceptions import MlflowException
from typer.testing import CliRunner

from models.reconciliation import METHODS, coherence_error
from pipelines.cli import app
from pipelines.warehouse import connect


@pytest.fixture
def warehouse(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A warehouse whose panel holds 8 strongly seasonal monthly series of source 'ons'; MLflow under tmp."""
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    monkeypatch.setenv("MOOCAST_MLRUNS", str(tmp_path / "mlruns"))
    rng = np.random.default_rng(5)
    rows = [
        (f"ons|GB|{chr(66 + s)}|ALL|ALL", date(2016 + m // 12, m % 12 + 1, 1),
         float(max(0.0, 50 * (s + 1) * (1 + 0.5 * np.sin(2 * np.pi * m / 12)) + rng.normal(0, 2))))
        for s in range(8) for m in range(84)
    ]  # fmt: skip
    series = pl.DataFrame(rows, schema=["series_id", "ds", "y"], orient="row")
    attributes = pl.DataFrame({"series_id": series["series_id"].unique().sort()}).with_columns(
        freq=pl.lit("M"), region=pl.lit("GB"), region_level=pl.lit("country"),
        sector=pl.col("series_id").str.split("|").list.get(2), sector_scheme=pl.lit("nace"), occupation=pl.lit("ALL"),
        skill=pl.lit("ALL"), skill_group=pl.lit("ALL"), hierarchy_level=pl.lit("sector"), source=pl.lit("ons"),
        route=pl.lit("generated"), unit=pl.lit("vacancies"),
    )  # fmt: skip
    path = tmp_path / "w.duckdb"
    with connect(path) as con:
        for table, frame in (("series", series), ("series_attributes", attributes)):
            con.register("rows", frame.to_arrow())
            con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM rows")
            con.unregister("rows")
    return path


def _json(warehouse: Path, *args: str) -> dict:  # type: ignore[type-arg]
    result = CliRunner().invoke(app, ["--warehouse", str(warehouse), *args])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def test_train_gate_promote_rollback_and_forecast(warehouse: Path) -> None:
    first = _json(warehouse, "train", "--models", "naive", "--horizon", "6", "--json")
    assert first["promoted"] and first["version"] == "1" and first["champion_mase_same_backtest"] is None
    # the seasonal candidate beats the naive champion on the same backtest: promoted
    second = _json(warehouse, "train", "--models", "naive,seasonal_naive", "--horizon", "6", "--json")
    assert second["promoted"] and second["selected_mase"] < second["champion_mase_same_backtest"]
    # the same configuration again only ties the champion: not promoted
    third = _json(warehouse, "train", "--models", "naive,seasonal_naive", "--horizon", "6", "--json")
    assert not third["promoted"] and third["selected_mase"] == pytest.approx(third["champion_mase_same_backtest"])
    aliases = {row["version"]: row["aliases"] for row in _json(warehouse, "models", "list", "--json")}
    assert aliases == {"1": ["previous"], "2": ["champion"], "3": []}

    assert _json(warehouse, "models", "rollback") == {"model": "moocast-ons", "champion": "1", "previous": "2"}
    forecast = _json(warehouse, "forecast", "--horizon", "4", "--json")
    assert (forecast["version"], forecast["series"], forecast["rows"]) == ("1", 8, 32)
    _json(warehouse, "models", "promote", "2")
    assert _json(warehouse, "forecast", "--json")["version"] == "2"
    with connect(warehouse, read_only=True) as con:
        rows = con.sql("SELECT * FROM forecasts").pl()
        stamps = con.execute("SELECT model_name, model_version, count(DISTINCT s.model) FROM backtest_runs "
                             "JOIN backtest_scores s USING (run_id) GROUP BY ALL ORDER BY 2").fetchall()  # fmt: skip
    assert stamps == [("moocast-ons", "1", 2), ("moocast-ons", "2", 3), ("moocast-ons", "3", 3)]  # + selected
    assert rows.height == 8 * 12 and set(rows["model_version"]) == {"2"}
    assert (rows["lo_95"] >= 0).all() and (rows["lo_95"] <= rows["lo_80"]).all()
    assert ((rows["lo_80"] <= rows["yhat"]) & (rows["yhat"] <= rows["hi_80"]) & (rows["hi_80"] <= rows["hi_95"])).all()
    assert rows["ds"].min() == date(2023, 1, 1)
    # the registered model is an ordinary MLflow pyfunc (logged as code): anyone can load it and forecast
    model = mlflow.pyfunc.load_model("models:/moocast-ons@champion")
    steps = model.predict(pd.DataFrame({"h": [3]}))
    assert len(steps) == 8 * 3 and set(steps["series_id"]) == set(rows["series_id"]) and (steps["yhat"] >= 0).all()
    assert len(model.predict([{"h": 2}])) == 8 * 2
    assert model.metadata.signature.inputs.to_dict() == [
        {"type": "object", "properties": {"h": {"type": "long", "required": True}}, "required": True}
    ]
    with pytest.raises(MlflowException):
        model.predict(pd.DataFrame({"h": [0]}))


def test_the_gate_backtests_the_champion_with_the_ensemble_it_was_trained_with(
    warehouse: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pipelines import backtest

    models = "naive,auto_ets,ets_ses,ets_damped"
    first = _json(warehouse, "train", "--models", models, "--horizon", "6", "--json")
    monkeypatch.setattr(backtest, "ENSEMBLE", ["naive", "ets_ses"])  # the code's ensemble changes, as on 2026-12-06
    second = _json(warehouse, "train", "--models", models, "--horizon", "6", "--json")
    assert second["selected_mase"] != pytest.approx(first["selected_mase"])
    assert second["champion_mase_same_backtest"] == pytest.approx(first["selected_mase"])


def test_backtest_of_the_panel_scores_the_lightgbm_as_train_fits_it(warehouse: Path) -> None:
    # both read the series attributes (sector, region, ...) as categoricals, so the same model gets the same score;
    # and both say what reconciling the selected forecasts over the panel's hierarchies gives (what is served)
    total = "ons|GB|ALL|ALL|ALL"  # the 8 sectors' total, as a parent of theirs
    with connect(warehouse) as con:
        con.execute("INSERT INTO series SELECT ?, ds, sum(y) FROM series GROUP BY ds", [total])
        con.execute("INSERT INTO series_attributes BY NAME SELECT * REPLACE (? AS series_id, 'ALL' AS sector, 'total' "
                    "AS hierarchy_level) FROM series_attributes LIMIT 1", [total])  # fmt: skip
        con.execute("INSERT INTO series_links (hierarchy, parent, child) SELECT 'ons_sectors', ?, series_id "
                    "FROM series_attributes WHERE series_id <> ?", [total, total])  # fmt: skip
    args = ("--models", "naive,lightgbm", "--horizon", "6", "--json")
    backtested = _json(warehouse, "backtest", "--source", "ons", *args)
    trained = _json(warehouse, "train", "--source", "ons", *args)["backtest"]
    assert backtested["models"]["lightgbm"] == pytest.approx(trained["models"]["lightgbm"])
    served = backtested["reconciliation"]
    assert served["nodes"] == 9 and set(served["mase"]) == {"base", "bottom_up", "mint_ols", "mint_wls_struct"}
    assert served["parents_off_their_childrens_dates"] == []
    assert served["mase"] == pytest.approx(trained["reconciliation"]["mase"])
    assert served["method"] == trained["reconciliation"]["method"]


def test_a_total_that_ends_a_month_before_its_sectors_is_added_up_by_date(warehouse: Path) -> None:
    """As the real ONS total does. Reconciled step by step, it would be given its sectors' forecasts of the month
    after; by date, bottom-up gives its first month the sectors' observed month and its later months their
    forecasts of the same months. The backtest and train say so, and the served forecasts add up by date."""
    total = "ons|GB|ALL|ALL|ALL"
    with connect(warehouse) as con:
        con.execute("INSERT INTO series SELECT ?, ds, sum(y) FROM series GROUP BY ds HAVING ds < "
                    "(SELECT max(ds) FROM series)", [total])  # fmt: skip
        con.execute("INSERT INTO series_attributes BY NAME SELECT * REPLACE (? AS series_id, 'ALL' AS sector, 'total' "
                    "AS hierarchy_level) FROM series_attributes LIMIT 1", [total])  # fmt: skip
        con.execute("INSERT INTO series_links (hierarchy, parent, child) SELECT 'ons_sectors', ?, series_id "
                    "FROM series_attributes WHERE series_id <> ?", [total, total])  # fmt: skip
    args = ("--models", "naive,seasonal_naive", "--horizon", "6")
    result = CliRunner().invoke(app, ["--warehouse", str(warehouse), "backtest", "--source", "ons", *args, "--json"])
    assert result.exit_code == 0, result.output
    backtested = json.loads(result.stdout)["reconciliation"]
    trained = _json(warehouse, "train", "--source", "ons", *args, "--json")["backtest"]["reconciliation"]
    assert backtested["mase"] == pytest.approx(trained["mase"])  # polars may sum in another order: the last bits differ
    assert {k: v for k, v in backtested.items() if "mase" not in k} == {
        k: v for k, v in trained.items() if "mase" not in k
    }
    assert trained["nodes"] == 9
    assert trained["method"] == "bottom_up"  # chosen on this backtest; the other methods leave the total as forecast
    assert trained["summed_by_date"] == [total] and trained["parents_off_their_childrens_dates"] == []
    _json(warehouse, "forecast", "--json")
    with connect(warehouse, read_only=True) as con:
        sums = con.sql(
            "SELECT f.ds, any_value(f.yhat) AS total, (SELECT sum(y) FROM series s WHERE s.ds = f.ds AND s.series_id "
            "<> ?) AS observed, (SELECT sum(yhat) FROM forecasts c WHERE c.ds = f.ds AND c.series_id <> ?) AS "
            "forecast FROM forecasts f WHERE f.series_id = ? GROUP BY f.ds ORDER BY f.ds", params=[total, total, total]
        ).fetchall()  # fmt: skip
    assert sums[0][1] == pytest.approx(sums[0][2]) and sums[0][3] is None  # the sectors' observed month
    assert all(total_ == pytest.approx(forecast) for _, total_, _, forecast in sums[1:])


def test_versions_that_did_not_record_their_ensemble_had_the_one_of_their_day() -> None:
    from pipelines.gate import champion_ensemble

    assert champion_ensemble({"models": ["naive", "auto_ets", "lightgbm_direct"]}) == ["auto_ets", "lightgbm_direct"]
    assert champion_ensemble({"models": ["naive", "auto_ets"]}) == []  # one member: each series' choice
    design_3 = ["naive", "auto_ets", "ets_ses", "ets_damped", "lightgbm"]  # trained before the ensemble was recorded
    assert champion_ensemble({"models": design_3}) == ["auto_ets", "ets_ses", "ets_damped"]
    recorded = {"models": ["naive", "auto_ets"], "ensemble": ["auto_ets", "naive"]}
    assert champion_ensemble(recorded) == ["auto_ets", "naive"]


def test_a_champion_this_code_cannot_load_is_a_clear_error(warehouse: Path, tmp_path: Path) -> None:
    _json(warehouse, "train", "--models", "naive", "--horizon", "6", "--json")
    [stored] = (tmp_path / "mlruns").rglob("bundle.pkl")
    stored.write_bytes(b"\x80\x04cmodels.gone\nForecaster\n)\x81.")  # a class of a module since removed
    result = CliRunner().invoke(app, ["--warehouse", str(warehouse), "forecast"])
    assert result.exit_code == 2
    assert "trained by another version of moocast" in result.output and "moocast train --source ons" in result.output


def test_rollback_without_history_and_an_unknown_version_are_clear_errors(warehouse: Path) -> None:
    def models(*args: str) -> tuple[int, str]:
        result = CliRunner().invoke(app, ["--warehouse", str(warehouse), "models", *args])
        return result.exit_code, " ".join(result.output.split())

    assert models("list") == (0, "no version of moocast-ons is registered yet: run `moocast train --source ons`")
    assert models("promote", "3") == (2, "error: moocast-ons has no version 3; it has none yet: run `moocast train "
                                         "--source ons`")  # fmt: skip
    _json(warehouse, "train", "--models", "naive", "--horizon", "6", "--json")
    code, output = models("rollback")
    assert code == 2 and "no @previous version" in output
    assert models("promote", "3") == (2, "error: moocast-ons has no version 3; it has 1")  # before: a traceback
    code, output = models("promote", "abc")
    assert code == 2 and "Invalid value for 'version'" in output


def test_forecasts_are_coherent_over_the_panel_hierarchy(warehouse: Path) -> None:
    """With an all-sectors total and its links in the panel, training chooses a reconciliation on the backtest
    and the served forecasts add up to 1e-6."""
    with connect(warehouse) as con:
        con.execute("INSERT INTO series SELECT 'ons|GB|ALL|ALL|ALL', ds, sum(y) FROM series GROUP BY ds")
        con.execute(
            "INSERT INTO series_attributes SELECT 'ons|GB|ALL|ALL|ALL', freq, region, region_level, 'ALL', 'none', "
            "occupation, skill, skill_group, 'total', source, route, unit FROM series_attributes LIMIT 1"
        )
        con.execute("INSERT INTO series_links (hierarchy, parent, child) SELECT 'ons_sectors', 'ons|GB|ALL|ALL|ALL', "
                    "series_id FROM series_attributes WHERE hierarchy_level = 'sector'")  # fmt: skip
    trained = _json(warehouse, "train", "--models", "seasonal_naive,lightgbm", "--horizon", "6", "--json")
    coherence = trained["backtest"]["reconciliation"]
    assert coherence["nodes"] == 9 and coherence["method"] in METHODS
    assert set(coherence["mase"]) == {"base", *METHODS}
    _json(warehouse, "forecast", "--json")
    with connect(warehouse, read_only=True) as con:
        served = con.sql("SELECT series_id, step, yhat, lo_80 FROM forecasts").pl()
        links = con.sql("SELECT parent, child FROM series_links").pl()
    assert served["series_id"].n_unique() == 9 and coherence_error(served, links) < 1e-6
    assert (served["lo_80"] >= 0).all()


def _split_skills(warehouse: Path) -> None:
    """Skill series s1-s3 made to add up to sector series B and C with share weights (s2 half in each)."""
    b, c = "ons|GB|B|ALL|ALL", "ons|GB|C|ALL|ALL"
    with connect(warehouse) as con:
        con.execute(
            "INSERT INTO series SELECT 'ons|GB|ALL|ALL|s' || k, b.ds, CASE k WHEN 1 THEN 0.6 * b.y "
            "WHEN 2 THEN 0.8 * b.y ELSE c.y - 0.4 * b.y END FROM series b "
            "JOIN series c ON c.ds = b.ds AND c.series_id = ?, range(1, 4) r(k) WHERE b.series_id = ?",
            [c, b],
        )
        con.execute(
            "INSERT INTO series_attributes SELECT 'ons|GB|ALL|ALL|s' || k, freq, region, region_level, 'ALL', "
            "sector_scheme, occupation, 's' || k, 'ALL', 'skill', source, route, unit FROM series_attributes, "
            "range(1, 4) r(k) WHERE series_id = ?",
            [b],
        )


def _split_links(warehouse: Path) -> None:
    """The skills' SPLIT_HIERARCHIES links to B and C, weighted by their shares."""
    b, c = "ons|GB|B|ALL|ALL", "ons|GB|C|ALL|ALL"
    weighted = [(b, "s1", 1.0), (b, "s2", 0.5), (c, "s2", 0.5), (c, "s3", 1.0)]
    with connect(warehouse) as con:
        con.executemany("INSERT INTO series_links VALUES ('ba_skill_x_skill_group', ?, 'ons|GB|ALL|ALL|' || ?, ?)",
                        [list(link) for link in weighted])  # fmt: skip


def _served_and_weighted_links(warehouse: Path) -> tuple[pl.DataFrame, pl.DataFrame]:
    with connect(warehouse, read_only=True) as con:
        served = con.sql("SELECT series_id, step, yhat, lo_80, lo_95 FROM forecasts").pl()
        weighted = con.sql("SELECT parent, child, weight FROM series_links").pl()
    return served, weighted


def test_split_children_are_trained_and_served_coherent_with_their_parents(warehouse: Path) -> None:
    """Skill series under two sector series with share weights (a SPLIT_HIERARCHIES link) are trained like any
    series, scored as served (split from their parents) on the backtest, and their served forecasts add up to
    their parents' with the weights, to 1e-6, with non-negative intervals."""
    _split_skills(warehouse)
    _split_links(warehouse)
    trained = _json(warehouse, "train", "--models", "seasonal_naive,lightgbm", "--horizon", "6", "--json")
    split = trained["backtest"]["reconciliation"]["split"]
    assert trained["backtest"]["series"] == 11 and split["nodes"] == 3
    assert split["mase"]["split"] != split["mase"]["base"]  # the global LightGBM's skills do not add up by themselves
    _json(warehouse, "forecast", "--json")
    served, weighted = _served_and_weighted_links(warehouse)
    assert served["series_id"].n_unique() == 11 and coherence_error(served, weighted) < 1e-6
    assert (served["lo_80"] >= 0).all() and (served["lo_95"] >= 0).all()


def test_a_champion_trained_before_the_split_links_is_split_by_the_panels(warehouse: Path) -> None:
    """Links that arrive after training (a rebuilt panel, or a version from before split hierarchies) still make
    `moocast forecast` split the skills from their groups."""
    _split_skills(warehouse)
    _json(warehouse, "train", "--models", "seasonal_naive,lightgbm", "--horizon", "6", "--json")
    _json(warehouse, "forecast", "--json")
    _split_links(warehouse)
    unsplit, links = _served_and_weighted_links(warehouse)
    assert coherence_error(unsplit, links) > 1e-3
    _json(warehouse, "forecast", "--json")
    served, _ = _served_and_weighted_links(warehouse)
    assert served["series_id"].n_unique() == 11 and coherence_error(served, links) < 1e-6


def test_sector_skill_groups_are_derived_not_trained(warehouse: Path) -> None:
    """Sector x skill-group series (children of a DERIVED_HIERARCHIES link) are left out of training; their
    forecasts are the sector's times their fixed share, so they add up to it."""
    with connect(warehouse) as con:
        for group, share in (("S1", 0.3), ("S2", 0.7)):
            child = f"ons|GB|B|ALL|{group}"
            con.execute("INSERT INTO series SELECT ?, ds, y * ? FROM series WHERE series_id = 'ons|GB|B|ALL|ALL'",
                        [child, share])  # fmt: skip
            con.execute(
                "INSERT INTO series_attributes SELECT ?, freq, region, region_level, sector, sector_scheme, "
                "occupation, skill, ?, 'skill_group', source, route, unit FROM series_attributes "
                "WHERE series_id = 'ons|GB|B|ALL|ALL'",
                [child, group],
            )
            con.execute("INSERT INTO series_links (hierarchy, parent, child) VALUES ('ons_sector_x_skill_group', "
                        "'ons|GB|B|ALL|ALL', ?)", [child])  # fmt: skip
    trained = _json(warehouse, "train", "--models", "naive,seasonal_naive", "--horizon", "6", "--json")
    assert trained["backtest"]["series"] == 8
    assert _json(warehouse, "forecast", "--json")["series"] == 10
    with connect(warehouse, read_only=True) as con:
        served = con.sql("SELECT series_id, step, yhat, lo_80, hi_95, chosen_model FROM forecasts").pl()
        links = con.sql("SELECT parent, child FROM series_links").pl()
    assert coherence_error(served, links) < 1e-9
    parent = served.filter(pl.col("series_id") == "ons|GB|B|ALL|ALL").sort("step")
    child = served.filter(pl.col("series_id") == "ons|GB|B|ALL|S1").sort("step")
    assert child["hi_95"].to_list() == pytest.approx((parent["hi_95"] * 0.3).to_list())
    assert child["chosen_model"].to_list() == parent["chosen_model"].to_list()


def test_train_tells_what_it_is_doing_step_by_step(warehouse: Path) -> None:
    """What `moocast train` shows beside its spinner: each backtest fit, the reconciliation, each final fit, MLflow
    and, once there is a champion, each fit of the gate's backtest; and `moocast forecast`'s steps."""
    from pipelines.settings import Settings
    from pipelines.training import champion_forecasts, train

    steps: list[str] = []
    with connect(warehouse) as con:
        train(con, Settings(warehouse=warehouse), "ons", None, ["naive", "seasonal_naive"], 6, 1, steps.append)
        first = list(steps)
        train(con, Settings(warehouse=warehouse), "ons", None, ["naive"], 6, 1, steps.append)
        forecast_steps: list[str] = []
        champion_forecasts(con, Settings(warehouse=warehouse), "ons", 4, forecast_steps.append)
    backtest = [f"backtest: window {w}, {m}" for w in range(3) for m in ("naive", "seasonal_naive")]
    assert first == [*backtest, "reconciliation: scoring each method on the backtest", "fit on all the data: naive",
                     "fit on all the data: seasonal_naive", "MLflow: logging and registering"]  # fmt: skip
    gate = [f"gate: v1, window {w}, {m}" for w in range(3) for m in ("naive", "seasonal_naive")]
    assert steps[len(first) :][-len(gate) :] == gate
    assert forecast_steps == ["loading version 1", "forecasting 4 periods with version 1", "writing 32 forecasts"]


def test_the_gate_reuses_the_backtest_when_the_champion_has_the_same_configuration(warehouse: Path) -> None:
    """The gate backtests the champion's configuration with the current code on the current panel: with the same
    models, ensemble, horizon and windows that is the new version's own backtest, so it is not run twice."""
    models = ["naive", "auto_ets", "ets_ses", "ets_damped"]
    from pipelines.settings import Settings
    from pipelines.training import train

    with connect(warehouse) as con:
        first = train(con, Settings(warehouse=warehouse), "ons", None, models, 6, 1)
        steps: list[str] = []
        second = train(con, Settings(warehouse=warehouse), "ons", None, models, 6, 1, steps.append)
        third = train(con, Settings(warehouse=warehouse), "ons", None, models[:3], 6, 1)
    assert first["gate_backtest"] is None and second["gate_backtest"].startswith("reused")
    assert not [step for step in steps if step.startswith("gate")] and second["promoted"] is False
    assert second["champion_mase_same_backtest"] == first["selected_mase"] == second["selected_mase"]
    assert third["gate_backtest"] == "rerun" and third["champion_mase_same_backtest"] == first["selected_mase"]


def test_train_logs_what_the_lightgbm_learnt_from(warehouse: Path) -> None:
    trained = _json(warehouse, "train", "--models", "seasonal_naive,lightgbm", "--horizon", "6", "--json")
    run = mlflow.get_run(trained["run_id"])
    features = mlflow.artifacts.load_dict(f"{run.info.artifact_uri}/features.json")
    assert list(features) == ["lightgbm"] and int(run.data.params["lightgbm.features"]) == len(features["lightgbm"])
    names = [row["feature"] for row in features["lightgbm"]]
    assert "lag_12" in names and "sector" in names and features["lightgbm"][0]["gain"] > 0
    by_step = mlflow.artifacts.load_dict(f"{run.info.artifact_uri}/backtest_by_step.json")
    assert by_step == trained["backtest"]["by_step"] and [s["step"] for s in by_step["lightgbm"]] == list(range(1, 7))
