"""``planwatch serve --workers 2``: several processes behind one port act as one app."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest

from planwatch.demo.seed import DEMO_PASSWORD
from tests.conftest import ONE_AT_A_TIME
from tests.web.browser import free_port, planwatch_process

pytestmark = [pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="finds the worker processes in /proc"),
              ONE_AT_A_TIME]


def _children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def test_workers_share_sessions_and_serve_every_page(database_url: str) -> None:
    workers: list[int] = []
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with planwatch_process("serve", "--db", database_url, "--port", str(port), "--workers", "2",
                           serving=base) as server:
        workers += [c for c in _children(server.pid) if "spawn_main" in Path(f"/proc/{c}/cmdline").read_text()]
        assert len(workers) == 2

        form = httpx.get(f"{base}/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
        assert token
        logged_in = httpx.post(f"{base}/login", cookies=form.cookies, data={
            "login": "lingdao", "password": DEMO_PASSWORD, "csrf_token": token.group(1), "next": "/"})
        assert logged_in.status_code == 303
        # a new connection per request: the kernel hands them to either worker, and each
        # must know the session signed by the other
        for _ in range(12):
            page = httpx.get(f"{base}/dashboard", cookies=logged_in.cookies, follow_redirects=False)
            assert page.status_code == 200 and "status-table" in page.text
    assert not any(Path(f"/proc/{pid}").exists() for pid in workers)  # Ctrl+C stops the workers too
