"""`moocast extract`, `code`, `panel`, `eval-extraction` and `eval-occupations` (registered on the app by
pipelines/cli.py)."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from features.skills import COMMON_WORD_SHARE
from pipelines.cli_common import err, fail, progress_bar, shown
from pipelines.readers import InputError
from pipelines.settings import Settings
from pipelines.warehouse import connect

SEMANTIC_HELP = (
    "--semantic also links phrases no label matched to the nearest ESCO skill with an offline "
    "sentence-embedding model (needs `make install-semantic`); --literal does not. "
    "(default: the setting semantic_extraction, off unless set)"
)


def extract(
    ctx: typer.Context,
    taxonomy_version: Annotated[str | None, typer.Option(help="ESCO version to extract for [default: latest]")] = None,
    semantic: Annotated[
        bool | None, typer.Option("--semantic/--literal", help=SEMANTIC_HELP, show_default=False)
    ] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Extract ESCO skills from every posting not yet processed for the taxonomy version (incremental).

    Languages with ESCO skill labels in the warehouse are extracted natively; others are recorded as
    unsupported, never read as English. One transaction: re-running changes nothing. With --semantic, phrases
    that no label matched are linked to the nearest ESCO skill by sentence embeddings (extra `semantic`);
    postings extracted literally before are then extracted again, semantic ones are kept by a literal run."""
    from pipelines.extract import extract_postings

    settings: Settings = ctx.obj
    semantic = settings.semantic_extraction if semantic is None else semantic
    progress = progress_bar(as_json)
    with connect(settings.warehouse) as con, progress:
        task = progress.add_task("extract", total=None)
        try:
            counts = extract_postings(con, taxonomy_version,
                                      lambda done, total: progress.update(task, completed=done, total=total),
                                      semantic)  # fmt: skip
        except (ValueError, RuntimeError) as error:
            raise fail(str(error), 2) from None
    shown(counts, as_json)


