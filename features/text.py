"""Posting text: normalisation, fingerprints, and exact / near-duplicate links (pure polars).

Near-duplicates are found with MinHash over word 3-shingles and locality-sensitive hashing: the signature
is cut into bands; postings that share a band bucket are candidates, and a candidate is linked when the
share of equal signature values (an estimate of Jaccard similarity) reaches the threshold. Each posting is
compared with the earliest posting of each of its buckets, so links point to the first occurrence.
"""

from __future__ import annotations

import numpy as np
import polars as pl

SHINGLE_WORDS = 3
_MIX = np.uint64(0x9E3779B97F4A7C15)
_TAGS = r"<[^>]{0,200}>"
_NON_WORD = r"[^\p{L}\p{N}]+"


def normalized_text(text: pl.Expr) -> pl.Expr:
    """Lower-case words and digits separated by single spaces; markup and punctuation removed."""
    return (
        text.fill_null("")
        .str.replace_all(_TAGS, " ")
        .str.to_lowercase()
        .str.replace_all(_NON_WORD, " ")
        .str.strip_chars()
    )


def _masks(permutations: int) -> list[int]:
    """Fixed pseudo-random 64-bit masks: min(hash XOR mask) is one MinHash permutation per mask."""
    state, masks = 0x9E3779B97F4A7C15, []
    for _ in range(permutations):  # splitmix64, so signatures are stable across runs and machines
        state = (state + 0x9E3779B97F4A7C15) & 0xFFFFFFFFFFFFFFFF
        z = state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & 0xFFFFFFFFFFFFFFFF
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & 0xFFFFFFFFFFFFFFFF
        masks.append(z ^ (z >> 31))
    return masks


def _shingle_signatures(word_hashes: np.ndarray, lengths: np.ndarray, permutations: int) -> np.ndarray:
    """MinHash signatures (docs x permutations) from per-word hashes laid end to end, `lengths` words a doc.

    A shingle hash mixes SHINGLE_WORDS consecutive word hashes; texts shorter than that use their words."""
    doc = np.repeat(np.arange(len(lengths)), lengths)
    span = len(word_hashes) - SHINGLE_WORDS + 1
    shingle = word_hashes.copy()
    full = np.zeros(len(word_hashes), dtype=bool)
    if span > 0:
        mixed = word_hashes[:span].copy()
        for i in range(1, SHINGLE_WORDS):
            mixed = mixed * _MIX ^ word_hashes[i : i + span]
        shingle[:span] = mixed
        full[:span] = doc[:span] == doc[SHINGLE_WORDS - 1 :]
    keep = full | (lengths[doc] < SHINGLE_WORDS)
    shingle, doc = shingle[keep], doc[keep]
    starts = np.concatenate([[0], np.cumsum(np.bincount(doc, minlength=len(lengths)))[:-1]]).astype(np.int64)
    masks = np.array(_masks(permutations), dtype=np.uint64)
    return np.stack([np.minimum.reduceat(shingle ^ mask, starts) for mask in masks], axis=1)


def text_fingerprints(frame: pl.DataFrame, text: pl.Expr, permutations: int) -> pl.DataFrame:
    """Add `text_hash` (UInt64 of the normalised text) and `minhash` (List[UInt64], one per permutation)."""
    normalized = frame.select(normalized_text(text).alias("_norm"))["_norm"]
    words = normalized.str.split(" ")
    lengths = words.list.len().to_numpy().astype(np.int64)
    word_hashes = words.list.eval(pl.element().hash(seed=0)).explode().to_numpy()
    signatures = _shingle_signatures(word_hashes, lengths, permutations)
    minhash = pl.Series("minhash", signatures, dtype=pl.Array(pl.UInt64, permutations)).cast(pl.List(pl.UInt64))
    return frame.with_columns(text_hash=normalized.hash(seed=0), minhash=minhash)


def duplicate_links(postings: pl.DataFrame, bands: int, threshold: float) -> pl.DataFrame:
    """`posting_key, duplicate_of, near_duplicate_of` for every posting.

    Input columns: posting_key, posted_at, text_hash, minhash. The earliest posting (by posted_at, then
    key) of a group is its original; exact duplicates share the normalised text, near-duplicates a band
    bucket and an estimated Jaccard similarity of at least `threshold` with the bucket's earliest posting."""
    ordered = postings.sort("posted_at", "posting_key")
    keys = ordered["posting_key"]
    position = np.arange(ordered.height)
    first = ordered.with_row_index("at").select(pl.col("at").first().over("text_hash"))[:, 0].to_numpy()
    near = np.full(ordered.height, -1)
    originals = position[first == position]
    if originals.size:
        width = len(ordered["minhash"][0])
        signatures = ordered["minhash"].list.to_array(width).to_numpy()[originals]
        rows = max(1, width // bands)
        pairs = []
        for band in range(bands):
            bucket = signatures[:, band * rows]
            for column in range(band * rows + 1, min(width, (band + 1) * rows)):
                bucket = bucket * _MIX ^ signatures[:, column]
            anchors = pl.DataFrame({"at": np.arange(originals.size), "bucket": bucket}).select(
                "at", anchor=pl.col("at").min().over("bucket"))
            pairs.append(anchors.filter(pl.col("anchor") < pl.col("at")))
        candidates = pl.concat(pairs).unique()
        at, anchor = candidates["at"].to_numpy(), candidates["anchor"].to_numpy()
        similar = (signatures[at] == signatures[anchor]).mean(axis=1) >= threshold
        linked = pl.DataFrame({"at": at[similar], "anchor": anchor[similar]}).group_by("at").agg(pl.col("anchor").min())
        near[originals[linked["at"].to_numpy()]] = originals[linked["anchor"].to_numpy()]
    return pl.DataFrame({
        "posting_key": keys,
        "_first": keys.gather(first),
        "_near": keys.gather(np.maximum(near, 0)),
        "_is_duplicate": first != position,
        "_is_near": near >= 0,
    }).select(
        "posting_key",
        duplicate_of=pl.when("_is_duplicate").then("_first"),
        near_duplicate_of=pl.when("_is_near").then("_near"),
    )
