"""Course topics: gap skills grouped into what a provider could produce as one MOOC (pure).

Candidates: the MAX_CANDIDATES skills with the most weighted demand, demand x momentum x need x entry weight
(never coverage: topics stay the same when courses are added or removed, so only their scores move).
A link between two candidates has a strength in [0, 1], the strongest of:
  - an ESCO skill-skill relation (either direction): 1
  - co-occurrence in ESCO occupation profiles: the cosine of their occupation vectors (essential 1, optional 0.5)
  - co-occurrence in job postings: the cosine of their posting vectors
Grouping (greedy, deterministic): the heaviest candidate not yet in a topic seeds one; the candidate of the same
ESCO field (main level-1 skill group, e.g. S3 assisting and caring) with the highest mean link to the topic's
skills joins while that mean is at least MIN_LINK, up to MAX_TOPIC_SKILLS skills; ties go to the heavier skill,
then the smaller URI.
Name: the ESCO group (main level-3 group, else level 1) holding most of the topic's weight, then the seed skill.
"""

from __future__ import annotations

import polars as pl

from models.gaps import entry_weight, momentum

MAX_CANDIDATES = 1500
MAX_TOPIC_SKILLS = 8
MIN_LINK = 0.25


def candidate_skills(gaps: pl.DataFrame, limit: int = MAX_CANDIDATES) -> pl.DataFrame:
    """gaps: language, skill, demand, last, need_demand, entry_share -> skill, weight: the `limit` skills with
    the most demand x momentum x need x entry weight over all languages (weights to 9 significant digits, so
    that float noise cannot reorder them)."""
    weighted = gaps.with_columns(
        w=pl.col("need_demand") * momentum(pl.col("demand"), pl.col("last")) * entry_weight(pl.col("entry_share"))
    )
    return (
        weighted.group_by("skill")
        .agg(pl.col("w").sum().round_sig_figs(9).alias("weight"))
        .filter(pl.col("weight") > 0)
        .sort(["weight", "skill"], descending=[True, False])
        .head(limit)
    )


def cosine_links(vectors: pl.DataFrame) -> pl.DataFrame:
    """vectors: item, skill, weight (a skill's vector over items) -> skill_a, skill_b (a < b), strength."""
    norms = vectors.group_by("skill").agg(norm=(pl.col("weight") ** 2).sum().sqrt())
    pairs = (
        vectors.join(vectors, on="item", suffix="_b")
        .filter(pl.col("skill") < pl.col("skill_b"))
        .group_by(pl.col("skill").alias("skill_a"), "skill_b")
        .agg(dot=(pl.col("weight") * pl.col("weight_b")).sum())
    )
    return (
        pairs.join(norms.rename({"skill": "skill_a", "norm": "norm_a"}), on="skill_a")
        .join(norms.rename({"skill": "skill_b", "norm": "norm_b"}), on="skill_b")
        .select("skill_a", "skill_b", strength=pl.col("dot") / (pl.col("norm_a") * pl.col("norm_b")))
    )


def skill_links(
    profiles: pl.DataFrame, postings: pl.DataFrame, relations: pl.DataFrame, candidates: pl.DataFrame
) -> pl.DataFrame:
    """Links between candidate skills. profiles: occupation_uri, skill, weight (essential 1, optional 0.5);
    postings: posting_key, skill; relations: skill, related; candidates: skill.
    Returns skill_a, skill_b (a < b), strength (the strongest evidence)."""
    keep = candidates["skill"].implode()
    occupation = cosine_links(
        profiles.filter(pl.col("skill").is_in(keep)).select(pl.col("occupation_uri").alias("item"), "skill", "weight")
    )
    posting = cosine_links(
        postings.filter(pl.col("skill").is_in(keep))
        .unique()
        .select(pl.col("posting_key").alias("item"), "skill", weight=pl.lit(1.0))
    )
    related = relations.filter(pl.col("skill").is_in(keep) & pl.col("related").is_in(keep)).select(
        skill_a=pl.min_horizontal("skill", "related"),
        skill_b=pl.max_horizontal("skill", "related"),
        strength=pl.lit(1.0),
    )
    return (
        pl.concat([occupation, posting, related.filter(pl.col("skill_a") != pl.col("skill_b"))])
        .group_by("skill_a", "skill_b")
        .agg(pl.col("strength").max().round_sig_figs(9))  # float noise of the sums cannot change a grouping
        .sort("skill_a", "skill_b")
    )


def grouped_topics(candidates: pl.DataFrame, links: pl.DataFrame) -> pl.DataFrame:
    """candidates: skill, weight, field; links: skill_a, skill_b, strength.
    Returns topic_id (the seed's URI key), skill, position (0 = the seed), in seed order."""
    weight = dict(zip(candidates["skill"], candidates["weight"], strict=True))
    field = dict(zip(candidates["skill"], candidates["field"].fill_null(""), strict=True))
    neighbours: dict[str, dict[str, float]] = {skill: {} for skill in weight}
    for a, b, strength in links.filter(pl.col("strength") > 0).iter_rows():
        if a in weight and b in weight and field[a] == field[b]:
            neighbours[a][b] = strength
            neighbours[b][a] = strength
    assigned: set[str] = set()
    rows: list[tuple[str, str, int]] = []
    for seed in sorted(weight, key=lambda skill: (-weight[skill], skill)):
        if seed in assigned:
            continue
        members = [seed]
        assigned.add(seed)
        totals = dict(neighbours[seed])
        while len(members) < MAX_TOPIC_SKILLS:
            open_ = [(total / len(members), skill) for skill, total in totals.items() if skill not in assigned]
            if not open_:
                break
            mean, best = min(open_, key=lambda item: (-item[0], -weight[item[1]], item[1]))
            if mean < MIN_LINK:
                break
            members.append(best)
            assigned.add(best)
            for skill, strength in neighbours[best].items():
                totals[skill] = totals.get(skill, 0.0) + strength
        topic_id = seed.rsplit("/", 1)[-1]
        rows.extend((topic_id, skill, position) for position, skill in enumerate(members))
    return pl.DataFrame(rows, schema={"topic_id": pl.String, "skill": pl.String, "position": pl.Int32}, orient="row")


def topic_names(topics: pl.DataFrame, candidates: pl.DataFrame, labels: pl.DataFrame) -> pl.DataFrame:
    """topics: topic_id, skill, position; candidates: skill, weight, group_label (the skill's main level-3 group,
    else level-1, may be null); labels: skill, label. Returns topic_id, topic ("<group>: <seed skill>")."""
    weighted = topics.join(candidates.select("skill", "weight", "group_label"), on="skill")
    group = (
        weighted.drop_nulls("group_label")
        .group_by("topic_id", "group_label")
        .agg(pl.col("weight").sum())
        .sort(["topic_id", "weight", "group_label"], descending=[False, True, False])
        .group_by("topic_id", maintain_order=True)
        .first()
    )
    seeds = topics.filter(pl.col("position") == 0).join(labels, on="skill", how="left")
    return (
        seeds.join(group.select("topic_id", "group_label"), on="topic_id", how="left")
        .with_columns(label=pl.col("label").fill_null(pl.col("skill")))
        .select(
            "topic_id",
            topic=pl.when(pl.col("group_label").is_not_null())
            .then(pl.concat_str([pl.col("group_label"), pl.lit(": "), pl.col("label")]))
            .otherwise(pl.col("label")),
        )
        .sort("topic_id")
    )
