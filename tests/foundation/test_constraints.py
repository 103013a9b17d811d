"""The database itself refuses data that would corrupt the record, whatever the code above it does."""
from datetime import date

import pytest
from sqlalchemy import delete, func, insert, select
from sqlalchemy.exc import IntegrityError

from feedback.extensions import db
from feedback.models import (
    Answer, AuditEvent, CaseEvent, Category, Complaint, DisciplineDecision, Kiosk, OutboundMessage, Rating, Staff,
    Unit, User, Verification,
)
from tests import factories


def _complaint(**kw):
    kw.setdefault("tracking_code", Complaint.new_tracking_code())
    kw.setdefault("channel", "web")
    kw.setdefault("description", "Cán bộ quầy 2 có thái độ không đúng mực")
    complaint = Complaint(**kw)
    db.session.add(complaint)
    db.session.flush()
    return complaint


def _refused(make):
    """Run `make` in a savepoint and assert the database refuses it."""
    with pytest.raises(IntegrityError):
        with db.session.begin_nested():
            make()
            db.session.flush()


def test_tracking_code_is_unique(app):
    first = _complaint()
    _refused(lambda: _complaint(tracking_code=first.tracking_code))
    assert db.session.scalar(select(func.count()).select_from(Complaint)) == 1


def test_submission_key_is_unique(app):
    _complaint(submission_key="form-123")
    _refused(lambda: _complaint(submission_key="form-123"))


def test_case_event_without_a_case_is_refused(app):
    _refused(lambda: db.session.execute(insert(CaseEvent).values(kind="note", body="mồ côi")))


def test_case_event_pointing_to_a_missing_case_is_refused(app):
    _refused(lambda: db.session.execute(insert(CaseEvent).values(complaint_id=987654, kind="note", body="x")))


def test_a_case_with_a_timeline_cannot_be_deleted(app):
    complaint = _complaint()
    db.session.add(CaseEvent(complaint=complaint, kind="created", to_status="received"))
    db.session.commit()
    _refused(lambda: db.session.execute(delete(Complaint).where(Complaint.id == complaint.id)))
    assert db.session.scalar(select(func.count()).select_from(CaseEvent)) == 1


@pytest.mark.parametrize("score, accepted", [(0, False), (1, True), (3, True), (5, True), (6, False), (-1, False)])
def test_rating_score_is_on_the_five_level_scale(app, score, accepted):
    counter = factories.unit(kind="one_stop")

    def make():
        db.session.add(Rating(unit_id=counter.id, score=score, source="kiosk"))

    if accepted:
        make()
        db.session.flush()
        assert db.session.scalar(select(Rating.score)) == score
    else:
        _refused(make)


def _bad_rows():
    """(description, builder) of rows a check constraint must refuse."""

    def unit_kind():
        db.session.add(Unit(code="X1", name="Quận 1", kind="district", path="/X1/"))

    def staff_kind():
        db.session.add(Staff(full_name="Lê Văn A", position="Tạp vụ", staff_kind="hop_dong",
                             unit_id=factories.unit().id))

    def user_role():
        db.session.add(User(email="a@example.vn", full_name="A", password_hash="x", role="superuser"))

    def category_kind():
        db.session.add(Category(code="x", name_vi="x", name_en="x", kind="denunciation"))

    def category_deadline():
        db.session.add(Category(code="x", name_vi="x", name_en="x", kind="other", accept_days=1, answer_days=0))

    def category_negative_accept():
        db.session.add(Category(code="x", name_vi="x", name_en="x", kind="other", accept_days=-1, answer_days=5))

    def complaint_channel():
        _complaint(channel="fax")

    def complaint_language():
        _complaint(language="fr")

    def complaint_status():
        _complaint(status="lost")

    def rating_source():
        db.session.add(Rating(unit_id=factories.unit().id, score=4, source="paper"))

    def verification_status():
        db.session.add(Verification(complaint_id=_complaint().id, status="done"))

    def verification_conclusion():
        db.session.add(Verification(complaint_id=_complaint().id, status="submitted", conclusion="maybe"))

    def answer_status():
        db.session.add(Answer(complaint_id=_complaint().id, body="x", status="published"))

    def discipline_status():
        unit = factories.unit()
        db.session.add(DisciplineDecision(complaint_id=_complaint().id, staff_id=factories.staff(unit).id,
                                          status="pending"))

    def discipline_form():
        unit = factories.unit()
        db.session.add(DisciplineDecision(complaint_id=_complaint().id, staff_id=factories.staff(unit).id,
                                          status="proposed", form="phat_tien"))

    def discipline_decided_without_number():
        unit = factories.unit()
        db.session.add(DisciplineDecision(complaint_id=_complaint().id, staff_id=factories.staff(unit).id,
                                          status="decided", form="khien_trach", decision_date=date(2026, 3, 2),
                                          signer="Chủ tịch UBND"))

    def message_status():
        db.session.add(OutboundMessage(channel="sms", to_address="+84905000000", body="x", purpose="ack",
                                       status="lost"))

    def message_channel():
        db.session.add(OutboundMessage(channel="zalo", to_address="x", body="x", purpose="ack"))

    return [
        ("unit kind", unit_kind), ("staff kind", staff_kind), ("user role", user_role),
        ("category kind", category_kind), ("category answer days", category_deadline),
        ("category accept days", category_negative_accept), ("complaint channel", complaint_channel),
        ("complaint language", complaint_language), ("complaint status", complaint_status), ("rating source", rating_source),
        ("verification status", verification_status), ("verification conclusion", verification_conclusion),
        ("answer status", answer_status), ("discipline status", discipline_status),
        ("discipline form", discipline_form), ("discipline decided without number", discipline_decided_without_number),
        ("message status", message_status), ("message channel", message_channel),
    ]


