"""One tap is not a case (issue 13): a low score with a misconduct chip is recorded against the staff
member and acknowledged by the unit head; it is a full case when the citizen writes something, leaves a
number for an answer, or picks a serious reason (asking for money or gifts)."""
from datetime import timedelta

import time_machine
from sqlalchemy import func, select

from feedback.extensions import db
from feedback.kiosk.services import remind_unacknowledged_ratings
from feedback.models import Complaint, Notification, Rating, utcnow
from tests import factories
from tests.conftest import login
from tests.kiosk import test_kiosk as kiosk_tests

counter = kiosk_tests.counter  # the same counter, staff and kiosk
post_rating = kiosk_tests.post_rating


def _cases():
    return db.session.scalar(select(func.count()).select_from(Complaint))


def test_a_chip_alone_is_recorded_and_acknowledged_not_a_case(client, counter, app):
    """Finding: a low score plus one reason chip opened a full named-staff case needing verification."""
    assert post_rating(client, counter["token"], score=2, staff_id=counter["lan"].id, reasons=["attitude"]).status_code == 200
    assert _cases() == 0
    rating = db.session.scalar(select(Rating))
    assert rating.staff_id == counter["lan"].id and rating.acknowledged_at is None
    head = factories.user("unit_head", counter["unit"], email="truong@example.vn")
    db.session.commit()
    viewer = app.test_client()
    login(viewer, head)
    page = viewer.get("/cases/ratings").get_data(as_text=True)
    assert f'id="rating-{rating.id}"' in page and counter["lan"].full_name in page and "Thái độ không đúng mực" in page
    done = viewer.post(f"/cases/ratings/{rating.id}/ack", data={"note": "Đã nhắc nhở tại cuộc họp giao ban"})
    assert done.status_code == 302
    db.session.expire_all()
    assert rating.acknowledged_by_id == head.id and rating.acknowledgement_note == "Đã nhắc nhở tại cuộc họp giao ban"
    again = viewer.post(f"/cases/ratings/{rating.id}/ack", follow_redirects=True).get_data(as_text=True)
    assert "đã được ghi nhận" in again


def test_a_serious_reason_a_written_complaint_or_a_number_make_a_case(client, counter):
    post_rating(client, counter["token"], score=1, staff_id=counter["lan"].id, reasons=["asked_money"])
    post_rating(client, counter["token"], score=2, staff_id=counter["lan"].id, reasons=["attitude"],
                comment="Nói trống không với người già")
    post_rating(client, counter["token"], score=2, staff_id=counter["lan"].id, reasons=["extra_steps"],
                phone="0905123456")
    assert _cases() == 3


def test_heads_are_reminded_once_a_day_of_unacknowledged_ratings(client, counter):
    head = factories.user("unit_head", counter["unit"], email="truong2@example.vn")
    db.session.commit()
    post_rating(client, counter["token"], score=1, staff_id=counter["lan"].id, reasons=["absent"])
    assert remind_unacknowledged_ratings() == 0  # not a day old yet
    with time_machine.travel(utcnow() + timedelta(days=2), tick=False):
        assert remind_unacknowledged_ratings() == 1
        assert remind_unacknowledged_ratings() == 0
    note = db.session.scalar(select(Notification).where(Notification.user_id == head.id))
    assert note.kind == "ratings" and "1 đánh giá" in note.body
