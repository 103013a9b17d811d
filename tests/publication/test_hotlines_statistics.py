"""The hotline directory and the public statistics (figures checked against hand-computed values)."""
import csv
import io
import re
from datetime import date, timedelta

import pytest

from feedback.extensions import db
from feedback.models import Rating
from feedback.publication.stats import satisfaction_target
from tests import factories
from tests.publication.helpers import at, make_case


@pytest.fixture
def directory(app):
    tree = factories.province_tree()
    tree["a"].hotline = "0258 3822 111"
    tree["a"].email = "ubnd@nhatrang.khanhhoa.gov.vn"
    tree["a"].address = "Số 1 Đường Trần Phú, Nha Trang"
    tree["a"].opening_hours = "Thứ Hai - Thứ Sáu, 7:30 - 17:00"
    tree["b"].hotline = "0258 3999 222"
    factories.unit("XA-OLD", "Xã Đã Sáp Nhập", parent=tree["province"], active_to=date(2025, 6, 30),
                   hotline="0258 0000 000")
    db.session.commit()
    return tree


def test_directory_lists_active_units_by_tree(client, directory):
    html = client.get("/hotlines").get_data(as_text=True)
    for text in ("Tỉnh Khánh Hòa", "Sở Nội vụ", "Phường Nha Trang", "0258 3822 111", "ubnd@nhatrang.khanhhoa.gov.vn",
                 "Số 1 Đường Trần Phú, Nha Trang", "Thứ Hai - Thứ Sáu, 7:30 - 17:00", "Xã Cam Lâm", "0258 3999 222",
                 "gui-phan-anh?unit=XA-A"):
        assert text in html
    assert "Xã Đã Sáp Nhập" not in html and "0258 0000 000" not in html
    # The one-stop counter is nested inside its ward's list, which is inside the province's.
    ward = html.index('id="unit-XA-A"')
    counter = html.index('id="unit-XA-A-MC"')
    assert html.index('id="unit-KH"') < ward < counter
    assert html[ward:counter].count('<ul class="unit-tree">') == 1


def test_directory_shows_one_line_per_commune_until_opened(client, directory):
    """Issue 14: every office of every commune on one page; now a commune is one line that opens."""
    html = client.get("/hotlines").get_data(as_text=True)
    folded = re.findall(r'<details class="commune-hotlines"( open)?>\s*<summary><span class="commune-name">([^<]+)<', html)
    assert folded == [("", "Phường Nha Trang")]  # Xã Cam Lâm has no office below it: its card is shown
    ward = html.split('<details class="commune-hotlines">')[1].split("</details>")[0]
    assert "0258 3822 111" in ward and 'id="unit-XA-A-MC"' in ward and "(2 cơ quan)" in ward
    # A search opens what it found.
    found = client.get("/hotlines?q=nha+trang").get_data(as_text=True)
    assert '<details class="commune-hotlines" open>' in found


@pytest.mark.parametrize("query", ["cam lam", "CAM LÂM", "3999"])
def test_directory_search_is_accent_insensitive(client, directory, query):
    html = client.get("/hotlines", query_string={"q": query}).get_data(as_text=True)
    assert "0258 3999 222" in html
    assert "0258 3822 111" not in html
    assert "1 đơn vị" in html


def test_directory_search_by_street_without_accents(client, directory):
    html = client.get("/hotlines?q=tran+phu").get_data(as_text=True)
    assert "0258 3822 111" in html and "0258 3999 222" not in html


@pytest.mark.parametrize("year, target", [(2024, 90.0), (2025, 90.0), (2026, 91.0), (2028, 93.0), (2030, 95.0),
                                          (2035, 95.0)])
def test_satisfaction_target_interpolates(app, year, target):
    assert satisfaction_target(year) == target


