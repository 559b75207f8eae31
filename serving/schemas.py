"""Request and response models of the JSON API (the OpenAPI document at /docs is generated from them)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field

Item = TypeVar("Item")
MAX_LIMIT = 1000
MAX_OFFSET = 1_000_000


class Page(BaseModel, Generic[Item]):
    total: int = Field(description="Rows matching the filters")
    limit: int
    offset: int
    items: list[Item]


class Paging(BaseModel):
    """Common list parameters; `format=csv` downloads the whole filtered list (up to `limit`) as CSV."""

    model_config = ConfigDict(extra="forbid")
    limit: int = Field(100, ge=1, le=MAX_LIMIT)
    offset: int = Field(0, ge=0, le=MAX_OFFSET)
    format: Literal["json", "csv"] = "json"


class ForecastFilters(Paging):
    region: str | None = Field(None, max_length=50, description="Region code (see /v1/regions), e.g. 09162")
    sector: str | None = Field(None, max_length=50, description="Sector code (see /v1/sectors), e.g. G")
    skill: str | None = Field(None, max_length=200, description="ESCO skill URI (see /v1/skills)")
    skill_group: str | None = Field(None, max_length=200, description="ESCO skill group URI (see /v1/skills)")
    level: str | None = Field(None, max_length=30, description="Hierarchy level: skill, skill_group, sector, total")
    source: str | None = Field(None, max_length=30, description="Panel source: ba, ons, ...")
    series_id: str | None = Field(None, max_length=300)
    horizon: int | None = Field(None, ge=1, le=100, description="Only the first N forecast steps")


class SeriesFilters(Paging):
    region: str | None = Field(None, max_length=50)
    within: str | None = Field(
        None, max_length=50, description="Regions whose code starts with this one (a German state's districts: 09)"
    )
    region_level: str | None = Field(None, max_length=30, description="district, state, country, ...")
    min_demand: float = Field(0, ge=0, description="Only series whose mean forecast is at least this")
    sector: str | None = Field(None, max_length=50)
    skill: str | None = Field(None, max_length=200)
    skill_group: str | None = Field(None, max_length=200)
    level: str | None = Field(None, max_length=30)
    source: str | None = Field(None, max_length=30)
    order: Literal["growth", "demand", "series_id"] = "series_id"


class SeriesOut(BaseModel):
    series_id: str
    model_name: str
    source: str
    freq: str
    unit: str
    region: str
    region_label: str
    region_level: str
    sector: str
    sector_label: str
    skill: str
    skill_label: str | None
    skill_group: str
    skill_group_label: str | None
    hierarchy_level: str
    last_ds: date | None = Field(description="Last observed period")
    last_y: float | None = Field(description="Last observed value")
    demand: float = Field(description="Mean forecast over the horizon")
    demand_lo_80: float
    demand_hi_80: float
    growth: float | None = Field(description="demand / last observed value - 1")
    growth_lo_80: float | None = Field(description="demand_lo_80 / last observed value - 1")
    growth_hi_80: float | None = Field(description="demand_hi_80 / last observed value - 1")


class ForecastOut(BaseModel):
    series_id: str
    model_name: str
    model_version: str
    chosen_model: str
    region: str
    region_label: str
    sector: str
    skill: str
    skill_label: str | None
    skill_group: str
    skill_group_label: str | None
    hierarchy_level: str
    unit: str
    step: int
    ds: date
    yhat: float
    lo_80: float
    hi_80: float
    lo_95: float
    hi_95: float


class HistoryOut(BaseModel):
    series_id: str
    ds: date
    y: float


class RegionOut(BaseModel):
    code: str
    label: str
    level: str
    series: int


class SectorOut(BaseModel):
    code: str
    label: str
    series: int


class SkillOut(BaseModel):
    uri: str
    kind: str = Field(description="skill | skill_group")
    label: str = Field(description="Preferred English label")
    matched: str = Field(description="The label that matched the query")
    lang: str
    label_type: str
    series: int = Field(description="Forecast series of this skill or skill group")


class PriorityOut(BaseModel):
    model_name: str
    model_version: str
    provider: str
    language_filter: str
    region_filter: str
    rank: int
    topic_id: str
    topic: str
    language: str
    level: str
    score: float
    demand: float
    demand_lo_80: float
    demand_hi_80: float
    growth: float | None
    growth_lo_80: float | None
    growth_hi_80: float | None
    momentum: float
    need: float
    entry_weight: float
    uncovered: float
    coverage: float


class GapOut(BaseModel):
    provider: str
    kind: str
    uri: str
    label: str
    language: str
    region: str
    region_label: str
    sector: str
    demand: float
    demand_lo_80: float
    demand_hi_80: float
    growth: float | None
    momentum: float
    need: float
    entry_share: float
    uncovered: float
    score: float


class BacktestRun(BaseModel):
    """Which served model version's backtest run a row is of."""

    model_name: str
    model_version: str
    run_id: str