@pytest.mark.parametrize("what, make", _bad_rows(), ids=[w for w, _ in _bad_rows()])
def test_check_constraints_refuse_bad_values(app, what, make):
    _refused(make)


def test_complete_discipline_decision_is_accepted(app):
    unit = factories.unit()
    decision = DisciplineDecision(complaint_id=_complaint().id, staff_id=factories.staff(unit).id, status="decided",
                                  form="khien_trach", decision_number="15/QĐ-UBND", decision_date=date(2026, 3, 2),
                                  signer="Chủ tịch UBND phường Nha Trang")
    db.session.add(decision)
    db.session.commit()
    assert db.session.scalar(select(DisciplineDecision.decision_number)) == "15/QĐ-UBND"


def _duplicates():
    def unit_code():
        factories.unit("KH-1")
        factories.unit("KH-1")

    def user_email():
        factories.user(email="x@example.vn")
        factories.user(email="x@example.vn")

    def badge():
        unit = factories.unit()
        factories.staff(unit, badge_code="B-1")
        factories.staff(unit, badge_code="B-1")

    def staff_user_link():
        unit, user = factories.unit(), factories.user()
        factories.staff(unit, user_id=user.id)
        factories.staff(unit, user_id=user.id)

    def kiosk_token():
        unit = factories.unit(kind="one_stop")
        for _ in range(2):
            db.session.add(Kiosk(name="Máy đánh giá", unit=unit, token_hash=Kiosk.hash_token("same"), token_hint="same"))
            db.session.flush()

    def rating_uuid():
        unit = factories.unit(kind="one_stop")
        for _ in range(2):
            db.session.add(Rating(unit_id=unit.id, score=5, client_uuid="uuid-1"))
            db.session.flush()

    def message_dedupe():
        for _ in range(2):
            db.session.add(OutboundMessage(channel="sms", to_address="+84905000000", body="x", purpose="apology",
                                           dedupe_key="apology:1"))
            db.session.flush()

    def answer_ref():
        complaint = _complaint()
        for _ in range(2):
            db.session.add(Answer(complaint_id=complaint.id, body="x", public_ref="SAMEREF"))
            db.session.flush()

    def audit_hash():
        for action in ("a", "b"):
            db.session.add(AuditEvent(action=action, prev_hash="0" * 64, hash="f" * 64, data={}))
            db.session.flush()

    def category_code():
        factories.category("thai_do")
        factories.category("thai_do")

    return [("unit code", unit_code), ("user email", user_email), ("staff badge", badge),
            ("one staff per user", staff_user_link), ("kiosk token", kiosk_token), ("rating uuid", rating_uuid),
            ("message dedupe key", message_dedupe), ("answer public ref", answer_ref), ("audit hash", audit_hash),
            ("category code", category_code)]


@pytest.mark.parametrize("what, make", _duplicates(), ids=[w for w, _ in _duplicates()])
def test_unique_constraints_refuse_duplicates(app, what, make):
    _refused(make)
