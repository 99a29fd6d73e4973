"""Alignment: every shared passage, edits inside, moves as separate passages.

All texts here are SYNTHETIC (generated word lists or made-up bill-like sentences), never
copied from a real bill. A slow, obviously-correct oracle (brute-force maximal exact
matches) checks the fast path.
"""

from __future__ import annotations

import random

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from billdiff.aligner import align, coverage
from billdiff.model import Tokens
from billdiff.settings import Settings

S = Settings()  # min_words 12, seed_words 5, max_gap 8, min_identity 0.7


def toks(words) -> Tokens:
    words = [w.lower() for w in words]
    starts, ends, pos = [], [], 0
    for w in words:
        starts.append(pos)
        ends.append(pos + len(w))
        pos += len(w) + 1
    return Tokens(tuple(words), tuple(starts), tuple(ends))


def uniq(n: int, tag: str, seed: int = 0) -> list[str]:
    """n distinct synthetic words (no accidental repeats)."""
    rng = random.Random(f"{tag}{seed}")
    return [f"{tag}{rng.randrange(10**6)}x{k}" for k in range(n)]


def brute_mems(a, b, min_len):
    """Slow oracle: every maximal exact match (i, j, n) with n >= min_len."""
    out = []
    for i in range(len(a)):
        for j in range(len(b)):
            if a[i] != b[j] or (i and j and a[i - 1] == b[j - 1]):
                continue
            n = 0
            while i + n < len(a) and j + n < len(b) and a[i + n] == b[j + n]:
                n += 1
            if n >= min_len:
                out.append((i, j, n))
    return out


def covered(passages, side):
    got = set()
    for p in passages:
        s, e = (p.a_start, p.a_end) if side == "a" else (p.b_start, p.b_end)
        got.update(range(s, e))
    return got


def check_wellformed(ps, a: Tokens, b: Tokens, s: Settings):
    assert list(ps) == sorted(ps, key=lambda p: (p.a_start, p.b_start, p.a_end, p.b_end))
    for p in ps:
        assert 0 <= p.a_start < p.a_end <= len(a) and 0 <= p.b_start < p.b_end <= len(b)
        assert min(p.a_words, p.b_words) >= s.min_words
        assert p.identity >= s.min_identity - 1e-9
        assert (p.a_char_start, p.a_char_end) == (a.starts[p.a_start], a.ends[p.a_end - 1])
        assert (p.b_char_start, p.b_char_end) == (b.starts[p.b_start], b.ends[p.b_end - 1])
        # ops tile the passage on both sides, in order; 'equal' ops are really equal
        ai, bi = p.a_start, p.b_start
        same = 0
        for o in p.ops:
            assert (o.a_start, o.b_start) == (ai, bi)
            ai, bi = o.a_end, o.b_end
            if o.tag == "equal":
                assert a.words[o.a_start : o.a_end] == b.words[o.b_start : o.b_end]
                same += o.a_end - o.a_start
            elif o.tag == "insert":
                assert o.a_start == o.a_end and o.b_end > o.b_start
            elif o.tag == "delete":
                assert o.b_start == o.b_end and o.a_end > o.a_start
            else:
                assert o.tag == "replace" and o.a_end > o.a_start and o.b_end > o.b_start
        assert (ai, bi) == (p.a_end, p.b_end)
        assert same == p.identical_words
        assert p.ops[0].tag == p.ops[-1].tag == "equal"


# ------------------------------------------------------------------------------ examples


def test_identical_texts_give_one_full_passage():
    w = uniq(300, "w")
    ps = align(toks(w), toks(w), settings=S)
    assert [(p.a_start, p.a_end, p.b_start, p.b_end, p.identity) for p in ps] == [
        (0, 300, 0, 300, 1.0)
    ]


def test_small_edits_stay_inside_one_passage():
    # synthetic bill sentence with a changed state name, a filled-in blank, a number, an
    # inserted and a deleted word
    base = (
        "a state or local government agency in washington using a facial recognition "
        "service shall file a notice of intent within ___ days with the legislative "
        "authority and produce an accountability report at least 90 days before the "
        "service is put into operational use by the agency for any purpose"
    ).split()
    other = list(base)
    other[other.index("washington")] = "idaho"
    other[other.index("___")] = "thirty"
    other[other.index("90")] = "120"
    other.insert(other.index("report"), "annual")
    other.remove("operational")
    a, b = toks(base), toks(other)
    ps = align(a, b, settings=S)
    check_wellformed(ps, a, b, S)
    assert len(ps) == 1
    p = ps[0]
    assert (p.a_start, p.a_end, p.b_start, p.b_end) == (0, len(base), 0, len(other))
    changed = {
        (" ".join(a.words[o.a_start : o.a_end]), " ".join(b.words[o.b_start : o.b_end]))
        for o in p.ops
        if o.tag != "equal"
    }
    assert changed == {
        ("washington", "idaho"),
        ("___", "thirty"),
        ("90", "120"),
        ("", "annual"),
        ("operational", ""),
    }