class BacktestCandidate(BacktestRun):
    model: str = Field(description="Candidate forecaster; `selected` = the per-series choice that is served")


class BacktestOut(BacktestCandidate):
    mase: float | None
    smape: float | None
    rmsse: float | None
    coverage_80: float | None
    coverage_95: float | None
    series_id: str | None = Field(None, description="Set when the scores are of one series")


class BacktestStepOut(BacktestCandidate):
    step: int = Field(description="Periods ahead of the forecast origin (1 = the first forecast period)")
    mase: float | None = Field(description="MASE at this step, averaged over series and scored windows")
    coverage_80: float | None = Field(description="Share of the actual values inside the 80% interval")
    coverage_95: float | None


class BacktestForecastOut(BacktestRun):
    series_id: str
    step: int = Field(description="Periods ahead of the backtest window's forecast origin")
    ds: date
    y: float = Field(description="What happened")
    yhat: float | None = Field(description="What the served forecast (`selected`) said, from the data before")
    lo_80: float | None
    hi_80: float | None
    lo_95: float | None
    hi_95: float | None


class ModelOut(BaseModel):
    model_name: str
    model_version: str
    forecast_at: datetime
    series: int
    horizon: int
    first_ds: date = Field(description="First forecast period")
    last_ds: date = Field(description="Last forecast period")
    last_observed: date | None = Field(description="Latest period with data in the model's series")


class FreshnessOut(BaseModel):
    kind: str
    latest_run: datetime
    latest_change: datetime | None
    sources: int


class HealthOut(BaseModel):
    status: Literal["ok"]
    snapshot: str
    published_at: str
    taxonomy_version: str
    models: list[ModelOut]
    freshness: list[FreshnessOut]


class RetrainOut(BaseModel):
    started: bool
    pid: int
    log: str


class HistoryQuery(Paging):
    series_id: str = Field(max_length=300, description="A series of /v1/series")


class BacktestQuery(Paging):
    model_name: str | None = Field(None, max_length=100, description="A served model, e.g. moocast-ba")
    series_id: str | None = Field(None, max_length=300, description="Scores of this series only")


class BacktestStepQuery(Paging):
    model_name: str | None = Field(None, max_length=100, description="A served model, e.g. moocast-ba")
    model: str | None = Field(None, max_length=100, description="One candidate, e.g. selected or seasonal_naive")


class BacktestForecastQuery(Paging):
    series_id: str = Field(max_length=300, description="The series whose past forecasts to list")


class RegionQuery(Paging):
    level: str | None = Field(None, max_length=30, description="district, state, country, ...")
    q: str | None = Field(None, min_length=1, max_length=100, description="Code, or part of the name")


class SkillQuery(Paging):
    q: str = Field(min_length=2, max_length=100, description="Part of a label, in any loaded language")
    lang: str | None = Field(None, min_length=2, max_length=3, description="Only labels in this language")
    kind: Literal["skill", "skill_group"] | None = None


class PriorityQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")
    provider: str = Field("ALL", max_length=50, description="Whose catalogue counts as coverage; ALL = every one")
    language: str = Field("ALL", max_length=10, description="A list ranked for one language (ALL = any)")
    region: str = Field("ALL", max_length=50, description="A list ranked for one region (ALL = every one)")
    level: Literal["introductory", "intermediate", "advanced"] | None = None
    top: int = Field(20, ge=1, le=MAX_LIMIT, description="How many topics")
    offset: int = Field(0, ge=0, le=MAX_OFFSET)
    format: Literal["json", "csv"] = "json"


class ListOut(BaseModel):
    provider: str
    language_filter: str
    region_filter: str
    topics: int


class GapQuery(Paging):
    provider: str = Field("ALL", max_length=50)
    kind: Literal["skill", "skill_group"] = Field("skill", description="skill: national; skill_group: by district")
    uri: str | None = Field(None, max_length=200, description="One skill or skill group")
    region: str | None = Field(None, max_length=50, description="A district code or a state prefix (09)")
    order: Literal["score", "demand", "growth"] = "score"


class FeedQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")
    provider: str = Field(max_length=50, description="The provider, or ALL")
    language: str = Field("ALL", max_length=10)
    region: str = Field("ALL", max_length=50)
    top: int = Field(100, ge=1, le=MAX_LIMIT)
    offset: int = Field(0, ge=0, le=MAX_OFFSET)
