"""An Open States API v3 client: the bill versions updated since a date.

``GET {api}/bills?jurisdiction=…&q=…&session=…&updated_since=…&include=versions&page=N``
with the key in the ``X-API-KEY`` header (never in the URL, never in a message). The
response shapes relied on (https://docs.openstates.org/api-v3/, interactive reference at
https://v3.openstates.org/docs/) are documented in docs/watch.md:

    {"results": [{"id", "identifier", "title", "session", "updated_at", "openstates_url",
                  "jurisdiction": {"id", "name"},
                  "versions": [{"note", "date", "links": [{"url", "media_type"}]}]}],
     "pagination": {"per_page", "page", "max_page", "total_items"}}

Faults: 401/403 and a missing key are ``OpenStatesError`` at once; 429 waits ``Retry-After``
(at most ``retry_after_max`` seconds, else an error); 5xx, time-outs and cut connections are
retried with backoff. The version links point at the legislatures' own sites; the round
downloads them with ``billdiff.fetch``.
"""

from __future__ import annotations

import json
import re
import time
from urllib.parse import urlencode

from .._version import __version__
from ..errors import BilldiffError
from ..fetch import retry_after
from .sources import Item

# text first: the legislature's HTML or text is read best; PDF next; anything else last
_PREFER = ("text/html", "text/plain", "application/pdf")


class OpenStatesError(BilldiffError):
    """The API cannot be used this round (key refused, rate limit, server down)."""


def bill_versions(
    query,
    *,
    api_url: str,
    api_key: str,
    since: str | None = None,
    per_page: int = 20,
    max_pages: int = 50,
    retry_after_max: float = 120.0,
    timeout: float = 30.0,
    retries: int = 3,
    sleep=time.sleep,
) -> tuple[list[Item], bool]:
    """Every version of every bill the query returns; (items, complete). ``complete`` is
    False when ``max_pages`` stopped the listing before its last page."""
    if not api_key:
        raise OpenStatesError(
            "no Open States API key",
            hint="set OPENSTATES_API_KEY (a free key: https://openstates.org/accounts/profile/)"
            " or api_key in the [openstates] table of watch.toml",
        )
    params = {"jurisdiction": query.jurisdiction, "include": "versions", "per_page": per_page}
    if query.q:
        params["q"] = query.q
    if query.session:
        params["session"] = query.session
    if since:
        params["updated_since"] = since
    items: list[Item] = []
    page, max_page = 1, 1
    while page <= max_page:
        if page > max_pages:
            return items, False
        body = _get_json(
            f"{api_url.rstrip('/')}/bills?{urlencode({**params, 'page': page})}",
            api_key,
            retry_after_max=retry_after_max,
            timeout=timeout,
            retries=retries,
            sleep=sleep,
        )
        try:
            results = body["results"]
            max_page = int(body["pagination"]["max_page"])
        except (KeyError, TypeError, ValueError):
            raise OpenStatesError(
                "the Open States API answered JSON without results and pagination",
                hint="check [openstates] url; the API may have changed",
            ) from None
        for bill in results:
            items.extend(_versions(query.name, bill))
        page += 1
    return items, True


def _versions(source: str, bill: dict) -> list[Item]:
    if not isinstance(bill, dict) or not bill.get("id"):
        return []
    jur = (bill.get("jurisdiction") or {}).get("id", "")
    m = re.search(r"/state:([a-z]{2})/", jur)
    state = m.group(1).upper() if m else ""
    ident = str(bill.get("identifier", ""))
    out = []
    for v in bill.get("versions") or []:
        links = [x for x in (v.get("links") or []) if isinstance(x, dict) and x.get("url")]
        if not links:
            continue
        link = min(
            links,
            key=lambda x: (
                _PREFER.index(x.get("media_type"))
                if x.get("media_type") in _PREFER
                else len(_PREFER)
            ),
        )
        note = str(v.get("note", ""))
        url = str(link["url"])
        label = " ".join(p for p in (state, ident) if p) or bill["id"]
        meta = {
            "id": re.sub(
                r"[^A-Za-z0-9._-]+", "-", f"{state}-{bill.get('session', '')}-{ident}-{note}"
            )
            .strip("-")
            .lower(),
            "state": state,
            "session": str(bill.get("session", "")),
            "bill": ident,
            "version": note,
            "date": str(v.get("date", ""))[:10],
            "title": str(bill.get("title", "")),
            "source_url": url,
        }
        out.append(
            Item(
                source,
                str(bill["id"]),
                url,
                url=url,
                label=f"{label} ({note})" if note else label,
                link=url,
                meta=tuple(sorted(meta.items())),
                updated_at=str(bill.get("updated_at", "")),
            )
        )
    return out


def _get_json(url, api_key, *, retry_after_max, timeout, retries, sleep):
    import urllib.error
    import urllib.request

    from ..fetch import _opener, check_url

    check_url(url)
    opener = _opener()
    headers = {
        "X-API-KEY": api_key,
        "User-Agent": f"billdiff/{__version__}",
        "Accept": "application/json",
    }
    failures = 0
    waited_429 = 0
    while True:
        req = urllib.request.Request(url, headers=headers)
        why = ""
        try:
            with opener.open(req, timeout=timeout) as resp:
                data = resp.read(32 << 20)
            try:
                return json.loads(data)
            except ValueError:
                raise OpenStatesError(
                    "the Open States API answered something that is not JSON",
                    hint="check [openstates] url",
                ) from None
        except urllib.error.HTTPError as err:
            status = err.code
            if status in (401, 403):
                raise OpenStatesError(
                    f"the Open States API refused the key (HTTP {status})",
                    hint="check OPENSTATES_API_KEY (or api_key in watch.toml)",
                ) from None
            if status == 429:
                wait = retry_after(err.headers.get("Retry-After"))
                if wait > retry_after_max or waited_429 >= 5:
                    raise OpenStatesError(
                        f"the Open States API rate limit is reached (HTTP 429, retry after "
                        f"{wait:g} s)",
                        hint="run the round later; the versions not checked are kept for it",
                    ) from None
                waited_429 += 1
                sleep(wait)
                continue
            if status < 500:
                raise OpenStatesError(
                    f"the Open States API answered HTTP {status} {err.reason}",
                    hint="check the [openstates] query (jurisdiction, session)",
                ) from None
            why = f"HTTP {status} {err.reason}"
        except TimeoutError:
            why = f"timed out after {timeout:g} s"
        except urllib.error.URLError as err:
            why = f"cannot connect ({err.reason})"
        except OSError as err:
            why = f"network error ({err.__class__.__name__})"
        failures += 1
        if failures > retries:
            raise OpenStatesError(
                f"the Open States API failed {failures} times ({why})",
                hint="try again later; the versions not checked are kept for the next round",
            )
        sleep(min(0.5 * 2 ** (failures - 1), 8.0))
