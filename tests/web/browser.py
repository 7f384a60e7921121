"""A real browser on a real server: uvicorn in a thread, Debian's Chromium via Playwright."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import uvicorn
from fastapi import FastAPI

from planwatch.demo.seed import DEMO_PASSWORD

if TYPE_CHECKING:
    from playwright.sync_api import Page, ViewportSize

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]


@contextmanager
def chromium() -> Iterator[Any]:
    """Debian's headless Chromium through Playwright, for a whole test module: starting one
    costs about a second of both CI cores, so a module opens pages and contexts in one."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@contextmanager
def live_server(app: FastAPI) -> Iterator[str]:
    """Serve ``app`` on a free loopback port for the duration of the block; yields its base URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


def log_in(page: Any, base: str, login: str, password: str = DEMO_PASSWORD) -> None:
    """Log in through the form as a person does, and wait for the dashboard."""
    page.goto(f"{base}/login")
    page.fill("input[name=login]", login)
    page.fill("input[name=password]", password)
    page.click("form button[type=submit]")
    page.wait_for_url(f"{base}/dashboard")


def free_port() -> int:
    """A loopback port nothing listens on, for a ``planwatch serve`` process a test starts."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


PLANWATCH = str(Path(sys.executable).with_name("planwatch"))


@contextmanager
def planwatch_process(*arguments: str, serving: str | None = None, stdout: int = subprocess.DEVNULL,
                      env: dict[str, str] | None = None) -> Iterator[subprocess.Popen[bytes]]:
    """A ``planwatch`` command in its own process (``serving``: wait until the app answers
    there), stopped with Ctrl+C as an operator stops it, killed if it does not stop. Its log
    goes nowhere: a pipe nobody reads fills after a few hundred requests and stops it."""
    process = subprocess.Popen([PLANWATCH, *arguments], stdout=stdout, stderr=subprocess.DEVNULL, env=env)
    try:
        if serving:
            wait_until_serving(serving, process)
        yield process
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wait_until_serving(base: str, process: subprocess.Popen[bytes], timeout: float = 60) -> None:
    """Return once the ``planwatch serve`` process at ``base`` answers its login page; fail the
    test if the process exits first or does not answer within ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            if httpx.get(f"{base}/login", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        assert time.monotonic() < deadline and process.poll() is None, f"planwatch serve did not start at {base}"
        time.sleep(0.2)


DESKTOP: ViewportSize = {"width": 1366, "height": 768}
PHONE: ViewportSize = {"width": 390, "height": 844}


# The element reaching furthest right, for the message when a page scrolls sideways.
_WIDEST = """() => { let far = null, right = 0;
  for (const e of document.querySelectorAll("body *")) { const r = e.getBoundingClientRect().right;
    if (r > right) { right = r; far = e; } }
  return far ? `${far.tagName.toLowerCase()}#${far.id}.${far.className} ${far.outerHTML.slice(0, 160)}` : ""; }"""


def photograph(page: Page, folder: Path, name: str) -> None:
    """Screenshots of the page at desktop (1366×768) and phone (390×844) size, full length; at
    phone size nothing may scroll sideways."""
    page.screenshot(path=str(folder / f"{name}-desktop.png"), full_page=True)
    page.set_viewport_size(PHONE)
    # let the page lay itself out again (charts resize from a ResizeObserver, before the next frame)
    page.evaluate("() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"{name}: the page is {overflow}px wider than a 390px phone: {page.evaluate(_WIDEST)}"
    page.screenshot(path=str(folder / f"{name}-phone.png"), full_page=True)
    page.set_viewport_size(DESKTOP)
