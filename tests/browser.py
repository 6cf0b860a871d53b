"""Headless Chromium driven by Playwright for the page tests: the system's Chromium (CI
installs it with apt, .ci/run), offline (every host name but 127.0.0.1 fails to resolve)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

# every host name fails to resolve, but this machine (wom lab serves its pages on 127.0.0.1)
OFFLINE = [
    "--no-sandbox",
    "--disable-gpu",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
]


def chromium_path() -> str:
    """The Chromium to drive; fails under ``CI=true`` when missing, skips elsewhere."""
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    message = "chromium is not installed (Debian: apt-get install -y chromium)"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


@contextmanager
def browser() -> Iterator[Any]:
    """A Playwright browser on the system's Chromium, offline."""
    if os.environ.get("CI") == "true":
        from playwright.sync_api import sync_playwright  # the test extra installs it
    else:
        sync_playwright = pytest.importorskip("playwright.sync_api").sync_playwright
    executable = chromium_path()
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, args=OFFLINE)
        try:
            yield chromium
        finally:
            chromium.close()


def open_page(chromium: Any, url: str, width: int, height: int = 900) -> tuple[Any, list[str]]:
    """A page at ``width`` px showing ``url``, and the list its script errors go to; every
    request that leaves this machine is refused."""
    page = chromium.new_page(viewport={"width": width, "height": height})
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.route(
        "**/*",
        lambda route: (
            route.continue_()
            if route.request.url.startswith(("file:", "data:", "http://127.0.0.1", "ws:"))
            else (errors.append(f"fetched {route.request.url}"), route.abort())
        ),
    )
    page.goto(url)
    return page, errors


FIGURES = """() => [...document.querySelectorAll('.js-plotly-plot')].map(gd => {
  const box = gd.getBoundingClientRect();
  const part = (selector) => { const node = gd.querySelector(selector);
    if (!node) { return null; } const r = node.getBoundingClientRect();
    return r.width > 0 ? {left: r.left, right: r.right, top: r.top, bottom: r.bottom} : null; };
  return {id: gd.id, width: box.width, left: box.left, right: box.right, top: box.top,
          plotWidth: gd._fullLayout._size.w, plotHeight: gd._fullLayout._size.h,
          plotTop: box.top + gd._fullLayout._size.t,
          plotBottom: box.top + gd._fullLayout._size.t + gd._fullLayout._size.h,
          title: part('.gtitle'), legend: part('.legend'), buttons: part('.updatemenu-container'),
          drawn: gd.querySelectorAll('svg.main-svg').length};
})"""
"""Where each plotly figure of the page is drawn: its box, its plot area, title, legend and
an animation's buttons."""
