"""Course levels on one small scale across providers (pure polars).

  introductory  beginner, introductory, introduction, basic, elementary, novice, entry
  intermediate  intermediate
  advanced      advanced, expert
  mixed         mixed, all levels, all (courses for every level)
  unknown       no level stated, or a wording not listed here

Values are compared in lower case, trimmed, with a trailing " level" removed (Udemy's "Expert Level"). The
importer already stores beginner | intermediate | advanced | mixed; raw provider wordings map the same way.
"""

from __future__ import annotations

import polars as pl

LEVEL_SCALE = ("introductory", "intermediate", "advanced", "mixed", "unknown")
UNKNOWN = "unknown"
LEVEL_WORDINGS = {
    "beginner": "introductory",
    "introductory": "introductory",
    "introduction": "introductory",
    "basic": "introductory",
    "elementary": "introductory",
    "novice": "introductory",
    "entry": "introductory",
    "intermediate": "intermediate",
    "advanced": "advanced",
    "expert": "advanced",
    "mixed": "mixed",
    "all levels": "mixed",
    "all": "mixed",
}


def normalized_levels(levels: pl.Expr) -> pl.Expr:
    """Each level on LEVEL_SCALE; null and unlisted wordings are 'unknown'."""
    key = levels.str.strip_chars().str.to_lowercase().str.replace(r"\s+level$", "")
    return key.replace_strict(LEVEL_WORDINGS, default=UNKNOWN, return_dtype=pl.String).fill_null(UNKNOWN)
