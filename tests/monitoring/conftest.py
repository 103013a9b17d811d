"""Generated data with answers computed by hand (see each test)."""
from datetime import datetime, timedelta

import pytest

from feedback.calendar import to_utc
from feedback.extensions import db
from feedback.models import Complaint, Rating, Verification
from tests import factories


def local(*args):
    """A local (Asia/Ho_Chi_Minh) wall-clock time, as stored (naive UTC)."""
    return to_utc(datetime(*args))


def make_case(unit, submitted, *, answered=None, due=None, status=None, channel="web", category=None, staff=None,
              code=None):
    due = due or submitted + timedelta(days=10)
    complaint = Complaint(
        tracking_code=code or Complaint.new_tracking_code(), channel=channel, unit=unit, target_unit=unit,
        category=category, staff=staff, description="Nội dung phản ánh", submitted_at=submitted,
        answer_due_at=due, accept_due_at=submitted + timedelta(days=1), answered_at=answered,
        status=status or ("answered" if answered else "verifying"),
    )
    db.session.add(complaint)
    db.session.flush()
    return complaint


def conclude(complaint, conclusion, when):
    complaint.concluded_at = when
    db.session.add(Verification(complaint_id=complaint.id, conclusion=conclusion, status="approved",
                                approved_at=when, findings="Đã xác minh"))
    db.session.flush()


def rate(unit, scores, when, staff=None, counter=None):
    for score in scores:
        db.session.add(Rating(unit_id=unit.id, staff_id=staff.id if staff else None, counter_number=counter,
                              score=score, source="kiosk", created_at=when))
    db.session.flush()


@pytest.fixture
def world(app):
    tree = factories.province_tree()
    other = factories.unit("DN", "Thành phố Đà Nẵng", kind="province")
    other_ward = factories.unit("DN-1", "Phường Hải Châu", kind="ward", parent=other)
    cat = factories.category("THAI_DO", name_vi="Thái độ", is_misconduct=True)
    compliment = factories.category("KHEN", kind="compliment", name_vi="Khen ngợi")
    monitor = factories.user("monitor", tree["province"], email="noivu@khanhhoa.gov.vn")
    outsider = factories.user("monitor", other, email="noivu@danang.gov.vn")
    clerk = factories.staff(tree["counter_a"], "Trần Thị Bích", counter_number="3")
    db.session.commit()
    return dict(tree, monitor_office=tree["monitor"], other=other, other_ward=other_ward, cat=cat, compliment=compliment, monitor=monitor,
                outsider=outsider, clerk=clerk)