def test_moved_sections_are_found_as_separate_passages():
    secs = [uniq(60, f"s{k}") for k in range(5)]
    a = toks(sum(secs, []))
    b = toks(secs[0] + secs[3] + secs[2] + secs[1] + secs[4])  # 1 and 3 swapped
    ps = align(a, b, settings=S)
    check_wellformed(ps, a, b, S)
    assert coverage(ps, len(a), len(b)) == (1.0, 1.0)
    # section 3 (A 180-240) sits at B 60-120 and is not swallowed by a longer passage
    assert any(
        p.a_start <= 180
        and p.a_end >= 240
        and p.b_start <= 60
        and p.b_end >= 120
        and p.a_words <= 130
        for p in ps
    )
    assert len(ps) >= 4


def test_block_repeated_on_one_side_matches_twice():
    block, x, y = uniq(40, "blk"), uniq(30, "x"), uniq(30, "y")
    a = toks(x + block + y)
    b = toks(block + uniq(50, "z") + block)
    ps = align(a, b, settings=S)
    check_wellformed(ps, a, b, S)
    hits = [(p.a_start, p.b_start, p.a_words) for p in ps]
    assert hits == [(30, 0, 40), (30, 90, 40)]


def test_unrelated_texts_share_nothing():
    assert align(toks(uniq(500, "p")), toks(uniq(500, "q")), settings=S) == ()


def test_short_shared_run_below_min_words_is_dropped():
    shared = uniq(11, "sh")
    a, b = toks(uniq(20, "a") + shared + uniq(20, "b")), toks(uniq(20, "c") + shared)
    assert align(a, b, settings=S) == ()
    assert len(align(a, b, settings=Settings(min_words=10))) == 1


def test_dense_edits_split_rather_than_report_a_low_identity_passage():
    # two identical 30-word stretches joined by 8 changed words in the middle: with
    # min_identity 0.9 the passage splits at the change, with 0.7 it stays whole
    left, right = uniq(30, "l"), uniq(30, "r")
    a = toks(left + uniq(8, "m") + right)
    b = toks(left + uniq(8, "n") + right)
    whole = align(a, b, settings=S)
    assert [(p.a_start, p.a_end) for p in whole] == [(0, 68)]
    split = align(a, b, settings=Settings(min_identity=0.9))
    assert [(p.a_start, p.a_end) for p in split] == [(0, 30), (38, 68)]


def test_enacting_clause_alone_is_flagged_stock():
    clause = (
        "be it enacted by the senate and house of representatives of the united states "
        "of america in congress assembled"
    ).split()
    a = toks(uniq(40, "a") + clause + uniq(40, "b"))
    b = toks(uniq(40, "c") + clause + uniq(40, "d"))
    (p,) = align(a, b, settings=S)
    assert p.stock_phrase == "enacting-clause" and p.is_boilerplate


