"""The work queue at any depth (issue 16): pages follow a cursor, counts stop at a cap."""
import re
from datetime import timedelta
from html import unescape

from feedback.cases import routes
from feedback.extensions import db


def _codes(html):
    return re.findall(r'href="/cases/([A-Z0-9]+)">', html)


def _next(html):
    match = re.search(r'href="([^"]+)" rel="next"', html)
    return unescape(match.group(1)) if match else None


def test_following_next_walks_every_case_once_in_deadline_order_with_undated_cases_last(world, as_user, monkeypatch):
    monkeypatch.setattr(routes, "PAGE_SIZE", 3)
    cases = [world.case(staff=None, description=f"Phản ánh thứ {n} về Bộ phận Một cửa phường") for n in range(8)]
    base = cases[0].answer_due_at
    # Two cases share a deadline (the id decides), two have none yet (they come last, by id).
    for n, complaint in enumerate(cases):
        complaint.answer_due_at = base + timedelta(hours=(7 - n) // 2 * 5)
    cases[2].answer_due_at = cases[5].answer_due_at = None
    db.session.commit()
    expected = [c.tracking_code for c in sorted((c for c in cases if c.answer_due_at), key=lambda c: (c.answer_due_at, c.id))]
    expected += [c.tracking_code for c in sorted((c for c in cases if not c.answer_due_at), key=lambda c: c.id)]
    client = as_user(world.head_a)
    seen, target, pages = [], "/cases/", 0
    while target:
        html = client.get(target).get_data(as_text=True)
        seen += _codes(html)
        pages += 1
        if pages > 1:
            assert 'rel="first"' in html and "Về trang đầu" in html
        target = _next(html)
    assert seen == expected
    assert pages == 3


def test_a_cursor_keeps_the_filters_and_a_broken_one_shows_the_first_page(world, as_user, monkeypatch):
    monkeypatch.setattr(routes, "PAGE_SIZE", 2)
    for n in range(5):
        world.case(staff=None, description=f"Phản ánh thứ {n} về Bộ phận Một cửa phường")
    client = as_user(world.head_a)
    first = client.get("/cases/?status=received").get_data(as_text=True)
    link = _next(first)
    assert "status=received" in link and "after=" in link
    for broken in ("x", "~", "2026~", "abc~12", "x~-3", "99999999999999999999~1", "x~" + "9" * 30):
        response = client.get("/cases/?after=" + broken)
        assert response.status_code == 200, broken
        assert _codes(response.get_data(as_text=True)) == _codes(client.get("/cases/").get_data(as_text=True))


def test_counts_stop_at_the_cap_and_say_so(world, as_user, monkeypatch):
    monkeypatch.setattr(routes, "COUNT_CAP", 3)
    for n in range(5):
        world.case(staff=None, description=f"Phản ánh thứ {n} về Bộ phận Một cửa phường")
    html = as_user(world.head_a).get("/cases/").get_data(as_text=True)
    stats = re.sub(r"\s+", " ", html[html.index('class="stats"'):html.index("</div>", html.index('class="stats"'))])
    assert "<strong>3+</strong>Tất cả" in stats
    assert '<strong>3+</strong>Đã tiếp nhận' in stats or "<strong>3+</strong>" in stats.split("Tất cả", 1)[1]
    monkeypatch.setattr(routes, "COUNT_CAP", 10)
    html = as_user(world.head_a).get("/cases/").get_data(as_text=True)
    assert "<strong>5</strong>Tất cả" in re.sub(r"\s+", " ", html)


def test_overdue_and_due_soon_stop_at_the_cap_too_and_come_with_the_status_counts(world, as_user, monkeypatch):
    """Issue 16: the overdue and due-soon counts were two more exact counts, over every open case of the
    unit (4-5 ms each at 11,000 open cases); now they are capped like the others, in the same statement."""
    from feedback.models import utcnow
    from tests.sql import recorded_sql

    monkeypatch.setattr(routes, "COUNT_CAP", 3)
    for n in range(5):
        late = world.case(staff=None, description=f"Phản ánh quá hạn thứ {n} về Bộ phận Một cửa")
        late.answer_due_at = utcnow() - timedelta(days=1)
    soon = world.case(staff=None, description="Phản ánh sắp đến hạn về Bộ phận Một cửa")
    soon.answer_due_at = utcnow() + timedelta(hours=5)
    db.session.commit()
    client = as_user(world.head_a)
    with recorded_sql() as seen:
        html = client.get("/cases/").get_data(as_text=True)
    counting = [s.text for s in seen if "count(" in s.text]
    stats = re.sub(r"\s+", " ", html[html.index('class="stats"'):html.index("</div>", html.index('class="stats"'))])
    assert "<strong>3+</strong>Quá hạn" in stats
    assert "<strong>1</strong>Sắp đến hạn" in stats
    assert len(counting) == 1, counting
