"""Generated postings in the generic format, for scale tests, kill tests and benchmarks (never real data)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl

from pipelines.outputs import written_rows

TITLES = [
    "Data Engineer",
    "Software Developer",
    "Registered Nurse",
    "Electrician",
    "Warehouse Operative",
    "Accountant",
    "Customer Service Advisor",
    "Welder",
    "Sales Manager",
    "HVAC Technician",
    "Teacher",
    "Solar Panel Installer",
    "Cyber Security Analyst",
    "Truck Driver",
    "Chef",
    "Care Assistant",
    "Project Manager",
    "Machine Learning Engineer",
    "Civil Engineer",
    "Payroll Administrator",
]
SENTENCES = [
    "You will design and maintain data pipelines in Python and SQL.",
    "Experience with cloud computing platforms such as AWS or Azure is an advantage.",
    "Provide patient care and administer medication according to prescriptions.",
    "Install, maintain and repair electrical wiring and equipment in commercial buildings.",
    "Operate forklifts and manage stock levels in a busy distribution centre.",
    "Prepare financial statements, manage accounts payable and reconcile bank accounts.",
    "Handle customer enquiries by phone and email and resolve complaints professionally.",
    "Weld steel structures using MIG and TIG techniques and read technical drawings.",
    "Develop new business, negotiate contracts and lead a team of sales representatives.",
    "Install and service heating, ventilation and air conditioning systems.",
    "Plan lessons, assess pupils and communicate with parents.",
    "Install photovoltaic systems on residential roofs following safety regulations.",
    "Monitor networks for security incidents and perform vulnerability assessments.",
    "Drive heavy goods vehicles across Europe and keep accurate delivery records.",
    "Prepare meals, manage kitchen hygiene and order supplies.",
    "Support elderly people with daily living activities and personal care.",
    "Manage project budgets, timelines and stakeholder communication using agile methods.",
    "Train and deploy machine learning models and monitor their performance in production.",
    "Supervise construction sites and ensure compliance with building codes.",
    "Process monthly payroll and maintain employee records in the HR system.",
    "Strong communication skills and the ability to work in a team are essential.",
    "We offer a competitive salary, flexible working hours and training opportunities.",
    "Fluency in English is required; German or French is a plus.",
    "A driving licence and willingness to travel are required for this role.",
    "You have at least three years of relevant experience and a degree or vocational qualification.",
    "Knowledge of Microsoft Excel and ERP software is expected.",
    "You are well organised, reliable and pay attention to detail.",
    "Apply now with your CV and a short cover letter.",
]
COUNTRIES = ["DE", "FR", "ES", "IT", "NL", "PL", "PT", "BG", "RO", "IE"]


def generated_postings(n: int, seed: int = 0, sentences: int = 14, repost_share: float = 0.05) -> pl.DataFrame:
    """`n` postings in the generic format with descriptions of about 1 KB; a share are exact reposts."""
    rng = np.random.default_rng(seed)
    pool = pl.Series(SENTENCES)
    body = pl.DataFrame([pool.gather(rng.integers(0, len(SENTENCES), n)).alias(f"s{i}") for i in range(sentences)])
    days = np.datetime64("2025-01-01") + rng.integers(0, 365, n).astype("timedelta64[D]")
    frame = pl.DataFrame(
        {
            "posting_id": pl.int_range(0, n, eager=True).cast(pl.String),
            "title": pl.Series(TITLES).gather(rng.integers(0, len(TITLES), n)),
            "posted_at": pl.Series(days).cast(pl.Date).cast(pl.String),
            "country": pl.Series(COUNTRIES).gather(rng.integers(0, len(COUNTRIES), n)),
            "description": body.select(pl.concat_str(pl.all(), separator=" "))[:, 0],
            "language": pl.Series(["en"] * n),
        }
    )
    repost = pl.Series(rng.random(n) < repost_share)
    origin = pl.Series(rng.integers(0, max(1, n), n))
    return frame.with_columns(
        pl.when(repost).then(frame[c].gather(origin)).otherwise(pl.col(c)).alias(c) for c in ("title", "description")
    )


def write_generated_postings(path: Path, n: int, seed: int = 0) -> Path:
    """Write `n` generated postings as CSV, Parquet or JSONL (by the file's suffix) and return the path."""
    return written_rows(generated_postings(n, seed), path)
