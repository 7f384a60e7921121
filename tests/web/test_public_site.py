"""The public site served by the app: no log-in, no session, only what was published.

The demo plan is published for 2021–2024 without one indicator (public_support.LEFT_OUT);
the demo's 2025 round (open, partly approved) and that indicator must never be reachable.
"""

from __future__ import annotations

import csv
import io
import re
from collections import deque
from collections.abc import Iterator
from urllib.parse import urljoin, urlsplit

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from planwatch.services import opinions
from planwatch.services.public_snapshot import plan_slug
from planwatch.services.session_keys import rotate_session_key
from planwatch.store import Database
from planwatch.store.models import (
    AuditEvent,
    PublicOpinion,
    User,
)
from planwatch.web import create_app
from planwatch.web.boundary import ANONYMOUS
from planwatch.web.public.live import PublicOptions
from planwatch.web.public.routes import OPINION_POST, PUBLIC_PREFIX
from tests.web.client import login
from tests.web.public_support import LEFT_OUT, Published, assert_nothing_unpublished, publish_demo

FAST = PublicOptions(refresh_seconds=0, min_fill_seconds=0)


@pytest.fixture
def published(database_url: str) -> Published:
    return publish_demo(database_url)


@pytest.fixture
def client(database_url: str, published: Published) -> Iterator[TestClient]:
    with TestClient(create_app(database_url, secret_key="public-test", public=FAST)) as test_client:
        yield test_client


def _count(url: str, model: type) -> int:
    database = Database(url)
    try:
        with database.session(readonly=True) as session:
            return session.scalar(select(func.count()).select_from(model)) or 0
    finally:
        database.dispose()


def test_the_public_site_needs_no_log_in_and_sets_no_cookie(client: TestClient, published: Published) -> None:
    plan = f"/public/plans/{published.slug}"
    for path in ("/public/", "/public/index.html", f"{plan}/index.html", f"{plan}/indicators/i001.html",
                 f"{plan}/progress.html", "/public/en/index.html", f"/public/en/plans/{published.slug}/index.html",
                 "/public/assets/public.css"):
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 200, path
        assert "set-cookie" not in response.headers, path
    home = client.get("/public/").text
    assert "青川区国民经济和社会发展“十四五”规划实施方案" in home and 'lang="zh-CN"' in home
    page = client.get(f"{plan}/index.html").text
    assert "发布机关：青川区发展和改革委员会" in page and "第 1 次发布" in page and "首次公开本规划的实施情况" in page
    assert 'lang="en"' in client.get("/public/en/index.html").text
    login(client, "pinggu")  # an official's session cookie is not even read here
    response = client.get(f"{plan}/index.html")
    assert response.status_code == 200 and "set-cookie" not in response.headers
    assert client.get("/public", follow_redirects=False).headers["location"] == "/public/"


