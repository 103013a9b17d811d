"""The register of named staff and the satisfaction page at a province's size (issue 16): a page of rows at a
time, the most-named and the lowest-rated first, every row a "Trang sau" away."""
import re
from datetime import timedelta
from html import unescape

from feedback.extensions import db
from feedback.models import utcnow
from feedback.monitoring.rollups import refresh_rollups
from tests import factories
from tests.monitoring.conftest import make_case, rate
from tests.conftest import login


def _next(html):
    match = re.search(r'rel="next" href="([^"]+)"', html)
    return unescape(match.group(1)) if match else None


def test_the_register_shows_a_hundred_rows_a_page_and_the_next_pages_hold_the_rest(app, client, world):
    counter = world["counter_a"]
    members = [factories.staff(counter, f"Cán bộ thứ {n:03d}") for n in range(130)]
    db.session.flush()
    now = utcnow()
    for n, member in enumerate(members):
        for _ in range(1 + (n == 129) * 2):  # the last one named three times: first on page one
            make_case(counter, now - timedelta(days=3), category=world["cat"], staff=member)
    db.session.commit()
    login(client, world["monitor"])
    first = client.get("/monitoring/staff").get_data(as_text=True)
    assert first.count("Cán bộ thứ ") == 100
    assert first.index("Cán bộ thứ 129") < first.index("Cán bộ thứ 000")
    assert "Dòng 1–100 trong 130 · trang 1/2" in first
    second = client.get(_next(first)).get_data(as_text=True)
    assert second.count("Cán bộ thứ ") == 30 and "Dòng 101–130 trong 130 · trang 2/2" in second
    assert _next(second) is None and 'rel="prev"' in second
    shown = set(re.findall(r"Cán bộ thứ \d{3}", first + second))
    assert len(shown) == 130
    # A page past the end, or not a number, shows a real page instead of an error.
    assert "trang 2/2" in client.get("/monitoring/staff?page=99").get_data(as_text=True)
    assert "trang 1/2" in client.get("/monitoring/staff?page=abc").get_data(as_text=True)


def test_the_satisfaction_page_lists_staff_a_hundred_at_a_time(app, client, world):
    counter = world["counter_a"]
    when = utcnow() - timedelta(days=2)
    for n in range(120):
        member = factories.staff(counter, f"Người được đánh giá {n:03d}")
        db.session.flush()
        rate(counter, [5, 4], when, staff=member)
    db.session.commit()
    refresh_rollups()
    db.session.commit()
    login(client, world["monitor"])
    first = client.get("/monitoring/satisfaction").get_data(as_text=True)
    table = first[first.index("Theo cán bộ"):]
    assert table.count("Người được đánh giá ") == 100 and "trong 120 · trang 1/2" in table
    second = client.get(_next(first)).get_data(as_text=True)
    assert second[second.index("Theo cán bộ"):].count("Người được đánh giá ") == 20
