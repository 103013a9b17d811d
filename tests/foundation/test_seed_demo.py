"""`flask seed-demo` loads realistic Khánh Hòa data once; a second run changes nothing."""
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from feedback.audit import verify_chain
from feedback.cases.workflow import STATUSES, can_transition
from feedback.demo import data
from feedback.demo.seed import commune_wards, demo_kiosks, kiosk_token
from feedback.extensions import db
from feedback.models import (
    Answer, CaseEvent, Category, Complaint, DisciplineDecision, Kiosk, Rating, Staff, Unit, User, Verification,
    utcnow,
)
from feedback.models.org import ROLES

COMMUNE_KINDS = ("ward", "commune", "special_zone")


def _counts():
    return {table.name: db.session.scalar(select(func.count()).select_from(table))
            for table in db.metadata.sorted_tables}


@pytest.fixture(scope="module")
def seeded(_session_app):
    """Seed once for the whole module (it takes seconds); the tests below only read, then tables are emptied."""
    from tests.conftest import _empty_tables

    with _session_app.app_context():
        result = _session_app.test_cli_runner().invoke(args=["seed-demo", "--if-empty"])
        try:
            assert result.exit_code == 0, result.output
            assert "Đã tạo dữ liệu mẫu" in result.output
            yield _session_app
        finally:
            db.session.remove()
            _empty_tables()


@pytest.fixture
def runner(seeded):
    return seeded.test_cli_runner()


@pytest.fixture
def client(seeded):
    return seeded.test_client()


def test_second_run_changes_nothing(seeded, runner):
    before = _counts()
    assert before["units"] and before["complaints"] and before["ratings"]
    again = runner.invoke(args=["seed-demo"])
    assert again.exit_code == 0, again.output
    assert "không tạo thêm gì" in again.output
    assert _counts() == before
    skipped = runner.invoke(args=["seed-demo", "--if-empty"])
    assert "bỏ qua" in skipped.output
    assert _counts() == before


def test_khanh_hoa_has_its_65_commune_level_units(seeded):
    communes = db.session.scalars(select(Unit).where(Unit.kind.in_(COMMUNE_KINDS))).all()
    assert len(communes) == 65
    expected = {f"KH-{w.code.value}" for w in commune_wards()}
    assert {c.code for c in communes} == expected
    kinds = {c.kind for c in communes}
    assert kinds == {"ward", "commune", "special_zone"}
    province = db.session.scalar(select(Unit).where(Unit.code == "KH"))
    assert province.kind == "province"
    nha_trang = db.session.scalar(select(Unit).where(Unit.code == "KH-22366"))
    assert nha_trang.name == "UBND phường Nha Trang" and nha_trang.parent_id == province.id
    assert db.session.scalar(select(Unit).where(Unit.code == "KH-22736")).kind == "special_zone"  # Trường Sa
    for commune in communes:
        assert commune.path == f"/KH/{commune.code}/"
        assert commune.hotline and commune.address and commune.opening_hours
        assert commune.head is not None and commune.head.staff_kind == "can_bo"
        one_stop = db.session.scalar(select(Unit).where(Unit.code == f"{commune.code}-MC"))
        assert one_stop.kind == "one_stop" and one_stop.parent_id == commune.id
        # Issue 14, the organisation since 1 July 2025 (NĐ 118/2025): a Trung tâm Phục vụ hành chính công
        # per commune, its Giám đốc a Phó Chủ tịch UBND; no "Bộ phận Một cửa" headed by a "Phụ trách".
        assert one_stop.name.startswith("Trung tâm Phục vụ hành chính công") and one_stop.hotline.startswith(
            ("0258 ", "0259 "))
        assert one_stop.head is not None and one_stop.head.position.startswith("Phó Chủ tịch UBND, Giám đốc")
        # NĐ 150/2025: Văn phòng HĐND và UBND, Phòng Kinh tế (Kinh tế, Hạ tầng và Đô thị in a phường),
        # Phòng Văn hóa - Xã hội; each with its head.
        offices = {u.code.rsplit("-", 1)[1]: u for u in db.session.scalars(select(Unit).where(
            Unit.parent_id == commune.id, Unit.kind == "office"))}
        assert set(offices) == {"VP", "KT", "VHXH"} and all(o.head is not None for o in offices.values())
        assert offices["VP"].name.startswith("Văn phòng HĐND và UBND")
        economy = "Phòng Kinh tế, Hạ tầng và Đô thị" if commune.kind == "ward" else "Phòng Kinh tế "
        assert offices["KT"].name.startswith(economy)
        assert offices["VHXH"].is_monitoring_office
    # Former Ninh Thuận communes keep their 0259 area code.
    assert db.session.scalar(select(Unit.hotline).where(Unit.code == "KH-22759")).startswith("0259")


