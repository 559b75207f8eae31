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
BLOCK_WORDS = 1 << 18  # word hashes per block of the signature passes: 2 MB, so the passes run in cache
SLICE_ROWS = 4096  # rows normalised at a time (see text_fingerprints)
PAIR_BLOCK = 1 << 16  # candidate pairs compared at a time
_MIX = np.uint64(0x9E3779B97F4A7C15)
_TAGS = r"<[^>]{0,200}>"
# Every maximal run of non-word characters except a lone space (which is already its own replacement): the
# same text as replacing every run, with a sixth of the matches.
_NON_WORD_RUN = r"[^\p{L}\p{N}]{2,}|[^\p{L}\p{N} ]"


def normalized_text(text: pl.Expr) -> pl.Expr:
    """Lower-case words and digits separated by single spaces; markup and punctuation removed."""
    return (
        text.fill_null("")
        .str.replace_all(_TAGS, " ")
        .str.to_lowercase()
        .str.replace_all(_NON_WORD_RUN, " ")
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


def _shingle_hashes(words: np.ndarray, out: np.ndarray) -> np.ndarray:
    """`out`, with `out[i]` set to the hash of the SHINGLE_WORDS words from `words[i]` on wherever they fit."""
    span = len(words) - SHINGLE_WORDS + 1
    if span > 0:
        mixed = out[:span]
        mixed[:] = words[:span]
        for i in range(1, SHINGLE_WORDS):
            np.multiply(mixed, _MIX, out=mixed)
            np.bitwise_xor(mixed, words[i : i + span], out=mixed)
    return out


def _shingle_signatures(word_hashes: np.ndarray, lengths: np.ndarray, permutations: int) -> np.ndarray:
    """MinHash signatures (docs x permutations) from per-word hashes laid end to end, `lengths` (>= 1) words a
    doc. A shingle hash mixes SHINGLE_WORDS consecutive word hashes of a doc; a doc shorter than that is the set
    of its word hashes. Docs are taken a block of about BLOCK_WORDS words at a time, so that the shingle hashes
    and each permutation's pass over them stay in cache."""
    masks = np.array(_masks(permutations), dtype=np.uint64)
    signatures = np.empty((len(lengths), permutations), dtype=np.uint64)
    ends = np.cumsum(lengths)
    starts = ends - lengths
    shingles = np.empty(BLOCK_WORDS + 1, dtype=np.uint64)
    permuted = np.empty_like(shingles)
    first = 0
    while first < len(lengths):
        stop = max(first + 1, int(np.searchsorted(ends, starts[first] + BLOCK_WORDS, side="right")))
        low, high = int(starts[first]), int(ends[stop - 1])
        if high - low + 1 > len(shingles):  # a single doc longer than a block
            shingles, permuted = np.empty(high - low + 1, dtype=np.uint64), np.empty(high - low + 1, dtype=np.uint64)
        words, scratch = word_hashes[low:high], permuted[: high - low + 1]
        block = _shingle_hashes(words, shingles[: high - low + 1])
        doc_starts, doc_lengths = starts[first:stop] - low, lengths[first:stop]
        short = doc_lengths < SHINGLE_WORDS
        if short.any():  # short docs: their words instead of shingles that would run into the next doc
            counts = doc_lengths[short]
            at = np.arange(counts.sum()) + np.repeat(doc_starts[short] - (np.cumsum(counts) - counts), counts)
            block[at] = words[at]
        # reduceat over [start, end) pairs: even results are a doc's minimum, odd ones the gap to the next doc
        bounds = np.empty(2 * len(doc_starts), dtype=np.int64)
        bounds[0::2] = doc_starts
        bounds[1::2] = doc_starts + np.where(short, doc_lengths, doc_lengths - SHINGLE_WORDS + 1)
        for column, mask in enumerate(masks):
            np.bitwise_xor(block, mask, out=scratch)
            signatures[first:stop, column] = np.minimum.reduceat(scratch, bounds)[0::2]
        first = stop
    return signatures


def _slice_fingerprints(frame: pl.DataFrame, text: pl.Expr, permutations: int) -> tuple[pl.Series, np.ndarray]:
    """(text hashes, MinHash signatures) of the rows of `frame`."""
    normalized = frame.select(normalized_text(text).alias("text_hash"))["text_hash"]
    words = normalized.str.split(" ")
    lengths = words.list.len().to_numpy().astype(np.int64)
    word_hashes = words.explode().hash(seed=0).to_numpy()
    return normalized.hash(seed=0), _shingle_signatures(word_hashes, lengths, permutations)


def text_fingerprints(frame: pl.DataFrame, text: pl.Expr, permutations: int) -> pl.DataFrame:
    """Add `text_hash` (UInt64 of the normalised text) and `minhash` (List[UInt64], one per permutation).

    Rows are taken SLICE_ROWS at a time: each string pass then writes a few MB, which the allocator reuses,
    instead of 100 MB buffers mapped (and page-faulted) afresh for every pass over a large frame."""
    parts = [_slice_fingerprints(part, text, permutations) for part in frame.iter_slices(SLICE_ROWS)]
    if not parts:
        parts = [_slice_fingerprints(frame, text, permutations)]
    signatures = np.concatenate([signature for _, signature in parts])
    minhash = pl.Series("minhash", signatures, dtype=pl.Array(pl.UInt64, permutations)).cast(pl.List(pl.UInt64))
    return frame.with_columns(pl.concat([hashes for hashes, _ in parts]), minhash)


def _first_of_group(values: np.ndarray) -> np.ndarray:
    """For each position, the first position holding the same value (a hash grouping, on every core: half the
    time of np.unique's sort on a million values)."""
    positions = pl.LazyFrame({"value": values}).with_row_index("position")
    return positions.select(pl.col("position").min().over("value").cast(pl.Int64)).collect().to_series().to_numpy()


def _near_duplicate_anchors(signatures: np.ndarray, bands: int, threshold: float) -> np.ndarray:
    """For each row of `signatures` (in time order), the earliest earlier row that shares one of its band
    buckets with it and agrees on at least `threshold` of the signature values; -1 where none does."""
    count, width = signatures.shape
    rows = max(1, width // bands)
    linked = np.full(count, count)  # `count` stands for none until the end
    for band in range(min(bands, width)):
        bucket = signatures[:, band * rows].copy()
        for column in range(band * rows + 1, min(width, (band + 1) * rows)):
            bucket = bucket * _MIX ^ signatures[:, column]
        anchor = _first_of_group(bucket)  # the bucket's earliest row
        later = np.flatnonzero(anchor < np.arange(count))
        for block in range(0, len(later), PAIR_BLOCK):  # a block of pairs at a time, to bound the gathered copies
            at = later[block : block + PAIR_BLOCK]
            equal = np.count_nonzero(signatures[at] == signatures[anchor[at]], axis=1)
            similar = at[equal / width >= threshold]
            linked[similar] = np.minimum(linked[similar], anchor[similar])
    linked[linked == count] = -1
    return linked


def duplicate_links(postings: pl.DataFrame, bands: int, threshold: float) -> pl.DataFrame:
    """`posting_key, duplicate_of, near_duplicate_of` for every posting, in the input's order.

    Input columns: posting_key, posted_at, text_hash, minhash. The earliest posting (by posted_at, then
    key) of a group is its original; exact duplicates share the normalised text, near-duplicates a band
    bucket and an estimated Jaccard similarity of at least `threshold` with the bucket's earliest posting
    (exact duplicates are left out of the buckets: they link to their original)."""
    # lazily: the same order, in a quarter of the eager sort's time on a million postings (polars 2.1)
    order = postings.lazy().select(pl.arg_sort_by("posted_at", "posting_key")).collect()[:, 0].to_numpy()
    position = np.arange(len(order))
    first = _first_of_group(postings["text_hash"].to_numpy()[order])  # positions in time order from here
    near = np.full(len(order), -1)
    originals = position[first == position]
    if originals.size:
        width = int(postings["minhash"].list.len().to_numpy().max())
        signatures = postings["minhash"].list.to_array(width).to_numpy()[order[originals]]
        anchors = _near_duplicate_anchors(signatures, bands, threshold)
        near[originals[anchors >= 0]] = originals[anchors[anchors >= 0]]
    duplicate_of, near_duplicate_of = np.empty_like(order), np.empty_like(order)  # input rows, input order
    duplicate_of[order], near_duplicate_of[order] = order[first], order[np.maximum(near, 0)]
    is_duplicate, is_near = np.empty(len(order), dtype=bool), np.empty(len(order), dtype=bool)
    is_duplicate[order], is_near[order] = first != position, near >= 0
    keys = postings["posting_key"]
    return pl.DataFrame(
        {
            "posting_key": keys,
            "_first": keys.gather(duplicate_of),
            "_near": keys.gather(near_duplicate_of),
            "_is_duplicate": is_duplicate,
            "_is_near": is_near,
        }
    ).select(
        "posting_key",
        duplicate_of=pl.when("_is_duplicate").then("_first"),
        near_duplicate_of=pl.when("_is_near").then("_near"),
    )
