"""Labour-statistics importers: the real BA, ONS and Indeed files (counts reconcile, values as published),
quarantine of bad records with file, line and field, Eurostat TSV and SDMX-CSV, unreadable inputs."""

import gzip
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import polars as pl
import pytest

from pipelines.importers import format_named, format_of, sources_found
from pipelines.ingest import RunReport
from pipelines.orchestrate import ingest_sources
from pipelines.readers import InputError

BA = "stats/ba_germany_vacancies"
ONS = "stats/ons_uk_vacancies_by_industry"
INDEED = "stats/indeed_hiring_lab"


def _ingest(con: duckdb.DuckDBPyConnection, fmt: str, path: Path) -> RunReport:
    report = ingest_sources(con, [(format_named(fmt), path)])[0]
    assert report.rows_read == report.rows_loaded + report.rows_quarantined
    return report


def _one(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any] | None = None) -> Any:
    row = con.execute(sql, params or []).fetchone()
    assert row is not None
    return row[0] if len(row) == 1 else row


def _quarantine(con: duckdb.DuckDBPyConnection) -> set[tuple[str, int, str, str]]:
    rows = con.execute("SELECT file, line, field, reason FROM quarantine").fetchall()
    return {(Path(file).name, line, field, reason) for file, line, field, reason in rows}


def _value(con: duckdb.DuckDBPyConnection, indicator: str, geo: str, cls: str, period: str) -> float:
    return float(
        _one(
            con,
            "SELECT value FROM labour_stats WHERE indicator = ? AND geo_code = ? AND class_code = ? "
            "AND period = ?::DATE",
            [indicator, geo, cls, period],
        )
    )


def test_stats_sources_found(inputs: Path) -> None:
    found = [(fmt.name, path.name) for fmt, path in sources_found(inputs, "stats")]
    assert [p for f, p in found if f == "ba"] == [
        "employees_by_workplace.parquet",
        "jobs.parquet",
        "unemployed_foreigners.parquet",
        "unemployed_total.parquet",
    ]
    assert [p for f, p in found if f == "ons"] == ["vacancy.csv", "vacancy_by_industry.csv"]
    indeed = [p for f, p in found if f == "indeed"]
    assert len(indeed) == 24 and "sector-job-title-examples.csv" not in indeed
    assert [p for f, p in found if f == "indeed_sector_titles"] == ["sector-job-title-examples.csv"]
    assert {f for f, _ in found} == {"ba", "ons", "indeed", "indeed_sector_titles"}
    assert format_of(inputs / BA / "jobs.parquet", "stats").name == "ba"
    assert format_of(inputs / INDEED / "wage_tracker/posted-wage-growth-by-sector.csv.gz", "stats").name == "indeed"