def test_departments_and_monitoring_offices(seeded):
    offices = {u.code: u for u in db.session.scalars(select(Unit).where(Unit.is_monitoring_office.is_(True)))}
    assert offices["KH-SNV"].name == "Sở Nội vụ"
    # Every commune's Phòng Văn hóa - Xã hội watches its commune (it was 4 of 65, the rest fell to Sở Nội vụ).
    assert {f"KH-{w.code.value}-VHXH" for w in commune_wards()} <= set(offices)
    vhxh = offices["KH-22366-VHXH"]
    assert vhxh.name == "Phòng Văn hóa - Xã hội phường Nha Trang"
    counter = db.session.scalar(select(Unit).where(Unit.code == "KH-22366-MC"))
    assert counter.monitoring_office() == vhxh
    other = db.session.scalar(select(Unit).where(Unit.code == "KH-22333-MC"))
    assert other.monitoring_office() == offices["KH-22333-VHXH"]
    department = db.session.scalar(select(Unit).where(Unit.code == "KH-STP"))
    assert department.monitoring_office() == offices["KH-SNV"]
    names = set(db.session.scalars(select(Unit.name).where(Unit.kind.in_(("department", "service_centre")))))
    assert {"Sở Tư pháp", "Sở Xây dựng", "Sở Nông nghiệp và Môi trường",
            "Trung tâm Phục vụ hành chính công tỉnh", "Thanh tra tỉnh"} <= names
    # Luật Thanh tra 2025: no inspectorate of a department; titles of before 7/2025 are gone.
    positions = set(db.session.scalars(select(Staff.position)))
    retired = ("Thanh tra Sở", "Phụ trách Bộ phận Một cửa", "Văn phòng - Thống kê", "Tư pháp - Hộ tịch",
               "Địa chính - Xây dựng")
    assert not [p for p in positions if any(word in p for word in retired)]
    assert "Chánh Thanh tra tỉnh" in positions


def test_staff_have_vietnamese_names_kinds_and_counters(seeded):
    staff = db.session.scalars(select(Staff)).all()
    assert len(staff) > 300
    assert {s.staff_kind for s in staff} >= {"can_bo", "cong_chuc", "vien_chuc"}
    assert all(len(s.full_name.split()) >= 3 and s.position and s.badge_code for s in staff)
    assert sum(1 for s in staff if s.counter_number) > 150
    heads = db.session.scalars(select(Unit.head_staff_id).where(Unit.head_staff_id.is_not(None))).all()
    assert len(heads) == len(set(heads)) > 130


def test_categories_from_the_design_with_deadlines_and_templates(seeded):
    categories = {c.code: c for c in db.session.scalars(select(Category))}
    assert len([c for c in categories.values() if c.is_misconduct]) == 9
    assert {c.kind for c in categories.values()} == {"staff_complaint", "compliment", "suggestion", "other"}
    assert "Thái độ" in categories["thai_do"].name_vi
    assert "tiêu cực" in categories["nhung_nhieu"].name_vi
    for category in categories.values():
        assert category.accept_days >= 1 and category.answer_days > category.accept_days
        assert category.answer_template and category.name_en


def test_users_of_every_role_sign_in_with_the_demo_password(seeded):
    users = db.session.scalars(select(User)).all()
    assert {u.role for u in users} == set(ROLES)
    checked = {}
    for user in users:
        assert user.email.endswith("@" + data.DEMO_EMAIL_DOMAIN)
        if user.password_hash not in checked:  # scrypt is slow on purpose: check each distinct hash once
            checked[user.password_hash] = user.check_password(data.DEMO_PASSWORD)
        assert checked[user.password_hash]
        assert not user.totp_enabled  # admin and monitor enrol their app at first sign-in
    # Issue 14: heads, handlers and monitors for at least three communes, xã among them (Vạn Ninh).
    communes = {}
    for user in users:
        commune = user.unit
        while commune is not None and commune.kind not in ("commune", "ward", "special_zone"):
            commune = commune.parent
        if commune is not None:
            communes.setdefault(commune.name, set()).add(user.role)
    staffed = {name for name, roles in communes.items() if {"unit_head", "handler", "monitor"} <= roles}
    assert len(staffed) >= 3 and "UBND xã Vạn Ninh" in staffed
    assert any(name.startswith("UBND xã") for name in staffed) and any(n.startswith("UBND phường") for n in staffed)
    admin = next(u for u in users if u.role == "admin")
    assert admin.unit_id is None
    for user in users:
        if user.role != "admin":
            assert user.unit is not None


