"""Open a report in headless Chromium (selenium) and read what a person would see.

Used by ``test_report_browser.py``. Chromium and its driver are Debian's ``chromium`` and
``chromium-driver`` (``.ci/run`` installs them when missing); selenium is in the ``test``
extra. :func:`browser` gives ``None`` when either is missing, so the test can say why it
is skipped instead of failing on an import.
"""

from __future__ import annotations

import contextlib
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

# Debian's names first; other systems name the same programs differently.
CHROMIUM = ("chromium", "chromium-browser", "google-chrome")
DRIVER = ("chromedriver",)


def _which(names: tuple[str, ...]) -> str | None:
    return next((p for p in map(shutil.which, names) if p), None)


def missing() -> str:
    """Why no browser can run here ("" when it can)."""
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed (pip install -e '.[test]')"
    if _which(CHROMIUM) is None or _which(DRIVER) is None:
        return "chromium or chromedriver is not installed (apt-get install chromium " \
               "chromium-driver; .ci/run does it)"
    return ""


@contextlib.contextmanager
def browser() -> Iterator[object]:
    """A headless Chromium driver that keeps the page's console log; quit on exit."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = _which(CHROMIUM)
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--window-size=1280,2000", "--allow-file-access-from-files"):
        opts.add_argument(arg)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(_which(DRIVER)), options=opts)
    driver.set_page_load_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()


@dataclass(frozen=True)
class Figure:
    """One ``<img>`` of the page: its alt text, drawn size in pixels and data length."""

    alt: str
    width: int
    height: int
    src_chars: int

    @property
    def drawn(self) -> bool:
        """The image decoded to a non-empty picture."""
        return self.width > 0 and self.height > 0 and self.src_chars > 100


@dataclass(frozen=True)
class Page:
    """What the browser found on one report."""

    title: str
    severe: tuple[str, ...]          # console messages at SEVERE (errors)
    figures: tuple[Figure, ...]
    texts: dict[str, str]            # CSS selector -> visible text ("" when absent)

    def text(self, selector: str) -> str:
        return self.texts.get(selector, "")


_FIGURES_JS = """
return Array.from(document.images).map(i => [i.alt || '', i.naturalWidth, i.naturalHeight,
                                              (i.getAttribute('src') || '').length]);
"""


def open_page(driver: object, path: Path, selectors: tuple[str, ...] = ()) -> Page:
    """Load ``path`` and read its console errors, figures and the text of ``selectors``.

    Waits until the document and every image have loaded (``complete``).
    """
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    driver.get_log("browser")   # drop what an earlier page logged
    driver.get(Path(path).resolve().as_uri())
    WebDriverWait(driver, 30).until(lambda d: d.execute_script(
        "return document.readyState === 'complete' && "
        "Array.from(document.images).every(i => i.complete)"))
    severe = tuple(e["message"] for e in driver.get_log("browser") if e["level"] == "SEVERE")
    figures = tuple(Figure(a, int(w), int(h), int(n))
                    for a, w, h, n in driver.execute_script(_FIGURES_JS))
    texts = {}
    for sel in selectors:
        found = driver.find_elements(By.CSS_SELECTOR, sel)
        texts[sel] = " ".join(e.text for e in found).strip()
    return Page(driver.title, severe, figures, texts)