def test_real_ba_files(con: duckdb.DuckDBPyConnection, inputs: Path) -> None:
    expected = {  # rows read, loaded, quarantined; observations per loaded row
        "jobs": (816_060, 814_030, 2_030, 2),
        "unemployed_total": (814_030, 798_766, 15_264, 2),
        "unemployed_foreigners": (814_030, 798_766, 15_264, 2),
        "employees_by_workplace": (4_410_198, 3_777_573, 632_625, 1),
    }
    for name, (read, loaded, quarantined, per_row) in expected.items():
        report = _ingest(con, "ba", inputs / BA / f"{name}.parquet")
        assert (report.rows_read, report.rows_loaded, report.rows_quarantined) == (read, loaded, quarantined)
        assert _one(con, "SELECT count(*) FROM labour_stats WHERE dataset = ?", [name]) == loaded * per_row
    reasons = con.execute(
        "SELECT regexp_extract(file, '(\\w+)\\.parquet', 1), field, reason, count(*) FROM quarantine GROUP BY ALL"
    ).fetchall()
    assert set(reasons) == {
        ("jobs", "geo_code", "required value is missing", 2_030),  # vacancies without a district
        ("unemployed_total", "value", "value not available", 15_264),
        ("unemployed_foreigners", "value", "value not available", 15_264),
        ("employees_by_workplace", "value", "value not available", 632_625),
    }
    jobs = (
        pl.read_parquet(inputs / BA / "jobs.parquet")
        .filter(region="05315", occupational_group="434", year=2019)
        .row(0, named=True)
    )  # Köln, software development
    assert _value(con, "vacancies_total", "05315", "434", "2019-01-01") == pytest.approx(jobs["total"])
    assert _value(con, "vacancies_social_insurance", "05315", "434", "2019-01-01") == pytest.approx(
        jobs["social_insurance"]
    )
    employees = pl.read_parquet(inputs / BA / "employees_by_workplace.parquet").filter(
        region="01001", occupational_group="111", year=2013, type="social insurance", group="women"
    )
    assert _value(con, "employees_social_insurance_women", "01001", "111", "2013-01-01") == employees["n"][0] == 9
    assert _one(con, "SELECT DISTINCT geo_label FROM labour_stats WHERE geo_code = '05315'") == "Köln, Stadt"
    levels = _one(
        con,
        "SELECT list(DISTINCT geo_level), list(DISTINCT class_scheme), list(DISTINCT freq), "
        "count(DISTINCT geo_code), count(DISTINCT class_code), min(length(geo_code)) FROM labour_stats",
    )
    assert levels == (["district"], ["kldb2010"], ["A"], 401, 145, 5)  # 144 groups + unspecified
    unspecified = pl.read_parquet(inputs / BA / "unemployed_total.parquet").filter(
        pl.col("occupational_group").is_null(), region="01001", year=2012
    )["total"][0]
    assert _value(con, "unemployed", "01001", "unspecified", "2012-01-01") == pytest.approx(unspecified)
    assert _ingest(con, "ba", inputs / BA / "jobs.parquet").status == "unchanged"


def _ba_folder(tmp_path: Path) -> Path:
    pl.DataFrame({"code": ["01001", "05315"], "name": ["Flensburg, Stadt", "Köln, Stadt"]}).write_parquet(
        tmp_path / "region_codes.parquet"
    )
    pl.DataFrame(
        {"code": ["111", "434", None], "name": ["Landwirtschaft", "Softwareentwicklung", "ohne Angabe"]}
    ).write_parquet(tmp_path / "occupational_group_codes.parquet")
    return tmp_path


