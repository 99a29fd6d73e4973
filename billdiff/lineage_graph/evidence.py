"""One candidate pair → verified alignment → the evidence lineage reasons with.

Each passage of the verified alignment is sorted into one of three heaps:

* ``boiler``: stock phrase or mostly corpus-common text (``Passage.is_boilerplate``);
* ``law``: existing-law text both bills quote because both amend the same section (the
  passage lies, on both sides, inside a section introduced by "RCW x.y.z and … are each
  amended to read as follows:" — or "Section … is amended to read as follows" — citing the
  same section);
* ``subst``: everything else — the reuse that can mean copying. A passage where one side is
  a codified section ("RCW 43.386.901" heading) and the other side amends that very section
  is substantive, and remembered in ``quoted`` so the reason can say so.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from ..amend import LawSpans
from ..model import PairReport, Passage
from ..pairwise import compare_docs
from ..settings import Settings


@dataclass
class Evidence:
    """The verified pair (``i`` < ``j``; ``report.a`` is document ``i``)."""

    i: int
    j: int
    report: PairReport
    subst: list[Passage]
    law: list[Passage]
    boiler: list[Passage]
    words_i: int
    words_j: int
    law_cites: tuple[str, ...]  # sections both amend (where their shared law text lies)
    quoted: tuple[str, ...]  # sections one side is and the other amends
    quoted_from_i: bool = False  # document i is the codified law the other amends

    @property
    def shared_words(self) -> int:
        """Words of the substantive text both share (the smaller side's covered words)."""
        return min(
            round(self.coverage("i") * self.words_i), round(self.coverage("j") * self.words_j)
        )

    def distinct_words(self, k: int = 5) -> int:
        """Distinct shared text: a phrase repeated in both bills counts once (≈ words)."""
        toks = self.report.a_tokens
        if toks is None:
            return self.shared_words
        grams = set()
        for s, e in self.spans("i"):
            w = toks.words[s:e]
            grams.update(tuple(w[x : x + k]) for x in range(max(len(w) - k + 1, 1)))
        return len(grams) + (k - 1 if grams else 0)

    def coverage(self, which: str, passages=None) -> float:
        """Share of document i ('i') or j ('j') inside the given passages (union)."""
        ps = self.subst if passages is None else passages
        spans = sorted((p.a_start, p.a_end) if which == "i" else (p.b_start, p.b_end) for p in ps)
        total, cur_s, cur_e = 0, -1, -1
        for s, e in spans:
            if s > cur_e:
                total += max(0, cur_e - cur_s)
                cur_s, cur_e = s, e
            else:
                cur_e = max(cur_e, e)
        total += max(0, cur_e - cur_s)
        n = self.words_i if which == "i" else self.words_j
        return total / n if n else 0.0

    def spans(self, which: str) -> list[tuple[int, int]]:
        return sorted(
            (p.a_start, p.a_end) if which == "i" else (p.b_start, p.b_end) for p in self.subst
        )


def evidence(
    corpus, i: int, j: int, *, law: list[LawSpans], boiler_share, settings: Settings
) -> Evidence:
    """Verify pair (i, j) and sort its passages. ``boiler_share(doc, tokens, s, e)``."""
    da, db = corpus.docs[i], corpus.docs[j]
    ta, tb = corpus.tokens[i], corpus.tokens[j]
    rep = compare_docs(da, db, ta, tb, settings=settings)  # names stock phrases itself
    marked, subst, lawp, boiler = [], [], [], []
    cites, quoted, from_i = set(), set(), False
    for p in rep.passages:
        share = max(p.boilerplate_share, boiler_share(i, ta, p.a_start, p.a_end))
        if share != p.boilerplate_share:
            p = replace(p, boilerplate_share=share)
        am = (p.a_char_start + p.a_char_end) // 2
        bm = (p.b_char_start + p.b_char_end) // 2
        ca, cb = LawSpans.cite_at(law[i].amend, am), LawSpans.cite_at(law[j].amend, bm)
        qa = LawSpans.cite_at(law[i].codified, am)
        qb = LawSpans.cite_at(law[j].codified, bm)
        if (qa and qa == cb) or (qb and qb == ca):
            # one side is the section the other amends: specific, even when stock wording
            quoted.add(qa if qa == cb else qb)
            from_i = from_i or qa == cb
            p = replace(p, boilerplate_share=0.0, stock_phrase="")
            marked.append(p)
            subst.append(p)
            continue
        if p.a_char_end <= law[i].body_start and p.b_char_end <= law[j].body_start:
            # both in the headers (sponsors, dates, committee, caption): not bill text
            p = replace(p, stock_phrase=p.stock_phrase or "bill header")
        marked.append(p)
        if ca and ca == cb:
            lawp.append(p)
            cites.add(ca)
        elif p.is_boilerplate:
            boiler.append(p)
        else:
            subst.append(p)
    rep = replace(rep, passages=tuple(marked))
    return Evidence(
        i,
        j,
        rep,
        subst,
        lawp,
        boiler,
        len(ta),
        len(tb),
        tuple(sorted(cites)),
        tuple(sorted(quoted)),
        from_i,
    )