def panel(
    ctx: typer.Context,
    taxonomy_version: Annotated[
        str | None, typer.Option(help="ESCO version of the skill mixes [default: latest]")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Rebuild the skill-demand panel: the long series table (series_id, ds, y), its series attributes and the
    exogenous features, from postings (skills counted per region x sector x month) and official statistics
    (BA vacancies spread over ESCO skills through occupation profiles; ONS and Indeed by sector).

    Run after `moocast extract` (and `moocast code`); one transaction, so re-running gives the same panel."""
    from pipelines.panel import build_panel

    settings: Settings = ctx.obj
    with connect(settings.warehouse) as con:
        try:
            counts = build_panel(con, taxonomy_version, lambda stage: None if as_json else err.print(f"panel: {stage}"))
        except ValueError as error:
            raise fail(str(error), 2) from None
    shown(counts, as_json)


def eval_extraction(
    ctx: typer.Context,
    files: Annotated[
        list[Path] | None,
        typer.Argument(
            help="Gold files in the Decorte format (sentence, span, "
            "sub_span, label), e.g. ../shared/data/benchmarks/"
            "skill_extraction/decorte_esco/*_validation_annotations.csv",
            show_default=False,
        ),
    ] = None,
    spans: Annotated[
        Path | None,
        typer.Option(
            "--spans",
            help="Also score character spans against the Skill "
            "mentions of a CoNLL NER file, e.g. ../shared/data/benchmarks/"
            "skill_extraction/green_2022_ner/testset_conll.txt",
            show_default=False,
        ),
    ] = None,
    floor: Annotated[
        bool,
        typer.Option("--floor", help="Score the literal-match floor instead: every ESCO label, no common-word filter"),
    ] = False,
    semantic: Annotated[
        bool | None, typer.Option("--semantic/--literal", help=SEMANTIC_HELP, show_default=False)
    ] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Precision, recall and F1 of skill extraction, micro-averaged over sentences, per file and pooled.

    For each sentence the gold set is its labels other than LABEL NOT PRESENT; the prediction is the set of
    ESCO preferred labels extracted from that sentence alone. With --spans, the extracted character spans of
    each CoNLL sentence (tokens joined by spaces) are scored against its gold Skill spans, strict (same span)
    and lenient (overlapping). The lexicon comes from the warehouse. The output names the extractor scored
    (`literal-2`, or `literal-2+semantic-3` with --semantic: the one that reaches the README's goal figures)."""
    from pipelines.evaluate import conll_span_scores, extraction_scores
    from pipelines.extract import EXTRACTOR, SEMANTIC, latest_esco_version, literal_extractor

    settings: Settings = ctx.obj
    semantic = settings.semantic_extraction if semantic is None else semantic
    if not files and spans is None:
        raise fail("give Decorte gold FILEs, --spans FILE, or both", 2)
    for path in [*(files or []), *([spans] if spans else [])]:
        if not path.is_file():
            raise fail(f"{path}: no such gold file", 2)
    with connect(settings.warehouse, read_only=not semantic) as con:  # semantic linking caches its vectors
        version = latest_esco_version(con)
        extractor = literal_extractor(con, "en", None if floor else COMMON_WORD_SHARE, version)
        try:
            if semantic:
                from pipelines.embeddings import semantic_linker

                extractor = replace(extractor, linker=semantic_linker(con, version, "en"))
            name = ("literal-floor" if floor else EXTRACTOR) + (f"+{SEMANTIC}" if semantic else "")
            scores: dict[str, Any] = {"extractor": name, **(extraction_scores(files, extractor) if files else {})}
            if spans is not None:
                scores["spans"] = {"file": str(spans), **conll_span_scores(spans, extractor)}
        except InputError as error:
            raise fail(str(error)) from None
        except RuntimeError as error:
            raise fail(str(error), 2) from None
    if as_json:
        print(json.dumps(scores, indent=2))
        return
    title = f" ({name})"
    if files:
        table = Table(title="skill extraction" + title)
        for column in ("file", "sentences", "precision", "recall", "F1"):
            table.add_column(column, justify="left" if column == "file" else "right")
        rows = {**scores["files"], "pooled": scores["pooled"]}
        for name, s in rows.items():
            table.add_row(
                Path(name).name,
                f"{s['sentences']:.0f}",
                f"{s['precision']:.3f}",
                f"{s['recall']:.3f}",
                f"{s['f1']:.3f}",
            )
        Console().print(table)
    if spans is not None:
        found = scores["spans"]
        table = Table(
            title=f"skill spans{title}: {spans.name}",
            caption=f"{found['sentences']} sentences, "
            f"{found['gold_spans']} gold spans, {found['predicted_spans']} predicted",
        )
        for column in ("match", "precision", "recall", "F1"):
            table.add_column(column, justify="left" if column == "match" else "right")
        for match in ("strict", "lenient"):
            s = found[match]
            table.add_row(match, f"{s['precision']:.3f}", f"{s['recall']:.3f}", f"{s['f1']:.3f}")
        Console().print(table)


def code(ctx: typer.Context, as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Code every posting not yet coded with its ESCO occupation (ISCO-08 group), region and NACE section.

    The title is matched with the ESCO occupation labels of the posting's language, or EURES's English title
    when that language has none. One transaction: re-running codes only new postings."""
    from pipelines.coding import code_postings

    with connect(ctx.obj.warehouse) as con:
        try:
            counts = code_postings(con)
        except ValueError as error:
            raise fail(str(error), 2) from None
    shown(counts, as_json)


def eval_occupations(ctx: typer.Context, as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Accuracy of title -> occupation coding on O*NET alternate titles, through the ESCO-O*NET crosswalk.

    A title counts as right when its predicted occupation's ISCO-08 group is one of those of the ESCO
    occupations crosswalked to its O*NET code; also: exact-occupation accuracy, coverage, and the accuracy of
    always predicting the most often right ISCO group (a trivial baseline)."""
    from pipelines.coding import occupation_accuracy

    with connect(ctx.obj.warehouse, read_only=True) as con:
        try:
            scores = occupation_accuracy(con)
        except ValueError as error:
            raise fail(str(error), 2) from None
    if as_json:
        print(json.dumps(scores, indent=2))
        return
    table = Table(title="title -> occupation on O*NET alternate titles")
    table.add_column("measure")
    table.add_column("value", justify="right")
    for name, value in scores.items():
        table.add_row(name, f"{value:.4f}" if isinstance(value, float) else str(value))
    Console().print(table)