def test_pages_are_cached_with_their_etag(client: TestClient, published: Published) -> None:
    path = f"/public/plans/{published.slug}/index.html"
    first = client.get(path)
    assert first.headers["cache-control"] == "public, no-cache"  # revalidated: a withdrawal shows at once
    again = client.get(path, headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304 and again.content == b""
    assert client.get("/public/plans/nothing/index.html").status_code == 404
    assert "页面不存在" in client.get("/public/no-such-page.html").text


def test_downloads_hold_the_published_figures(client: TestClient, published: Published, database_url: str) -> None:
    data = client.get(f"/public/plans/{published.slug}/data/i001.csv")
    assert data.headers["content-type"] == "text/csv; charset=utf-8"
    assert data.content.startswith("\ufeff".encode())  # Excel and WPS open UTF-8 Chinese as written
    rows = list(csv.DictReader(io.StringIO(data.content.decode("utf-8-sig"))))
    assert [r["年份"] for r in rows] == ["2021", "2022", "2023", "2024"]
    document = client.get(f"/public/plans/{published.slug}/data/i001.json").json()
    [indicator] = document["indicators"]
    assert [v["year"] for v in indicator["values"]] == [2021, 2022, 2023, 2024]
    assert [float(r["数值"]) for r in rows] == [v["value"] for v in indicator["values"]]
    whole = list(csv.DictReader(io.StringIO(
        client.get(f"/public/plans/{published.slug}/data/indicators.csv").content.decode("utf-8-sig"))))
    assert {r["指标代码"] for r in whole} == set(published.codes)


def _crawl(client: TestClient) -> dict[str, bytes]:
    """Every address reachable from the public home page by following links and stylesheets."""
    seen: dict[str, bytes] = {}
    queue = deque([f"{PUBLIC_PREFIX}/"])
    while queue:
        address = queue.popleft()
        if address in seen:
            continue
        response = client.get(address)
        assert response.status_code in (200, 410), address
        seen[address] = response.content
        if not response.headers["content-type"].startswith("text/html"):
            continue
        for link in re.findall(r'(?:href|src)="([^"]+)"', response.text):
            target = urlsplit(urljoin(address, link.replace("&amp;", "&")))
            assert not target.netloc, f"{address} links out of the site: {link}"
            assert target.path.startswith(f"{PUBLIC_PREFIX}/"), f"{address} links into the app: {link}"
            if not target.path.startswith(f"{PUBLIC_PREFIX}/opinions/"):
                queue.append(target.path)
    return seen


def test_nothing_unpublished_is_reachable(client: TestClient, published: Published, database_url: str) -> None:
    site = _crawl(client)
    assert_nothing_unpublished({address.removeprefix(f"{PUBLIC_PREFIX}/"): body for address, body in site.items()},
                               database_url, published)
    slug = LEFT_OUT.lower()
    assert client.get(f"/public/plans/{published.slug}/indicators/{slug}.html").status_code == 404
    assert client.get(f"/public/plans/{published.slug}/data/{slug}.csv").status_code == 404


def _form(client: TestClient, published: Published, indicator: str = "I001", lang: str = "zh") -> dict[str, str]:
    page = client.get(f"/public/opinions/new?plan={published.slug}&indicator={indicator}&lang={lang}")
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    token = re.search(r'name="token" value="([^"]+)"', page.text)
    assert token is not None
    return {"plan": published.slug, "indicator": indicator, "lang": lang, "token": token.group(1), "website": ""}


def _alert(response_text: str) -> str:
    found = re.search(r'role="alert"[^>]*>([^<]+)<', response_text)
    assert found is not None, "no message"
    return found.group(1)


@pytest.mark.parametrize(("lang", "fields", "status", "message"), [
    ("zh", {"text": "好"}, 422, "意见内容至少 5 个字"),
    ("en", {"text": "ok"}, 422, "Please write at least 5 characters"),
    ("zh", {"text": "意" * 2001}, 422, "意见内容最多 2000 个字，现有 2001 个字"),
    ("zh", {"text": "请公开各镇街的数据", "contact": "1" * 101, "consent": "yes"}, 422, "联系方式最多 100 个字"),
    ("zh", {"text": "请公开各镇街的数据", "contact": "13800000000"}, 422, "须勾选同意"),
    ("en", {"text": "Please publish data by town", "contact": "a@b.cn"}, 422, "tick the box"),
    ("zh", {"text": "请公开各镇街的数据", "token": "1.forged"}, 422, "表单无效"),
])
def test_bad_input_on_the_opinion_form_is_refused_in_the_visitors_language(
        client: TestClient, published: Published, database_url: str, lang: str, fields: dict[str, str],
        status: int, message: str) -> None:
    form = _form(client, published, lang=lang) | fields
    response = client.post("/public/opinions", data=form)
    assert response.status_code == status
    assert message in _alert(response.text)
    for link in re.findall(r'(?:href|action)="([^"#]+)"', response.text):  # relative to where it is answered
        target = urlsplit(urljoin(str(response.url), link.replace("&amp;", "&")))
        assert target.path == OPINION_POST or client.get(f"{target.path}?{target.query}").status_code == 200, link
    if "text" in fields and len(fields["text"]) < 100:
        assert f">{fields['text']}</textarea>" in response.text  # what was typed is kept
    assert _count(database_url, PublicOpinion) == 0


def test_a_control_character_pasted_into_the_contact_is_dropped_not_refused(
        client: TestClient, published: Published, database_url: str) -> None:
    form = _form(client, published) | {"text": "建议公开各镇街的入园率数据", "contact": "138\x0b0000 0000",
                                       "consent": "yes"}
    assert client.post("/public/opinions", data=form, follow_redirects=False).status_code == 303
    database = Database(database_url)
    try:
        with database.session(readonly=True) as session:
            stored = session.scalars(select(PublicOpinion.contact)).one()
    finally:
        database.dispose()
    assert stored == "1380000 0000"


def test_every_host_accepts_every_hosts_form_before_and_after_a_key_rotation(
        database_url: str, published: Published) -> None:
    with TestClient(create_app(database_url, public=FAST)) as first, \
            TestClient(create_app(database_url, public=FAST)) as second:
        issued_before = _form(first, published) | {"text": "建议公开各镇街的入园率数据"}
        assert second.post("/public/opinions", data=_form(first, published) | {"text": "第一台主机发出的表单"},
                           follow_redirects=False).status_code == 303
        database = Database(database_url)
        try:
            with database.session() as session:
                rotate_session_key(session, session.scalars(select(User).where(User.login == "admin")).one())
                session.commit()
        finally:
            database.dispose()
        stale = second.post("/public/opinions", data=issued_before)
        assert stale.status_code == 422 and "表单无效" in _alert(stale.text)
        assert ">建议公开各镇街的入园率数据</textarea>" in stale.text  # what was typed is kept
        assert first.post("/public/opinions", data=_form(second, published) | {"text": "轮换后发出的表单"},
                          follow_redirects=False).status_code == 303
        with TestClient(create_app(database_url, public=FAST)) as restarted:  # a host started after the rotation
            assert first.post("/public/opinions", data=_form(restarted, published) | {"text": "重启后的主机发出的表单"},
                              follow_redirects=False).status_code == 303
    assert _count(database_url, PublicOpinion) == 3


def test_the_form_limits_what_a_program_can_do(database_url: str, published: Published) -> None:
    options = PublicOptions(refresh_seconds=0, min_fill_seconds=30,
                            opinion_throttle=opinions.OpinionThrottle(max_posts=2))
    with TestClient(create_app(database_url, secret_key="public-test", public=options)) as client:
        form = _form(client, published) | {"text": "建议公开各镇街的入园率数据"}
        too_fast = client.post("/public/opinions", data=form)
        assert too_fast.status_code == 422 and "提交太快" in _alert(too_fast.text)
        trap = client.post("/public/opinions", data=form | {"website": "http://spam.example"}, follow_redirects=False)
        assert trap.status_code == 303  # told nothing, stores nothing
        huge = client.post("/public/opinions", data=form | {"text": "长" * 20_000})
        assert huge.status_code == 413 and "超过上限 32 KB" in huge.text
        assert _count(database_url, PublicOpinion) == 0
    with TestClient(create_app(database_url, secret_key="public-test",
                               public=PublicOptions(refresh_seconds=0, min_fill_seconds=0,
                                                    opinion_throttle=opinions.OpinionThrottle(max_posts=2)))) as client:
        for _ in range(2):
            form = _form(client, published) | {"text": "建议公开各镇街的入园率数据"}
            assert client.post("/public/opinions", data=form, follow_redirects=False).status_code == 303
        form = _form(client, published) | {"text": "第三条意见也想提交"}
        refused = client.post("/public/opinions", data=form)
        assert refused.status_code == 429 and "分钟后再提交" in _alert(refused.text)
        assert int(refused.headers["retry-after"]) > 3000
    assert _count(database_url, PublicOpinion) == 2
    limited = PublicOptions(refresh_seconds=0, pages_per_second=1, page_burst=3)
    with TestClient(create_app(database_url, secret_key="public-test", public=limited)) as client:
        answers = [client.get("/public/").status_code for _ in range(5)]
        assert answers[:3] == [200, 200, 200] and answers[-1] == 429


def test_an_opinion_is_shown_once_moderated_and_answered(client: TestClient, published: Published,
                                                        database_url: str) -> None:
    form = _form(client, published, lang="en") | {"text": "建议公开各镇街的入园率数据，便于家长比较。",
                                                  "contact": "parent@example.cn", "consent": "yes"}
    posted = client.post("/public/opinions", data=form)
    assert posted.status_code == 200 and "Thank you" in posted.text and 'lang="en"' in posted.text
    page = f"/public/plans/{published.slug}/indicators/i001.html"
    assert "便于家长比较" not in client.get(page).text
    token = login(client, "pinggu")
    queue = client.get("/opinions")
    assert "便于家长比较" in queue.text and "parent@example.cn" in queue.text
    opinion_id = int(re.search(r'id="opinion-(\d+)"', queue.text).group(1))  # type: ignore[union-attr]
    client.post(f"/opinions/{opinion_id}/moderate", data={"csrf_token": token, "decision": "show"})
    client.post(f"/opinions/{opinion_id}/answer", data={"csrf_token": token, "answer": "感谢建议，将在明年公开。"})
    client.cookies.clear()
    shown = client.get(page).text
    assert "便于家长比较" in shown and "感谢建议，将在明年公开。" in shown and "parent@example.cn" not in shown
    database = Database(database_url)
    try:
        with database.session(readonly=True) as session:
            actions = list(session.scalars(select(AuditEvent.action).where(
                AuditEvent.entity == opinions.OPINION_ENTITY).order_by(AuditEvent.id)))
    finally:
        database.dispose()
    assert actions == ["post", "show", "answer"]


def test_publishing_through_the_pages_with_four_eyes(database_url: str) -> None:
    with TestClient(create_app(database_url, secret_key="public-test", public=FAST)) as client:
        token = login(client, "pinggu")
        page = client.get("/plans/1/publishing")
        assert page.status_code == 200 and 'name="years" value="2024"' in page.text
        assert 'value="2025"' not in page.text  # not locked: not offered
        response = client.post("/plans/1/publishing", data={
            "csrf_token": token, "office": "青川区发展和改革委员会", "years": ["2024"],
            "indicators": ["森林覆盖率|%"], "note": ""}, follow_redirects=False)
        assert response.status_code == 303
        page = client.get(response.headers["location"])
        assert "公开申请已提出" in page.text and "本人提出的申请须由他人批准" in page.text
        decision = int(re.search(r'id="decision-(\d+)"', page.text).group(1))  # type: ignore[union-attr]
        refused = client.post(f"/publishing/{decision}/approve", data={"csrf_token": token})
        assert refused.status_code == 422 and "四眼原则" in refused.text
        preview = client.get(f"/publishing/{decision}/preview/plans/{_slug()}/index.html")
        assert preview.status_code == 200 and "森林覆盖率" in preview.text
        client.cookies.clear()
        assert client.get("/public/").text.count("<h2") == 0  # nothing public yet
        token = login(client, "tongji")
        approved = client.post(f"/publishing/{decision}/approve", data={"csrf_token": token})
        assert approved.status_code == 200 and "已批准" in approved.text
        client.cookies.clear()
        plan_page = client.get(f"/public/plans/{_slug()}/index.html").text
        assert "森林覆盖率" in plan_page and "数据年份：2024 年" in plan_page
        [code] = set(re.findall(r'indicators/(i\d+)\.html">森林覆盖率', plan_page))
        token = login(client, "pinggu")
        client.post("/plans/1/publishing/retract", data={"csrf_token": token, "item": f"indicator:{code.upper()}",
                                                         "reason": "数据口径核实中"})
        client.cookies.clear()
        gone = client.get(f"/public/plans/{_slug()}/indicators/{code}.html")
        assert gone.status_code == 410 and "撤回" in gone.text and "数据口径核实中" in gone.text


def _slug() -> str:
    return plan_slug("青川区国民经济和社会发展“十四五”规划实施方案（2021—2025年）")


def test_anonymous_routes_are_the_public_prefix_and_its_listed_posts(database_url: str) -> None:
    """Every route under /public answers GET without a body, or is the opinion form's POST with
    a small body limit (both listed in the boundary's ANONYMOUS); nothing else of the app is anonymous."""
    app = create_app(database_url, secret_key="routes")
    public = [r for r in app.state.named_routes.values() if isinstance(r, APIRoute) and r.path.startswith(PUBLIC_PREFIX)]
    assert public
    for route in public:
        for method in route.methods - {"HEAD"}:
            limit = ANONYMOUS[(method, route.path)]
            assert limit == 0 if method == "GET" else (method, route.path) == ("POST", OPINION_POST), route.path
    assert 0 < ANONYMOUS[("POST", OPINION_POST)] <= 64 * 1024
    with TestClient(app) as client:
        for route in app.state.named_routes.values():
            if not isinstance(route, APIRoute) or route.path.startswith(PUBLIC_PREFIX) or "{" in route.path:
                continue
            if "GET" in route.methods and not route.path.startswith(("/api/", "/login", "/openapi", "/theme")):
                response = client.get(route.path, follow_redirects=False)
                assert response.status_code in (303, 401, 307), route.path

