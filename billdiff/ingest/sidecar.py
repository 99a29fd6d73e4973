"""Metadata: the ``<stem>.json`` sidecar beside a file, overridden by the caller's ``meta``.

Sidecar fields (as in ../shared/corpus): ``state``, ``session``, ``bill``, ``version``,
``title``, ``sponsors``, ``dates`` {name: date}, ``source`` {…}; everything else goes to
``Metadata.extra``. ``date`` is the first ISO date (YYYY-MM-DD) found among ``dates``.
"""

from __future__ import annotations

import json
import re
from dataclasses import fields
from pathlib import Path

from ..errors import InputError
from ..model import Metadata

_ISO = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
_US_DATE = re.compile(r"\b(\d{1,2})/(\d{1,2})/(\d{2}|\d{4})\b")
_FIELDS = {f.name for f in fields(Metadata)}


def sidecar_path(path: Path) -> Path | None:
    if path.suffix.lower() == ".json":
        return None
    side = path.with_name(path.stem + ".json")
    return side if side.is_file() else None


def load_sidecar(path: Path) -> dict:
    """Metadata fields from a sidecar file ({} when unreadable is not acceptable: raise)."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise InputError(
            f"the metadata sidecar is not valid JSON ({err.__class__.__name__})",
            path=str(path),
            hint="fix or remove the .json file beside the bill",
        ) from None
    if not isinstance(raw, dict):
        raise InputError(
            "the metadata sidecar is not a JSON object",
            path=str(path),
            hint="fix or remove the .json file beside the bill",
        )
    return from_sidecar(raw)


def first_date(value) -> str:
    """First date in a value (str, dict or list), as YYYY-MM-DD; '' when none."""
    items = (
        value.values()
        if isinstance(value, dict)
        else value
        if isinstance(value, list | tuple)
        else [value]
    )
    for v in items:
        if isinstance(v, dict | list | tuple):
            d = first_date(v)
        else:
            d = _date_in(str(v))
        if d:
            return d
    return ""


def _date_in(s: str) -> str:
    m = _ISO.search(s)
    if m:
        return m.group(0)
    m = _US_DATE.search(s)
    if m:
        mo, day, yr = int(m.group(1)), int(m.group(2)), m.group(3)
        year = int(yr) + (2000 if len(yr) == 2 and int(yr) < 70 else 1900 if len(yr) == 2 else 0)
        if 1 <= mo <= 12 and 1 <= day <= 31:
            return f"{year:04d}-{mo:02d}-{day:02d}"
    return ""


# The date of a document is the day its text took the stage its version names: a codified or
# enacted text dates from its signing (as the manifests date it), an engrossed one from its
# passage, a substitute from its report; otherwise the first date (introduction).
_STAGE_KEYS = (
    (
        re.compile(r"codif|enact|session.?law|chapter|signed|\blaw\b", re.I),
        r"sign|approv|enact|chapter",
    ),
    (re.compile(r"engross|passed", re.I), r"pass"),
    (re.compile(r"substitute", re.I), r"substitute"),
)


def stage_date(dates, version: str) -> str:
    """The date in ``dates`` (a {event: date} dict, or any value) for ``version``'s stage."""
    if isinstance(dates, dict):
        for stage, keys in _STAGE_KEYS:
            if stage.search(version):
                for k, v in dates.items():
                    if re.search(keys, str(k), re.I):
                        d = first_date(v)
                        if d:
                            return d
                break
    return first_date(dates)


def _short_bill(b: str) -> str:
    """'SB 6280 (enacted as ESSB 6280, chapter 257, Laws of 2020); codified as …' → 'SB 6280'
    (labels stay short; the full text is kept in extra['bill_full'])."""
    short = re.split(r"\s*[;(]", b, maxsplit=1)[0].strip()
    return short if short and len(b) > 24 else b


def _short_version(v: str) -> str:
    """'eh (engrossed-in-house)' → 'eh'; 'introduced; heading …' → 'introduced'."""
    return re.split(r"\s*[;(]", v, maxsplit=1)[0].strip() or v


def _state(s: str) -> str:
    m = re.match(r"^([A-Z]{2})\b", s.strip())
    return m.group(1) if m else s.strip()


def from_sidecar(raw: dict) -> dict:
    out: dict = {}
    extra: dict[str, str] = {}
    for k, v in raw.items():
        if v is None:
            continue
        if k == "sponsors":
            out["sponsors"] = tuple(v) if isinstance(v, list) else (str(v),)
        elif k == "dates":
            out["date"] = stage_date(v, str(raw.get("version") or ""))
            extra["dates"] = json.dumps(v, sort_keys=True, ensure_ascii=False)
        elif k == "date":
            out["date"] = first_date(v)
        elif k == "source":
            if isinstance(v, dict):
                url = v.get("original_url") or v.get("url") or ""
                if url:
                    out["source_url"] = str(url)
                extra["source"] = json.dumps(v, sort_keys=True, ensure_ascii=False)
            elif isinstance(v, str) and v.startswith(("http://", "https://")):
                out["source_url"] = v
        elif k == "version":
            out["version"] = _short_version(str(v))
            if out["version"] != str(v):
                extra["version_full"] = str(v)
        elif k == "state":
            out["state"] = _state(str(v))
            if out["state"] != str(v):
                extra["state_full"] = str(v)
        elif k == "bill":
            out["bill"] = _short_bill(str(v))
            if out["bill"] != str(v):
                extra["bill_full"] = str(v)
        elif k in ("title", "session", "id", "source_url"):
            out[k] = str(v)
        else:
            extra[k] = (
                v if isinstance(v, str) else json.dumps(v, sort_keys=True, ensure_ascii=False)
            )
    out["extra"] = extra
    return out


def build_metadata(base: dict, side: dict, meta: dict | None) -> Metadata:
    """base (id, source, sha256, format) ← sidecar ← meta; unknown keys go to extra."""
    merged: dict = dict(base)
    extra: dict[str, str] = dict(side.get("extra", {}))
    for layer in (side, meta or {}):
        for k, v in layer.items():
            if k == "extra":
                if layer is meta:
                    extra.update({str(a): str(b) for a, b in dict(v).items()})
                continue
            if v is None:
                continue
            if k not in _FIELDS:
                extra[str(k)] = str(v)
            elif k == "sponsors":
                merged[k] = (v,) if isinstance(v, str) else tuple(str(x) for x in v)
            elif k == "date" and layer is meta:
                merged[k] = first_date(v) or str(v)
            else:
                merged[k] = str(v) if k != "extra" else v
    merged["extra"] = tuple(sorted(extra.items()))
    return Metadata(**merged)
