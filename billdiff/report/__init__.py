"""Renderers: rich terminal views, JSON/CSV/DOT writers, the HTML report. They never compute."""
