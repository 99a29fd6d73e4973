"""The calibrated reuse score: the probability that a hit or an edge is substantive reuse.

``pair_features(report, ...)`` turns a verified alignment into a few numbers (how much text the
two bills share outside stock and common language, the longest such passage, coverage both ways,
how edited the passages are, how much is boilerplate, the LSH estimate, topic similarity).
``probability(features)`` is a logistic regression over them, evaluated with numpy from the
fitted parameters in ``billdiff/data/reuse_model.json``. The parameters are fitted by ``make
train`` (``bench/train.py``, scikit-learn) on the dev benchmark of ``bench/adoptions.py``;
scikit-learn is never imported here, so compare, search and lineage stay fast.
"""

from __future__ import annotations

import json
import math
from functools import lru_cache
from importlib import resources

# the order of the model's coefficients
FEATURES = (
    "log_subst_words",  # log1p of words of the query in identical, uncommon, non-stock text
    "log_longest",  # log1p of the longest substantive passage (words)
    "coverage_query",  # share of the query inside some passage
    "coverage_hit",  # share of the hit inside some passage
    "subst_share",  # substantive words / query words
    "identity",  # identical words / passage words, over the substantive passages
    "boilerplate_share",  # share of the passages' identical words that is common or stock
    "log_passages",  # log1p of the number of substantive passages
    "estimate",  # LSH estimate (share of the query's band keys the hit shares)
    "topic_similarity",  # tf-idf similarity of topic vectors, 1.0 = the query's own (topics.py)
)


def boilerplate_share(passages) -> float:
    """Share of the passages' identical words that is stock or corpus-common text (each
    passage's identical words weighted by its ``boilerplate_share``; stock phrases count
    whole)."""
    words = sum(p.identical_words for p in passages)
    kept = sum(
        p.identical_words * (1.0 - p.boilerplate_share) for p in passages if not p.stock_phrase
    )
    return 1.0 - kept / words if words else 0.0


def pair_features(
    report, *, subst_words: float, boilerplate_share: float, estimate: float, cosine: float
) -> dict[str, float]:
    """Features of one verified pair. ``subst_words``: words of A in identical stretches
    outside common shingles (search's score)."""
    sub = report.substantive
    words = sum(max(p.a_words, p.b_words) for p in sub)
    same = sum(p.identical_words for p in sub)
    longest = max((p.identical_words for p in sub), default=0)
    n_a = max(1, report.a.words)
    return {
        "log_subst_words": math.log1p(subst_words),
        "log_longest": math.log1p(longest),
        "coverage_query": report.coverage_a,
        "coverage_hit": report.coverage_b,
        "subst_share": min(1.0, subst_words / n_a),
        "identity": same / words if words else 0.0,
        "boilerplate_share": boilerplate_share,
        "log_passages": math.log1p(len(sub)),
        "estimate": estimate,
        "topic_similarity": cosine,
    }


@lru_cache(maxsize=1)
def model() -> dict:
    """The fitted parameters: {"features": [...], "mean": [...], "scale": [...], "coef": [...],
    "intercept": x, "threshold": t, "trained_on": {...}}."""
    text = resources.files("billdiff").joinpath("data/reuse_model.json").read_text("utf-8")
    m = json.loads(text)
    if tuple(m["features"]) != FEATURES:
        raise ValueError("billdiff/data/reuse_model.json does not match FEATURES: run make train")
    return m


def probability(features: dict[str, float]) -> float:
    """P(substantive reuse) for one pair's features (logistic regression, standardised)."""
    m = model()
    z = m["intercept"]
    for name, mu, sd, w in zip(FEATURES, m["mean"], m["scale"], m["coef"], strict=True):
        z += w * (features[name] - mu) / (sd or 1.0)
    return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, z))))


# features a pair seen outside a search does not have (no LSH probe, no candidate pool): set
# to the training mean, so that they weigh nothing either way
_NEUTRAL = ("estimate", "topic_similarity")


def pair_probability(report) -> tuple[float, dict[str, float]]:
    """(probability, features) of a verified pair outside a search (a lineage edge): the
    substantive words are A's words in identical stretches of non-boilerplate passages, each
    counted once; the features a search alone has are neutral (the training mean)."""
    hit: set[int] = set()
    for p in report.passages:
        if not p.is_boilerplate:
            for op in p.ops:
                if op.tag == "equal":
                    hit.update(range(op.a_start, op.a_end))
    bshare = boilerplate_share(report.passages)
    m = model()
    mean = dict(zip(FEATURES, m["mean"], strict=True))
    feats = pair_features(
        report,
        subst_words=float(len(hit)),
        boilerplate_share=bshare,
        estimate=mean["estimate"],
        cosine=mean["topic_similarity"],
    )
    return probability(feats), feats


def threshold() -> float:
    """Probability at and above which a hit is called substantive reuse."""
    return float(model()["threshold"])