def test_demo_logins_prints_accounts_and_working_kiosk_addresses(seeded, runner, client):
    result = runner.invoke(args=["demo-logins"])
    assert result.exit_code == 0, result.output
    assert data.DEMO_PASSWORD in result.output
    assert f"admin@{data.DEMO_EMAIL_DOMAIN}" in result.output and "monitor" in result.output
    for unit_code, counter in demo_kiosks():
        token = kiosk_token(unit_code, counter)
        assert token in result.output
        kiosk = db.session.scalar(select(Kiosk).where(Kiosk.token_hash == Kiosk.hash_token(token)))
        assert kiosk.unit.code == unit_code and kiosk.counter_number == counter and kiosk.active
    url = next(line.split(": ", 1)[1].strip() for line in result.output.splitlines() if "/kiosk/" in line)
    path = url.split("://", 1)[1].split("/", 1)[1]
    response = client.get("/" + path)
    assert response.status_code in (200, 302, 303)


def test_ratings_over_the_last_twelve_months(seeded):
    ratings = db.session.scalars(select(Rating)).all()
    assert len(ratings) >= 2000
    assert {r.score for r in ratings} == {1, 2, 3, 4, 5}
    now = utcnow()
    assert all(now - timedelta(days=366) <= r.created_at <= now for r in ratings)
    assert len({r.unit_id for r in ratings}) > 30 and len({r.staff_id for r in ratings}) > 100
    satisfied = sum(r.score >= 4 for r in ratings) / len(ratings)
    assert 0.75 < satisfied < 0.97
    assert any(r.kiosk_id for r in ratings)


def test_cases_in_every_state_with_consistent_timelines(seeded):
    cases = db.session.scalars(select(Complaint)).all()
    assert {c.status for c in cases} == set(STATUSES)
    for case in cases:
        events = db.session.scalars(
            select(CaseEvent).where(CaseEvent.complaint_id == case.id).order_by(CaseEvent.id)).all()
        assert events[0].kind == "created"
        state = "received"
        for event in (e for e in events if e.kind == "status"):
            assert event.from_status == state and can_transition(state, event.to_status)
            state = event.to_status
        assert state == case.status, case.tracking_code
        times = [e.created_at for e in events]
        assert times == sorted(times) and times[0] == case.submitted_at <= utcnow()
        assert case.answer_due_at > case.accept_due_at > case.submitted_at
    assert len({c.tracking_code for c in cases}) == len(cases)
    assert verify_chain() == (True, None)


def test_outcome_rows_match_the_states(seeded):
    cases = db.session.scalars(select(Complaint)).all()
    by_case = lambda model: {row.complaint_id: row for row in db.session.scalars(select(model))}  # noqa: E731
    verifications, answers = by_case(Verification), by_case(Answer)
    for case in cases:
        if case.status in ("concluded",):
            assert verifications[case.id].conclusion and verifications[case.id].status == "approved"
        if case.status in ("answered", "published", "closed"):
            assert answers[case.id].status == "sent" and answers[case.id].body.startswith("Kính gửi")
        if case.status == "published":
            answer = answers[case.id]
            assert case.consent_publish and answer.published_at and case.published_at
            assert answer.public_summary and answer.public_body
            if case.complainant is not None and case.complainant.full_name:
                assert case.complainant.full_name not in answer.public_body + answer.public_summary
        if case.status in ("received", "declined"):
            assert case.id not in verifications and case.id not in answers
    decided = db.session.scalars(select(DisciplineDecision).where(DisciplineDecision.status == "decided")).all()
    assert decided and all(d.decision_number and d.signer and d.form for d in decided)
    for decision in decided:
        assert verifications[decision.complaint_id].conclusion == "substantiated"
    declined = [c for c in cases if c.status == "declined"]
    assert all(c.decline_reason for c in declined)


def test_a_clerk_is_named_again_and_again(seeded):
    named = db.session.execute(
        select(Complaint.staff_id, func.count()).where(Complaint.staff_id.is_not(None))
        .group_by(Complaint.staff_id).order_by(func.count().desc())
    ).first()
    assert named[1] >= 5
    substantiated = db.session.scalar(
        select(func.count()).select_from(Verification).join(Complaint, Complaint.id == Verification.complaint_id)
        .where(Complaint.staff_id == named[0], Verification.conclusion == "substantiated"))
    assert substantiated >= 3


def test_nobody_handles_a_complaint_about_themselves(seeded):
    chairman = db.session.scalar(select(Staff).where(Staff.badge_code == f"KH-{data.FOCUS_COMMUNES[1]}-01"))
    assert chairman.unit.head_staff_id == chairman.id
    case = db.session.scalar(select(Complaint).where(Complaint.staff_id == chairman.id))
    assert case.unit.code == "KH"  # one level up: the province, not the chairman's own commune
    one_stop_head = db.session.scalar(select(Staff).where(Staff.badge_code == f"KH-{data.FOCUS_COMMUNES[2]}-MC-01"))
    case = db.session.scalar(select(Complaint).where(Complaint.staff_id == one_stop_head.id))
    assert case.unit_id == one_stop_head.unit.parent_id
