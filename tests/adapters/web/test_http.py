"""The dashboard over HTTP, as a browser asks for it: every page, and every refusal."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import date, timedelta
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from aiohttp.test_utils import TestClient, TestServer

from adapters.web.runtime import WebRuntime
from adapters.web.server import Dashboard
from bot.dashboard.pages import DashboardPages, ForecastDay
from bot.ports.storage import Unavailable, UnitOfWork
from tests.adapters.web.scenario import (
    ANN_ANSWER_WORDS,
    PUBLIC_URL,
    build,
    link_for,
    signer,
    with_dashboard,
)
from tests.support.harness import Harness

HREF = re.compile(r'href="([^"#]+)"')


def local(url: str) -> str:
    """A link as the server behind the reverse proxy sees it (the proxy strips the prefix)."""
    assert url.startswith(PUBLIC_URL + "/dashboard/"), url
    return url[len(PUBLIC_URL) :]


def links_of(page: str, base: str = "/dashboard/") -> dict[str, str]:
    """The page's links by their text's start, resolved like a browser would."""
    found = {}
    for match in re.finditer(r'<a href="([^"]+)"[^>]*>([^<]+)</a>', page):
        href = match.group(1).replace("&amp;", "&")
        if not href.startswith(("/", "#", "http")):
            href = base + href
        found[match.group(2).strip()] = href
    return found


@pytest.fixture
async def client(h: Harness) -> AsyncIterator[TestClient[object, object]]:
    with_dashboard(h)
    await build(h)
    dashboard = Dashboard(signer(), DashboardPages(h.bank), h.uow, h.clock)
    runtime = WebRuntime(dashboard, "127.0.0.1", 0)
    async with TestClient(TestServer(runtime.app())) as test_client:
        yield test_client


async def get(client: TestClient[object, object], path: str) -> tuple[int, str]:
    response = await client.get(path)
    return response.status, await response.text()


async def test_the_link_from_chat_opens_the_callers_own_page(
    h: Harness, client: TestClient[object, object]
) -> None:
    url = await link_for(h, "ann")
    message = h.chat.private_to("ann")[-1]
    assert message.kind == "private"
    response = await client.get(local(url))
    page = await response.text()
    assert response.status == 200
    assert "<h1>Your progress</h1>" in page
    assert ANN_ANSWER_WORDS in page  # her own answer text
    assert "Covered:" in page
    assert "<script" not in page
    assert response.headers["Cache-Control"] == "private, no-store"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert "default-src 'none'" in response.headers["Content-Security-Policy"]
    assert 'aria-labelledby="activity-t activity-d"' in page
    assert "Activity as a table" in page
    assert "2 answers on 2 days" in page
    assert "Reviews ahead" in page  # her answers made review cards, drawn two weeks ahead


async def test_a_review_forecast_renders_as_a_chart_and_a_table_when_given(h: Harness) -> None:
    with_dashboard(h)
    await build(h)

    async def forecast(uow: UnitOfWork, user_id: int, today: date) -> list[ForecastDay]:
        return [
            ForecastDay(today + timedelta(days=1), 4),
            ForecastDay(today + timedelta(days=2), 2),
        ]

    dashboard = Dashboard(signer(), DashboardPages(h.bank, forecast), h.uow, h.clock)
    async with TestClient(TestServer(WebRuntime(dashboard, "127.0.0.1", 0).app())) as client:
        status, page = await get(client, local(await link_for(h, "ann")))
    assert status == 200
    section = page.split('<h2 id="forecast-h">Reviews ahead</h2>', 1)[1].split("</section>")[0]
    assert '<svg class="chart wide" id="forecast"' in section
    assert re.findall(r'<td class="num">(\d+)</td>', section) == ["4", "2"]


async def test_every_chart_has_a_table_beside_it(
    h: Harness, client: TestClient[object, object]
) -> None:
    me = local(await link_for(h, "ann"))
    _, page = await get(client, me)
    pages = [page]
    for label, href in links_of(page).items():
        if label in ("My topics", "#c1 leaderboard", "daily history"):
            pages.append((await get(client, href))[1])
    for html in pages:
        sections = re.split(r"<h[12] ", html)
        for section in sections:
            if "<svg" in section:
                assert "<table" in section, section[:200]


async def test_group_leaderboards_by_week_month_and_all_time(
    h: Harness, client: TestClient[object, object]
) -> None:
    _, me = await get(client, local(await link_for(h, "ben")))
    board_link = links_of(me)["#c1 leaderboard"]
    status, board = await get(client, board_link)
    assert status == 200
    assert "<h1>#c1 · leaderboard</h1>" in board
    assert 'aria-current="page">This week' in board
    rows = re.findall(r"<tr( class=\"me\")?><td class=\"num\">(\d+)</td><td>(.*?)</td>", board)
    names = [re.sub(r"<[^>]+>", "", name) for _, _, name in rows]
    assert names[:2] == ["Ann", "Ben (you)"]
    assert rows[1][0] == ' class="me"'
    for period in ("This month", "All time"):
        status, other = await get(client, links_of(board)[period])
        assert status == 200
        assert f'aria-current="page">{period}' in other


async def test_channel_history_lists_each_daily_question_with_its_answers(
    h: Harness, client: TestClient[object, object]
) -> None:
    _, me = await get(client, local(await link_for(h, "ann")))
    status, history = await get(client, links_of(me)["daily history"])
    assert status == 200
    rows = re.findall(
        r"<tr><td>(\d+ \w+ \d{4})</td><td>.*?</td><td class=\"num\">(\d+)</td>"
        r"<td class=\"num\">(\S+)</td></tr>",
        history,
    )
    assert [(day, answered) for day, answered, _ in rows] == [
        ("3 Mar 2026", "2"),
        ("2 Mar 2026", "2"),
    ]


async def test_topic_breakdown(h: Harness, client: TestClient[object, object]) -> None:
    _, me = await get(client, local(await link_for(h, "ann")))
    status, topics = await get(client, links_of(me)["My topics"])
    assert status == 200
    assert "<h1>Your topics</h1>" in topics
    assert re.search(r'<td class="num">2</td><td class="num">\d+</td>', topics)


async def test_a_forged_link_is_refused_without_data(
    h: Harness, client: TestClient[object, object]
) -> None:
    url = local(await link_for(h, "ann"))
    path, _, query = url.partition("?")
    params = {k: v[0] for k, v in parse_qs(query).items()}
    forged = [
        {**params, "s": params["s"][:-2] + ("AA" if params["s"][-2:] != "AA" else "BB")},
        {**params, "v": params["v"].replace(".", ".1", 1)},  # another user id
        {k: v for k, v in params.items() if k != "s"},
        {"v": "1.2.99999999999", "s": "x"},
    ]
    for query_params in forged:
        status, page = await get(client, f"{path}?{urlencode(query_params)}")
        assert status == 403
        assert "This link doesn&#39;t work" in page or "This link doesn't work" in page
        assert ANN_ANSWER_WORDS not in page
        assert "Ann" not in page
    # A page's signature does not open another page.
    status, _ = await get(client, f"/dashboard/topics?{query}")
    assert status == 403
    # Nor does a repeated parameter smuggle another value past the signature.
    status, _ = await get(client, f"{url}&v={params['v']}")
    assert status == 403


async def test_an_expired_link_is_refused(h: Harness, client: TestClient[object, object]) -> None:
    url = local(await link_for(h, "ann"))
    h.clock.advance(timedelta(days=7, seconds=1))
    status, page = await get(client, url)
    assert status == 403
    assert "This link has expired" in page
    assert ANN_ANSWER_WORDS not in page


async def test_another_workspace_sees_nothing_of_this_one(
    h: Harness, client: TestClient[object, object]
) -> None:
    ann_me = local(await link_for(h, "ann"))
    _, page = await get(client, ann_me)
    ann_board = links_of(page)["#c1 leaderboard"]
    eve_me = local(await link_for(h, "eve", workspace="W2"))
    status, eve_page = await get(client, eve_me)
    assert status == 200
    eve_board = links_of(eve_page)["w2-club leaderboard"]
    group_of = {k: v[0] for k, v in parse_qs(urlsplit(ann_board).query).items()}["id"]
    # Eve's own viewer token, signed for ann's group: a valid signature, another workspace.
    viewer = signer().issue(*_viewer_ids(eve_me), h.clock.now())
    status, refused = await get(client, "/dashboard/" + signer().path(viewer, "group", id=group_of))
    assert status == 403
    assert "isn&#39;t open to you" in refused or "isn't open to you" in refused
    assert "Ann" not in refused
    # Ann cannot open Eve's group either, nor a token that claims Ann lives in W2.
    ann_viewer = signer().issue(*_viewer_ids(ann_me), h.clock.now())
    eve_group = {k: v[0] for k, v in parse_qs(urlsplit(eve_board).query).items()}["id"]
    status, _ = await get(client, "/dashboard/" + signer().path(ann_viewer, "group", id=eve_group))
    assert status == 403
    moved = signer().issue(_viewer_ids(eve_me)[0], ann_viewer.user_id, h.clock.now())
    status, _ = await get(client, "/dashboard/" + signer().path(moved, "me"))
    assert status == 403


def _viewer_ids(url: str) -> tuple[int, int]:
    token = parse_qs(urlsplit(url).query)["v"][0]
    workspace, user, _ = token.split(".")
    return int(workspace), int(user)


async def test_group_pages_open_only_for_members(
    h: Harness, client: TestClient[object, object]
) -> None:
    _, ann_page = await get(client, local(await link_for(h, "ann")))
    owls = links_of(ann_page)["night-owls leaderboard"]
    status, _ = await get(client, owls)
    assert status == 200
    ben_viewer = signer().issue(*_viewer_ids(local(await link_for(h, "ben"))), h.clock.now())
    owls_id = parse_qs(urlsplit(owls).query)["id"][0]
    status, page = await get(client, "/dashboard/" + signer().path(ben_viewer, "group", id=owls_id))
    assert status == 403
    assert "Dan" not in page


async def test_another_members_page_shows_scores_but_never_their_answers(
    h: Harness, client: TestClient[object, object]
) -> None:
    _, ben_page = await get(client, local(await link_for(h, "ben")))
    _, board = await get(client, links_of(ben_page)["#c1 leaderboard"])
    status, ann_seen_by_ben = await get(client, links_of(board)["Ann"])
    assert status == 200
    assert "<h1>Ann's progress</h1>" in ann_seen_by_ben
    assert "score <strong>" in ann_seen_by_ben
    assert ANN_ANSWER_WORDS not in ann_seen_by_ben
    assert "Covered:" not in ann_seen_by_ben
    assert "Advice:" not in ann_seen_by_ben
    # Dan shares only night-owls with Ann: he sees nothing of #c1, her other group.
    ann_id = parse_qs(urlsplit(links_of(board)["Ann"]).query)["id"][0]
    dan_viewer = signer().issue(*_viewer_ids(local(await link_for(h, "dan"))), h.clock.now())
    status, ann_seen_by_dan = await get(
        client, "/dashboard/" + signer().path(dan_viewer, "person", id=ann_id)
    )
    assert status == 200
    assert "night-owls" in ann_seen_by_dan
    assert "#c1" not in ann_seen_by_dan
    # Eve shares nothing and gets a refusal.
    eve_viewer = signer().issue(
        *_viewer_ids(local(await link_for(h, "eve", workspace="W2"))), h.clock.now()
    )
    status, page = await get(client, "/dashboard/" + signer().path(eve_viewer, "person", id=ann_id))
    assert status == 403
    assert ANN_ANSWER_WORDS not in page


async def test_unknown_pages_and_health(h: Harness, client: TestClient[object, object]) -> None:
    status, page = await get(client, "/dashboard/")
    assert status == 200
    assert "/interview web" in page
    status, _ = await get(client, "/dashboard/nothing")
    assert status == 404
    response = await client.get("/healthz")
    assert response.status == 200
    assert (await response.json())["ok"] is True
    viewer = signer().issue(*_viewer_ids(local(await link_for(h, "ann"))), h.clock.now())
    status, _ = await get(client, "/dashboard/" + signer().path(viewer, "group", id=424242))
    assert status == 403
    status, _ = await get(
        client, "/dashboard/" + signer().path(viewer, "group", id=1, period="decade")
    )
    assert status == 404


class _Unreachable:
    """Units of work whose database cannot be reached."""

    def __call__(self) -> _Unreachable:
        return self

    async def __aenter__(self) -> UnitOfWork:
        raise Unavailable("connection refused")

    async def __aexit__(self, *_exc: object) -> None:
        return None


async def test_a_lost_database_gets_a_friendly_page_not_an_error(h: Harness) -> None:
    with_dashboard(h)
    url = local(await link_for(h, "ann"))
    dashboard = Dashboard(signer(), DashboardPages(h.bank), _Unreachable(), h.clock)
    async with TestClient(TestServer(WebRuntime(dashboard, "127.0.0.1", 0).app())) as client:
        status, page = await get(client, url)
    assert status == 503
    assert "The dashboard is resting" in page