def test_ba_bad_rows_are_quarantined(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    folder = _ba_folder(tmp_path)
    pl.DataFrame(
        {
            "region": [1001, 5315, 99999, 1001, 1001, 1001, 5315],  # integers: leading zeros restored
            "occupational_group": ["111", "434", "111", "999", "111", None, "434"],
            "year": [2020, 2020, 2020, 2020, 2021, 2020, 2020],
            "total": [3.5, 10.0, 1.0, 1.0, -2.0, 4.0, 11.0],
            "social_insurance": [3.0, None, 1.0, 1.0, 1.0, 4.0, 9.0],
        }
    ).write_parquet(folder / "jobs.parquet")
    report = _ingest(con, "ba", folder / "jobs.parquet")
    assert (report.rows_read, report.rows_loaded, report.rows_quarantined) == (7, 3, 4)
    assert _quarantine(con) == {
        ("jobs.parquet", 3, "geo_code", "unknown district code (AGS)"),
        ("jobs.parquet", 4, "class_code", "unknown KldB 2010 occupation group"),
        ("jobs.parquet", 5, "total", "negative value"),
        ("jobs.parquet", 7, "period", "duplicate record: an earlier one has the same geo_code, class_code, period"),
    }
    rows = con.execute(
        "SELECT indicator, geo_code, geo_label, class_code, value, record FROM labour_stats ORDER BY record, indicator"
    ).fetchall()
    assert rows == [
        ("vacancies_social_insurance", "01001", "Flensburg, Stadt", "111", 3.0, 1),
        ("vacancies_total", "01001", "Flensburg, Stadt", "111", 3.5, 1),
        ("vacancies_total", "05315", "Köln, Stadt", "434", 10.0, 2),  # social_insurance empty: no observation
        ("vacancies_social_insurance", "01001", "Flensburg, Stadt", "unspecified", 4.0, 6),
        ("vacancies_total", "01001", "Flensburg, Stadt", "unspecified", 4.0, 6),
    ]


def test_ba_unreadable_inputs(tmp_path: Path) -> None:
    ba = format_named("ba")
    folder = _ba_folder(tmp_path)
    pl.DataFrame({"region": ["01001"], "occupational_group": ["111"], "year": [2020], "count": [1.0]}).write_parquet(
        folder / "odd.parquet"
    )
    with pytest.raises(InputError, match=r"odd\.parquet: not a BA statistics layout"):
        ba.read(folder / "odd.parquet")
    (folder / "broken.parquet").write_bytes(b"PAR1 not really")
    with pytest.raises(InputError, match=r"broken\.parquet: not a readable Parquet file"):
        ba.read(folder / "broken.parquet")
    pl.DataFrame(
        {"region": ["01001"], "occupational_group": ["111"], "year": [2020], "total": [1.0], "women": [0.0]}
    ).write_parquet(folder / "unemployed_total.parquet")
    (folder / "region_codes.parquet").unlink()
    with pytest.raises(InputError, match=r"region_codes\.parquet: code list not found"):
        ba.read(folder / "unemployed_total.parquet")


def test_real_ons_files(con: duckdb.DuckDBPyConnection, inputs: Path) -> None:
    by_industry = _ingest(con, "ons", inputs / ONS / "vacancy_by_industry.csv")
    assert (by_industry.rows_read, by_industry.rows_loaded) == (4770, 4770)
    totals = _ingest(con, "ons", inputs / ONS / "vacancy.csv")
    assert (totals.rows_read, totals.rows_loaded) == (264, 264)
    assert _one(con, "SELECT count(*) FROM labour_stats WHERE dataset = 'vacancy'") == 3 * 264
    # first row "5,2001,B,2.0": April-June 2001 → June 2001; "12,2023" is November 2022-January 2023
    assert _value(con, "vacancies", "GB", "B", "2001-06-01") == 2.0
    assert [
        _value(con, i, "GB", "TOTAL", "2023-01-01") for i in ("vacancies", "unemployment", "unemp_per_vacancy")
    ] == [1138.0, 1253.0, 1.1]
    assert _value(con, "vacancies", "GB", "TOTAL", "2022-12-01") == 1151.0  # "11,2022"
    assert _value(con, "vacancies", "GB", "TOTAL", "2023-02-01") == 1130.0  # "1,2023"
    span = _one(
        con,
        "SELECT count(DISTINCT period), min(period), max(period), list(DISTINCT unit ORDER BY unit) "
        "FROM labour_stats WHERE dataset = 'vacancy'",
    )
    assert span == (264, date(2001, 6, 1), date(2023, 5, 1), ["ratio", "thousand persons", "thousand vacancies"])
    assert _one(con, "SELECT count(DISTINCT class_code) FROM labour_stats WHERE class_scheme = 'sic2007'") == 18


def test_ons_bad_rows_are_quarantined(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    path = tmp_path / "vacancy_by_industry.csv"
    path.write_text(
        "month,year,ind_section,vacancies_by_ind\n"
        "5,2001,B,2.0\n"
        "13,2001,B,2.0\n"  # no month 13
        "6,2001,Z,3.0\n"  # no section Z
        "6,2001,C,n/a\n"  # not a number
        "6,2001,D,\n"  # no value
        "12,2002,c,1.5\n",
        encoding="utf-8",
    )
    report = _ingest(con, "ons", path)
    assert (report.rows_read, report.rows_loaded, report.rows_quarantined) == (6, 2, 4)
    assert {(line, field, reason) for _, line, field, reason in _quarantine(con)} == {
        (3, "period", "cannot parse as a month (1-12) and year"),
        (3, "period", "required value is missing"),
        (4, "class_code", "unknown SIC 2007 section"),
        (5, "vacancies_by_ind", "cannot parse as a number"),
        (6, "value", "value not available"),
    }
    assert con.execute("SELECT class_code, period, value FROM labour_stats ORDER BY record").fetchall() == [
        ("B", date(2001, 6, 1), 2.0),
        ("C", date(2002, 1, 1), 1.5),
    ]


def test_real_indeed_files(con: duckdb.DuckDBPyConnection, inputs: Path) -> None:
    sources = [(fmt, path) for fmt, path in sources_found(inputs, "stats") if fmt.name == "indeed"]
    reports = {
        path.name.split(".")[0]: report for (_, path), report in zip(sources, ingest_sources(con, sources), strict=True)
    }
    assert all(r.rows_read == r.rows_loaded + r.rows_quarantined for r in reports.values())
    assert {name for name, r in reports.items() if r.rows_quarantined} == {"remote_searches"}
    assert reports["remote_searches"].rows_quarantined == 21_176  # every (date, country) repeated until 2026-03
    assert reports["aggregate_job_postings_GB"].rows_read == 4774
    assert _one(con, "SELECT count(*) FROM labour_stats WHERE dataset = 'aggregate_job_postings_GB'") == 2 * 4774
    assert _value(con, "total_postings_index_sa", "GB", "TOTAL", "2020-02-01") == 100.0
    assert _value(con, "total_postings_index_sa", "US-AK", "TOTAL", "2020-02-02") == 99.96
    assert (
        _one(con, "SELECT DISTINCT geo_label || '/' || geo_level FROM labour_stats WHERE geo_code = 'US-AK'")
        == "Alaska/us_state"
    )
    assert _one(con, "SELECT DISTINCT geo_label FROM labour_stats WHERE geo_code = 'UKE'") == "Yorkshire & the Humber"
    assert _one(con, "SELECT count(DISTINCT geo_code) FROM labour_stats WHERE geo_level = 'city'") == 58
    assert (
        _one(
            con,
            "SELECT count(DISTINCT class_code) FROM labour_stats WHERE class_scheme = 'indeed_sector' "
            "AND dataset = 'job_postings_by_sector_GB'",
        )
        == 48
    )
    wage = _one(
        con,
        "SELECT count(*) FILTER (indicator = 'posted_wage_growth_yoy'), "
        "count(*) FILTER (indicator = 'posted_wage_growth_yoy_3moavg'), min(value) < 0 "
        "FROM labour_stats WHERE dataset = 'posted-wage-growth-by-country'",
    )
    assert wage == (968, 946, True)  # the 3-month average is NA in each country's first two months
    ai = _one(
        con,
        "SELECT value, unit, freq FROM labour_stats WHERE indicator = 'ai_share_postings' "
        "AND geo_code = 'AU' AND period = '2019-01-01'",
    )
    assert ai == (pytest.approx(2.31409256370255), "percent", "D")
    assert _one(con, "SELECT geo_level FROM labour_stats WHERE geo_code = 'EA' LIMIT 1") == "country_group"


def test_indeed_bad_rows_are_quarantined(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    path = tmp_path / "aggregate_job_postings_XX.csv.gz"
    path.write_bytes(
        gzip.compress(
            b"date,jobcountry,indeed_job_postings_index_SA,indeed_job_postings_index_NSA,variable\n"
            b"2024-01-01,DE,101.5,99.0,total postings\n"
            b"2024-01-02,DE,101.6,NA,new postings\n"  # NSA not available: loads SA only
            b"2024-02-30,DE,101.7,99.1,total postings\n"  # no such date
            b"2024-01-03,DE,abc,99.2,total postings\n"  # not a number
            b"2024-01-04,DE,101.8,99.3,old postings\n"  # unknown variable
            b"2024-01-05,QQ,101.8,99.3,total postings\n"  # unknown country
            b"2024-01-06,DE,NA,NA,total postings\n"  # nothing available
        )
    )
    report = _ingest(con, "indeed", path)
    assert (report.rows_read, report.rows_loaded, report.rows_quarantined) == (7, 2, 5)
    assert {(line, field, reason) for _, line, field, reason in _quarantine(con)} == {
        (4, "period", "cannot parse as an ISO date (YYYY-MM-DD)"),
        (4, "period", "required value is missing"),
        (5, "indeed_job_postings_index_SA", "cannot parse as a number"),
        (6, "variable", "unknown postings variable"),
        (7, "geo_code", "unknown country code"),
        (8, "value", "value not available"),
    }
    assert con.execute("SELECT indicator, value FROM labour_stats ORDER BY record, indicator").fetchall() == [
        ("total_postings_index_nsa", 99.0),
        ("total_postings_index_sa", 101.5),
        ("new_postings_index_sa", 101.6),
    ]
    wage = tmp_path / "posted-wage-growth-by-country.csv"
    wage.write_text(
        "jobcountry,country,month,n_obs,posted_wage_growth_yoy,posted_wage_growth_yoy_3moavg\n"
        "DE,Germany,Jan-19,100,-0.01,NA\nDE,Germany,Foo-19,100,0.02,0.01\n",
        encoding="utf-8",
    )
    report = _ingest(con, "indeed", wage)
    assert (report.rows_read, report.rows_loaded, report.rows_quarantined) == (2, 1, 1)
    assert _value(con, "posted_wage_growth_yoy", "DE", "TOTAL", "2019-01-01") == -0.01


TSV = (
    "freq,s_adj,nace_r2,indic_em,sizeclas,unit,geo\\TIME_PERIOD\t2023-Q1 \t2023-Q2 \t2023-Q3 \n"
    "Q,NSA,B-S,JOBRATE,GE10,PC,DE\t4.4 \t4.1 p\t3.9 p\n"
    "Q,NSA,C,JOBRATE,GE10,PC,EL\t: \t1.2 \t1.3 e\n"  # EL is Greece
    "Q,NSA,C,JOBVAC,GE10,NR,DE1\t: c\t: c\t: \n"  # nothing available
    "Q,NSA,C,JOBVAC,GE10,NR,DE21\tabc\t12 \t-3 \n"  # not a number, negative
    "Q,NSA,C,JOBVAC,GE10,NR\t1 \t2 \t3 \n"  # a dimension missing
    "Q,NSA,C,JOBVAC,GE10,NR,DE212\t120 \t130 \t140 \n"
    "Q,NSA,B-S,JOBRATE,GE10,PC,DE\t4.4 \t4.1 p\t3.9 p\n"  # repeated series
)


def test_eurostat_tsv(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    path = tmp_path / "estat_jvs_q_nace2.tsv.gz"
    path.write_bytes(gzip.compress(TSV.encode()))
    assert format_of(path, "stats").name == "eurostat_tsv"
    report = _ingest(con, "eurostat_tsv", path)
    assert (report.rows_read, report.rows_loaded, report.rows_quarantined) == (7, 3, 4)
    assert _quarantine(con) == {
        ("estat_jvs_q_nace2.tsv.gz", 4, "value", "value not available"),
        ("estat_jvs_q_nace2.tsv.gz", 5, "2023-Q1", "cannot parse as a number"),
        ("estat_jvs_q_nace2.tsv.gz", 5, "2023-Q3", "negative value"),
        (
            "estat_jvs_q_nace2.tsv.gz",
            6,
            "freq,s_adj,nace_r2,indic_em,sizeclas,unit,geo\\TIME_PERIOD",
            "dimension key does not have 7 codes",
        ),
        ("estat_jvs_q_nace2.tsv.gz", 6, "geo_code", "required value is missing"),
        (
            "estat_jvs_q_nace2.tsv.gz",
            8,
            "freq,s_adj,nace_r2,indic_em,sizeclas,unit,geo\\TIME_PERIOD",
            "duplicate record: an earlier one has the same freq,s_adj,nace_r2,indic_em,sizeclas,unit,geo\\TIME_PERIOD",
        ),
    }
    rows = con.execute(
        "SELECT dataset, indicator, geo_code, geo_level, geo_label, class_code, class_scheme, "
        "period, freq, value, unit, record FROM labour_stats ORDER BY record, period"
    ).fetchall()
    de, gr, nuts3 = (
        ("jvs_q_nace2", "NSA.JOBRATE.GE10", "DE", "country", "Germany", "B-S", "nace"),
        ("jvs_q_nace2", "NSA.JOBRATE.GE10", "GR", "country", "Greece", "C", "nace"),
        ("jvs_q_nace2", "NSA.JOBVAC.GE10", "DE212", "nuts3", None, "C", "nace"),
    )
    assert rows == [  # labour_stats.line is the record number (the quarantine's the physical line)
        (*de, date(2023, 1, 1), "Q", 4.4, "PC", 1),
        (*de, date(2023, 4, 1), "Q", 4.1, "PC", 1),
        (*de, date(2023, 7, 1), "Q", 3.9, "PC", 1),
        (*gr, date(2023, 4, 1), "Q", 1.2, "PC", 2),
        (*gr, date(2023, 7, 1), "Q", 1.3, "PC", 2),
        (*nuts3, date(2023, 1, 1), "Q", 120.0, "NR", 6),
        (*nuts3, date(2023, 4, 1), "Q", 130.0, "NR", 6),
        (*nuts3, date(2023, 7, 1), "Q", 140.0, "NR", 6),
    ]


def test_eurostat_tsv_monthly_annual_and_bad_headers(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    monthly = tmp_path / "une_rt_m.tsv"
    monthly.write_text(
        "s_adj,age,unit,sex,geo\\time\t2024M11 \t2024M12 \n"
        "SA,TOTAL,PC_ACT,T,FR\t7.4 \t7.3 p\nSA,Y25-74,PCH_PRE,T,FR\t-0.1 \t0.2 \n",
        encoding="utf-8",
    )
    report = _ingest(con, "eurostat_tsv", monthly)
    assert (report.rows_read, report.rows_loaded, report.rows_quarantined) == (2, 2, 0)  # PCH_*: a change
    assert _value(con, "SA.TOTAL.T", "FR", "TOTAL", "2024-12-01") == 7.3
    assert _one(con, "SELECT list(DISTINCT freq) FROM labour_stats") == ["M"]
    bad = tmp_path / "bad.tsv"
    bad.write_text("unit,geo\\TIME_PERIOD\t2023 \t2023-S1 \nNR,DE\t1 \t2 \n", encoding="utf-8")
    with pytest.raises(InputError, match=r"bad\.tsv: period column\(s\) not understood: 2023-S1"):
        format_named("eurostat_tsv").read(bad)
    bad.write_text("unit,nace_r2\\TIME_PERIOD\t2023 \nNR,C\t1 \n", encoding="utf-8")
    with pytest.raises(InputError, match=r"bad\.tsv: missing required column\(s\) geo"):
        format_named("eurostat_tsv").read(bad)


SDMX = (
    "DATAFLOW,LAST UPDATE,freq,s_adj,age,unit,sex,geo,TIME_PERIOD,OBS_VALUE,OBS_FLAG\n"
    "ESTAT:UNE_RT_M(1.0),23/01/25 23:00:00,M,SA,TOTAL,PC_ACT,T,DE,2024-10,3.4,\n"
    "ESTAT:UNE_RT_M(1.0),23/01/25 23:00:00,M,SA,TOTAL,PC_ACT,T,DE,2024-11,3.4,p\n"
    "ESTAT:UNE_RT_M(1.0),23/01/25 23:00:00,M,SA,TOTAL,PC_ACT,T,EU27_2020,2024-11,5.9,\n"
    "ESTAT:UNE_RT_M(1.0),23/01/25 23:00:00,M,SA,TOTAL,PC_ACT,T,FR,2024-13,7.4,\n"  # no month 13
    "ESTAT:UNE_RT_M(1.0),23/01/25 23:00:00,M,SA,TOTAL,PC_ACT,T,FR,2024-11,,c\n"  # confidential
    "ESTAT:UNE_RT_M(1.0),23/01/25 23:00:00,Q,SA,TOTAL,PC_ACT,T,FR,2024-10,7.4,\n"  # freq Q, monthly period
    "ESTAT:UNE_RT_M(1.0),23/01/25 23:00:00,M,SA,TOTAL,PC_ACT,T,FR,2024-09,-7.4,\n"  # negative rate
)


def test_eurostat_sdmx_csv(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    path = tmp_path / "une_rt_m.csv"
    path.write_text(SDMX, encoding="utf-8")
    assert format_of(path, "stats").name == "eurostat_sdmx"
    report = _ingest(con, "eurostat_sdmx", path)
    assert (report.rows_read, report.rows_loaded, report.rows_quarantined) == (7, 3, 4)
    assert _quarantine(con) == {
        ("une_rt_m.csv", 5, "period", "cannot parse as a Eurostat period (2023, 2023-Q1, 2023-01)"),
        ("une_rt_m.csv", 5, "period", "required value is missing"),
        ("une_rt_m.csv", 6, "value", "value not available"),
        ("une_rt_m.csv", 7, "TIME_PERIOD", "period does not match freq"),
        ("une_rt_m.csv", 8, "OBS_VALUE", "negative value"),
    }
    rows = con.execute(
        "SELECT source, dataset, indicator, geo_code, geo_level, class_code, class_scheme, period, "
        "freq, value, unit FROM labour_stats ORDER BY record"
    ).fetchall()
    common = ("eurostat", "une_rt_m", "SA.TOTAL.T")
    assert rows == [
        (*common, "DE", "country", "TOTAL", "total", date(2024, 10, 1), "M", 3.4, "PC_ACT"),
        (*common, "DE", "country", "TOTAL", "total", date(2024, 11, 1), "M", 3.4, "PC_ACT"),
        (*common, "EU27_2020", "country_group", "TOTAL", "total", date(2024, 11, 1), "M", 5.9, "PC_ACT"),
    ]


def test_eurostat_sdmx_isco_classes_and_nuts2(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    path = tmp_path / "lfsa_egai2d.csv.gz"
    path.write_bytes(
        gzip.compress(
            b"DATAFLOW,LAST UPDATE,freq,unit,isco08,geo,TIME_PERIOD,OBS_VALUE,OBS_FLAG\n"
            b"ESTAT:LFSA_EGAI2D(1.0),01/01/25,A,THS_PER,OC2,DE21,2023,512.3,\n"
            b"ESTAT:LFSA_EGAI2D(1.0),01/01/25,A,THS_PER,OC2,DE2,2023,1890.1,b\n"
        )
    )
    _ingest(con, "eurostat_sdmx", path)
    assert con.execute(
        "SELECT indicator, geo_code, geo_level, class_code, class_scheme, period, unit "
        "FROM labour_stats ORDER BY record"
    ).fetchall() == [
        ("lfsa_egai2d", "DE21", "nuts2", "OC2", "isco08", date(2023, 1, 1), "THS_PER"),
        ("lfsa_egai2d", "DE2", "nuts1", "OC2", "isco08", date(2023, 1, 1), "THS_PER"),
    ]


def test_unreadable_stats_files(tmp_path: Path) -> None:
    broken = tmp_path / "vacancy.csv.gz"
    broken.write_bytes(gzip.compress(b"month,year,vacancies,unemployment,unemp_per_vacancy\n5,2001,1,2,3\n")[:30])
    with pytest.raises(InputError, match=r"vacancy\.csv\.gz: not a complete gzip file"):
        format_named("ons").read(broken)
    missing = tmp_path / "vacancy.csv"
    missing.write_text("month,year,vacancies\n5,2001,1\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"vacancy\.csv: missing required column\(s\) unemployment"):
        format_named("ons").read(missing)
    odd = tmp_path / "odd.csv"
    odd.write_text("date,jobcountry,something\n2024-01-01,DE,1\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"odd\.csv: not an Indeed Hiring Lab layout"):
        format_named("indeed").read(odd)
    sdmx = tmp_path / "x.csv"
    sdmx.write_text("geo,TIME_PERIOD\nDE,2023\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"x\.csv: missing required column\(s\) OBS_VALUE"):
        format_named("eurostat_sdmx").read(sdmx)
