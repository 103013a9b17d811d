"""Builders for published answers (shared by tests/publication and tests/api)."""
from datetime import datetime, timedelta

from feedback.extensions import db
from feedback.models import Answer, Complainant, Complaint, Verification, utcnow


def make_case(unit, category=None, description="Nội dung phản ánh", *, staff=None, complainant=None,
              consent=True, status="received", submitted_at=None, answered_at=None, answer_due_at=None,
              channel="web"):
    submitted_at = submitted_at or utcnow() - timedelta(days=3)
    case = Complaint(
        tracking_code=Complaint.new_tracking_code(), channel=channel, category=category, unit=unit,
        target_unit=unit, staff=staff, description=description, complainant=complainant,
        consent_publish=consent, status=status, submitted_at=submitted_at, answered_at=answered_at,
        answer_due_at=answer_due_at or submitted_at + timedelta(days=14),
    )
    db.session.add(case)
    db.session.flush()
    return case


def publish(unit, category=None, summary="Phản ánh về thái độ", body="Đơn vị đã tiếp thu.", *,
            published_at=None, conclusion=None, description=None, staff=None, complainant=None,
            consent=True, submitted_at=None, answered_at=None):
    """A case answered and published with these public texts; returns the Answer (flushed)."""
    published_at = published_at or utcnow()
    submitted_at = submitted_at or published_at - timedelta(days=5)
    answered_at = answered_at or published_at - timedelta(hours=1)
    case = make_case(unit, category, description or summary, staff=staff, complainant=complainant,
                     consent=consent, status="published", submitted_at=submitted_at, answered_at=answered_at)
    case.published_at = published_at
    if conclusion:
        db.session.add(Verification(complaint=case, conclusion=conclusion, status="approved", findings="x"))
    answer = Answer(complaint=case, body=body, public_summary=summary, public_body=body, status="sent",
                    sent_at=answered_at, published_at=published_at)
    db.session.add(answer)
    db.session.flush()
    return answer


def person(name="Trần Thị Bích", phone="+84912345678", email="bich.tran@example.vn", address="12 Lê Lợi, Nha Trang"):
    obj = Complainant(full_name=name, phone=phone, email=email, address=address)
    db.session.add(obj)
    db.session.flush()
    return obj


def at(year, month, day, hour=3):
    """A naive UTC moment (03:00 UTC = 10:00 in Vietnam)."""
    return datetime(year, month, day, hour)
