#!/usr/bin/env python3
"""Screenshots of a lineage report in headless Chromium, for docs/reports.md: the top of the
page, the graph, and the first edge section with passages (JPEG, 1280 px wide).

    .venv/bin/python bench/report_shots.py reports/facial-recognition/index.html docs/img/after
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("report", type=Path)
    ap.add_argument("prefix", help="output path prefix: PREFIX-top.jpg, -graph.jpg, -edge.jpg")
    ap.add_argument("--chromium", default=os.environ.get("BILLDIFF_CHROMIUM", "/usr/bin/chromium"))
    ap.add_argument("--png", action="store_true", help="PNG instead of JPEG")
    a = ap.parse_args()
    ext = "png" if a.png else "jpg"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=a.chromium, args=ARGS, headless=True)
        pg = b.new_page(viewport={"width": 1280, "height": 900})
        pg.goto(a.report.resolve().as_uri(), wait_until="load")
        shot = {"type": "png"} if a.png else {"type": "jpeg", "quality": 70}
        pg.screenshot(path=f"{a.prefix}-top.{ext}", **shot)
        pg.locator("#graph").scroll_into_view_if_needed()
        pg.evaluate("() => document.getElementById('graph').scrollIntoView()")
        pg.screenshot(path=f"{a.prefix}-graph.{ext}", **shot)
        pg.evaluate("() => document.querySelector('#edges section.edge').scrollIntoView()")
        pg.screenshot(path=f"{a.prefix}-edge.{ext}", **shot)
        b.close()
    print(" ".join(f"{a.prefix}-{k}.{ext}" for k in ("top", "graph", "edge")))


if __name__ == "__main__":
    main()