@pytest.fixture
def figures_data(app):
    tree = factories.province_tree()
    rude = factories.category("thai-do", name_vi="Thái độ phục vụ")
    papers = factories.category("giay-to", name_vi="Giấy tờ")
    # July 2026 in XA-A's subtree: 3 received (web, web, sms); 2 answered.
    # Case 1: submitted Mon 6 Jul, answered Thu 9 Jul (3 working days), due 20 Jul -> on time.
    make_case(tree["a"], rude, submitted_at=at(2026, 7, 6), answered_at=at(2026, 7, 9),
              answer_due_at=at(2026, 7, 20, 10), status="answered")
    # Case 2: submitted Fri 10 Jul, answered Mon 20 Jul (6 working days), due 15 Jul -> late.
    make_case(tree["counter_a"], papers, submitted_at=at(2026, 7, 10), answered_at=at(2026, 7, 20),
              answer_due_at=at(2026, 7, 15, 10), status="answered", channel="sms")
    make_case(tree["a"], rude, submitted_at=at(2026, 7, 25))
    # Elsewhere or another period: not counted for XA-A / July.
    make_case(tree["b"], rude, submitted_at=at(2026, 7, 7), answered_at=at(2026, 7, 8), status="answered")
    make_case(tree["a"], rude, submitted_at=at(2026, 6, 20), channel="voice")
    # Ratings in XA-A's subtree, July: 5, 4, 4, 2, 1 -> 3/5 satisfied = 60 %.
    for score in (5, 4, 4, 2, 1):
        db.session.add(Rating(unit_id=tree["counter_a"].id, score=score, source="kiosk", created_at=at(2026, 7, 15)))
    db.session.add(Rating(unit_id=tree["b"].id, score=1, source="kiosk", created_at=at(2026, 7, 15)))
    db.session.commit()
    return tree


def test_statistics_figures_match_hand_computed_values(client, figures_data):
    data = client.get("/statistics.json?unit=XA-A&period=2026-07").get_json()
    assert data["received"] == 3
    assert {r["code"]: r["count"] for r in data["by_channel"]} == {"web": 2, "sms": 1}
    assert {r["code"]: r["count"] for r in data["by_category"]} == {"thai-do": 2, "giay-to": 1}
    assert data["answered"] == 2 and data["answered_on_time"] == 1 and data["on_time_share"] == 50.0
    assert data["average_answer_working_days"] == 4.5  # (3 + 6) / 2
    assert data["ratings"] == 5 and data["ratings_satisfied"] == 3 and data["satisfaction_index"] == 60.0
    assert data["ratings_by_score"] == {"5": 1, "4": 2, "3": 0, "2": 1, "1": 1}
    assert data["satisfaction_target"] == 91.0 and data["target_met"] is False


def test_statistics_whole_province_and_page_with_charts(client, figures_data):
    data = client.get("/statistics.json?period=2026-07").get_json()
    assert data["received"] == 4 and data["answered"] == 3 and data["ratings"] == 6
    response = client.get("/statistics?unit=XA-A&period=2026-07")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert html.count("<svg") >= 3 and "cdn" not in html.lower()
    assert re.search(r'id="stat-satisfaction"><strong>60.0%</strong>', html)
    assert "Thái độ phục vụ" in html


def test_statistics_csv_has_the_same_figures(client, figures_data):
    response = client.get("/statistics.csv?unit=XA-A&period=2026-07")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = {(r["section"], r["key"]): r["value"] for r in csv.DictReader(io.StringIO(response.data.decode("utf-8-sig")))}
    assert rows[("received", "total")] == "3"
    assert rows[("channel", "sms")] == "1"
    assert rows[("answers", "on_time_share")] == "50.0"
    assert rows[("answers", "average_answer_working_days")] == "4.5"
    assert rows[("satisfaction", "satisfaction_index")] == "60.0"


def test_statistics_bad_input(client, figures_data):
    response = client.get("/statistics?period=2026-13")
    assert response.status_code == 400
    assert "Kỳ không hợp lệ" in response.get_data(as_text=True)
    assert client.get("/statistics.json?unit=NOPE").status_code == 400


def test_statistics_working_days_skip_holidays(app):
    from feedback.publication.stats import working_days

    # 2 Sep 2026 (National Day) is a holiday: Tue 1 Sep -> Thu 3 Sep has one working day less.
    assert working_days(date(2026, 9, 1), date(2026, 9, 3)) == 1
    assert working_days(date(2026, 7, 6), date(2026, 7, 6) + timedelta(days=3)) == 3


def test_unit_lists_of_statistics_and_answers_are_english_in_english(client, directory):
    """Issue 14: in English mode the unit lists on /statistics and /answers stayed Vietnamese."""
    from feedback.publication import routes

    directory["b"].name_en = "Cam Lam Commune"
    db.session.commit()
    routes._choices_cache.clear()
    for path in ("/statistics", "/answers"):
        english = client.get(path + "?lang=en").get_data(as_text=True)
        assert re.search(r">(· )*Cam Lam Commune</option>", english) and "Xã Cam Lâm</option>" not in english
        vietnamese = client.get(path + "?lang=vi").get_data(as_text=True)
        assert re.search(r">(· )*Xã Cam Lâm</option>", vietnamese)
