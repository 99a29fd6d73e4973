"""Where a round's alerts go: a JSON Lines file, a digest file, a webhook.

Every destination gets the checks not alerted yet; a destination that fails is one error line
of the round (the other destinations and the recorded checks are kept).
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from .._version import __version__


def deliver_to(config, lines: list[dict], rnd: int) -> list[str]:
    errors = []
    if config.jsonl:
        try:
            append_jsonl(config.jsonl, lines)
        except OSError as err:
            errors.append(f"cannot write the alerts to {config.jsonl} ({err.strerror or err})")
    if config.digest:
        from ..report.watch import digest_html, digest_markdown

        html = config.digest.lower().endswith((".html", ".htm"))
        text = (digest_html if html else digest_markdown)(lines, rnd)
        try:
            write_atomic(config.digest, text)
        except OSError as err:
            errors.append(f"cannot write the digest {config.digest} ({err.strerror or err})")
    if config.webhook:
        err = post_webhook(config.webhook, lines, rnd, timeout=config.timeout)
        if err:
            errors.append(err)
    return errors


def append_jsonl(path, lines: list[dict]) -> None:
    if not lines:
        return
    with open(path, "a", encoding="utf-8") as f:
        for x in lines:
            f.write(json.dumps(x, ensure_ascii=False, sort_keys=True) + "\n")


def write_atomic(path, text: str) -> None:
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".digest-", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def summary(x: dict) -> dict:
    """A check without its full search result (what the webhook gets)."""
    return {k: v for k, v in x.items() if k != "search"}


def post_webhook(url: str, lines: list[dict], rnd: int, *, timeout: float = 30) -> str:
    """POST the round's alerts and failures as JSON; '' when delivered, else one error line.
    Nothing is sent when the round has neither."""
    import urllib.error
    import urllib.request

    from ..errors import FetchError
    from ..fetch import _opener, check_url

    send = [summary(x) for x in lines if x.get("alert") or x["status"] == "failed"]
    if not send:
        return ""
    try:
        check_url(url)
    except FetchError as err:
        return f"the webhook URL is not valid: {err.message}"
    body = json.dumps(
        {
            "schema": "billdiff.watch.alerts/1",
            "round": rnd,
            "tool_version": __version__,
            "checks": send,
        },
        ensure_ascii=False,
    ).encode()
    req = urllib.request.Request(
        url,
        data=body,
        method="POST",
        headers={"Content-Type": "application/json", "User-Agent": f"billdiff/{__version__}"},
    )
    try:
        with _opener().open(req, timeout=timeout) as resp:
            resp.read(1 << 16)
    except urllib.error.HTTPError as err:
        return f"the webhook answered HTTP {err.code} {err.reason} — the alerts are in the digest"
    except (OSError, urllib.error.URLError) as err:
        return f"the webhook could not be reached ({err}) — the alerts are in the digest"
    return ""