@pytest.mark.parametrize("unit", [["the"], ["a", "b"], ["of", "the", "state"]])
def test_degenerate_repetitive_text_is_still_aligned_in_full(unit):
    # every k-gram occurs thousands of times: paired by rank, not all against all
    w = unit * (6000 // len(unit))
    ps = align(toks(w), toks(w), settings=S)
    assert coverage(ps, len(w), len(w)) == (1.0, 1.0)
    assert any(p.a_start == p.b_start == 0 and p.a_end == len(w) for p in ps)


def test_deterministic():
    rng = random.Random(7)
    base = [f"w{rng.randrange(60)}" for _ in range(800)]
    other = mutate(base, random.Random(8), 0.05)
    a, b = toks(base), toks(other)
    assert align(a, b, settings=S) == align(a, b, settings=S)


def test_the_numpy_prefilter_of_a_reused_query_finds_what_the_plain_lookup_finds():
    # a two-bill compare looks B's k-grams up directly; a query met again (a search) filters
    # them by numpy codes first: both must give the same passages, degenerate text included
    from billdiff import aligner

    rng = random.Random(11)
    for base in ([f"w{rng.randrange(60)}" for _ in range(900)], ["of", "the", "state"] * 700):
        aligner._A_CACHE.clear()
        a = toks(base)
        others = [toks(mutate(base, random.Random(s), 0.05, moves=3)) for s in (1, 2, 3)]
        first = [align(a, b, settings=S) for b in others]  # the first meets the plain lookup
        side = aligner._A_CACHE[0][3]
        assert side.codes is not None  # the later ones went through the numpy prefilter
        aligner._A_CACHE.clear()
        again = [align(a, b, settings=S) for b in reversed(others)]
        assert first == list(reversed(again))


def test_a_two_bill_compare_does_not_load_numpy(tmp_path):
    # numpy's import is 60 ms of a compare's start-up; the plain paths serve one pair
    import subprocess
    import sys

    rng = random.Random(3)
    words = [f"w{rng.randrange(300)}" for _ in range(3000)]  # SYNTHETIC
    (tmp_path / "a.txt").write_text(" ".join(words))
    (tmp_path / "b.txt").write_text(" ".join(mutate(words, rng, 0.05, moves=2)))
    code = (
        "import sys, billdiff; r = billdiff.compare(sys.argv[1], sys.argv[2]); "
        "assert r.passages; print('numpy' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path / "a.txt"), str(tmp_path / "b.txt")],
        capture_output=True,
        text=True,
    )
    assert out.stdout.strip() == "False", out.stderr


# ------------------------------------------------------------------------------ oracle


def mutate(words, rng, rate, moves=0):
    out = []
    for w in words:
        r = rng.random()
        if r < rate / 3:
            out.append(f"sub{rng.randrange(10**6)}")
        elif r < 2 * rate / 3:
            continue
        elif r < rate:
            out += [w, f"ins{rng.randrange(10**6)}"]
        else:
            out.append(w)
    for _ in range(moves):
        if len(out) < 60:
            break
        n = rng.randrange(15, 40)
        s = rng.randrange(len(out) - n)
        blk = out[s : s + n]
        del out[s : s + n]
        t = rng.randrange(len(out))
        out[t:t] = blk
    return out


@pytest.mark.parametrize("seed", range(12))
def test_every_exact_match_of_min_words_is_covered(seed):
    """Recall against the brute-force oracle, on repetitive text with edits and moves."""
    rng = random.Random(seed)
    vocab = [f"v{k}" for k in range(rng.choice((8, 30, 200)))]
    base = [rng.choice(vocab) for _ in range(rng.randrange(80, 260))]
    other = mutate(base, rng, rng.choice((0.02, 0.06, 0.15)), moves=rng.randrange(3))
    a, b = toks(base), toks(other)
    ps = align(a, b, settings=S)
    check_wellformed(ps, a, b, S)
    ca, cb = covered(ps, "a"), covered(ps, "b")
    for i, j, n in brute_mems(a.words, b.words, S.min_words):
        assert set(range(i, i + n)) <= ca, (i, j, n)
        assert set(range(j, j + n)) <= cb, (i, j, n)


# ------------------------------------------------------------------------------ properties

word = st.sampled_from([f"w{k}" for k in range(40)])


@st.composite
def pair(draw):
    base = draw(st.lists(word, min_size=0, max_size=150))
    rng = random.Random(draw(st.integers(0, 2**32)))
    other = mutate(base, rng, draw(st.sampled_from((0.0, 0.03, 0.1))), draw(st.integers(0, 2)))
    return base, other


@hsettings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pair(), st.integers(3, 15))
def test_properties(p, min_words):
    base, other = p
    s = Settings(min_words=min_words, seed_words=min(5, min_words))
    a, b = toks(base), toks(other)
    ps = align(a, b, settings=s)
    check_wellformed(ps, a, b, s)
    # symmetry: swapping A and B mirrors what is covered
    back = align(b, a, settings=s)
    assert covered(ps, "a") == covered(back, "b")
    assert covered(ps, "b") == covered(back, "a")
    # identical texts are covered in full
    if len(base) >= min_words:
        full = align(a, a, settings=s)
        assert coverage(full, len(a), len(a)) == (1.0, 1.0)


@pytest.mark.parametrize("seed", range(150))
def test_swapping_a_and_b_mirrors_the_passages(seed):
    """Repetitive texts (vocabularies of 3-100 words), edits, moves and varied settings:
    align(B, A) gives exactly the mirror of align(A, B)."""
    rng = random.Random(seed)
    vocab = rng.choice((3, 6, 20, 100))
    base = [f"w{rng.randrange(vocab)}" for _ in range(rng.randrange(50, 400))]
    other = mutate(base, rng, rng.choice((0.0, 0.03, 0.1, 0.25)), rng.randrange(4))
    mw = rng.choice((3, 5, 8, 12, 20))
    s = Settings(
        min_words=mw,
        seed_words=min(5, mw),
        max_gap=rng.choice((0, 3, 8, 15)),
        min_identity=rng.choice((0.5, 0.7, 0.95)),
    )
    a, b = toks(base), toks(other)
    ps, back = align(a, b, settings=s), align(b, a, settings=s)
    check_wellformed(ps, a, b, s)
    mirrored = sorted((p.b_start, p.b_end, p.a_start, p.a_end, p.identical_words) for p in back)
    assert sorted((p.a_start, p.a_end, p.b_start, p.b_end, p.identical_words) for p in ps) == (
        mirrored
    )


@hsettings(max_examples=60, deadline=None)
@given(st.lists(word, min_size=0, max_size=80), st.lists(word, min_size=0, max_size=80))
def test_recall_of_exact_matches_on_random_pairs(x, y):
    a, b = toks(x), toks(y)
    ps = align(a, b, settings=S)
    check_wellformed(ps, a, b, S)
    ca = covered(ps, "a")
    for i, _j, n in brute_mems(a.words, b.words, S.min_words):
        assert set(range(i, i + n)) <= ca
