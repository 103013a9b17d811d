from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from feedback.audit import verify_chain
from feedback.extensions import db
from feedback.models import AuditEvent, DisciplineDecision
from feedback.outcomes import services
from feedback.outcomes.services import OutcomeError
from tests.conftest import login
from tests.outcomes.conftest import make_world
from tests.outcomes.helpers import conclude


def _decide(client, code, **overrides):
    data = {"outcome": "decided", "form": "khien_trach", "decision_number": "125/QĐ-UBND",
            "decision_date": "2025-12-10", "signer": "Chủ tịch UBND phường Nha Trang",
            "legal_basis": ""}
    data.update(overrides)
    return client.post(f"/cases/{code}/discipline/decision", data=data)


def test_discipline_steps_proposed_meeting_decided(app, client, world):
    conclude(world)
    code = world.case.tracking_code
    login(client, world.handler)
    page = client.get(f"/cases/{code}/discipline").get_data(as_text=True)
    # A công chức who is not a leader: no cách chức, no bãi nhiệm.
    assert "Khiển trách" in page and "Buộc thôi việc" in page
    assert "Cách chức" not in page and "Bãi nhiệm" not in page
    assert client.post(f"/cases/{code}/discipline", data={"proposed_form": "khien_trach",
                                                          "notes": "Vi phạm lần đầu."}).status_code == 302
    decision = db.session.scalar(select(DisciplineDecision))
    assert decision.status == "proposed" and decision.staff_id == world.clerk.id
    assert "172/2025/NĐ-CP" in decision.legal_basis

    # The handler proposes; the meetings and the decision are the head's.
    assert client.post(f"/cases/{code}/discipline/review",
                       data={"review_date": "2025-12-01", "review_minutes": "x", "review_participants": "x"}
                       ).status_code == 403

    login(client, world.head)
    # First the kiểm điểm meeting (issue 13: the steps are no longer one meeting), then the council.
    response = client.post(f"/cases/{code}/discipline/review", data={"review_date": "", "review_minutes": ""})
    assert response.status_code == 400 and "Vui lòng nhập ngày họp" in response.get_data(as_text=True)
    response = client.post(f"/cases/{code}/discipline/review", data={
        "review_date": "2025-12-01", "review_participants": "Bà Lê Thị Hoa; tổ một cửa; Chủ tịch UBND phường",
        "review_minutes": "Bà Hoa tự nhận khuyết điểm."})
    assert response.status_code == 302
    response = client.post(f"/cases/{code}/discipline/meeting", data={
        "meeting_date": "2025-12-05", "meeting_participants": "Hội đồng kỷ luật phường (5 thành viên)",
        "meeting_minutes": "Hội đồng thống nhất đề xuất khiển trách."})
    assert response.status_code == 302
    db.session.expire_all()
    assert decision.status == "meeting" and decision.meeting_date == date(2025, 12, 5)
    assert decision.review_date == date(2025, 12, 1) and "tổ một cửa" in decision.review_participants

    # A decision needs its number, date and signer.
    response = _decide(client, code, decision_number="", signer="")
    text = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Vui lòng nhập số quyết định" in text and "Vui lòng nhập người ký" in text
    response = _decide(client, code)
    assert response.status_code == 302
    db.session.expire_all()
    assert decision.status == "decided" and decision.form == "khien_trach"
    assert decision.decision_number == "125/QĐ-UBND" and decision.decision_date == date(2025, 12, 10)
    assert decision.legal_basis.startswith("Nghị định số 172/2025/NĐ-CP")
    page = client.get(f"/cases/{code}/discipline").get_data(as_text=True)
    assert "125/QĐ-UBND" in page and "không hoàn thành nhiệm vụ" in page
    actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.action.like("discipline.%"))).all()
    assert actions == ["discipline.proposed", "discipline.review", "discipline.meeting", "discipline.decided"]
    assert verify_chain() == (True, None)


def test_no_discipline_with_a_lighter_measure(app, client, world):
    conclude(world, "partly")
    code = world.case.tracking_code
    login(client, world.head)
    client.post(f"/cases/{code}/discipline", data={"notes": "Đề xuất xem xét."})
    client.post(f"/cases/{code}/discipline/review", data={"review_date": "2025-12-05", "review_minutes": "Họp.",
                                                          "review_participants": "Tổ một cửa"})
    response = client.post(f"/cases/{code}/discipline/decision", data={"outcome": "no_discipline"})
    assert response.status_code == 400 and "biện pháp nhẹ hơn" in response.get_data(as_text=True)
    response = client.post(f"/cases/{code}/discipline/decision",
                           data={"outcome": "no_discipline", "lighter_measure": "self_criticism"})
    assert response.status_code == 302
    decision = db.session.scalar(select(DisciplineDecision))
    assert decision.status == "no_discipline" and decision.lighter_measure == "self_criticism"
    assert decision.form is None
    assert services.assessment_flag(world.clerk, date.today().year) is None


def _to_meeting(world):
    services.propose_discipline(world.case, world.head)
    services.record_review(world.case, world.head, review_date=date(2025, 11, 28), minutes="Kiểm điểm.",
                           participants="Tổ một cửa")
    services.record_meeting(world.case, world.head, meeting_date=date(2025, 12, 1), minutes="Họp xét.",
                            participants="Hội đồng kỷ luật")
    db.session.commit()


def test_vien_chuc_cannot_get_bai_nhiem_nor_cach_chuc_unless_leader(app, client):
    world = make_world(staff_kind="vien_chuc")
    conclude(world)
    _to_meeting(world)
    code = world.case.tracking_code
    login(client, world.head)
    page = client.get(f"/cases/{code}/discipline").get_data(as_text=True)
    assert "Bãi nhiệm" not in page and "Cách chức" not in page
    assert "112/2020/NĐ-CP" in page  # the legal basis offered for a viên chức
    for crafted in ("bai_nhiem", "cach_chuc", "ha_bac_luong", "xyz"):
        response = _decide(client, code, form=crafted)
        assert response.status_code == 400, crafted
        assert "không áp dụng" in response.get_data(as_text=True)
    assert db.session.scalar(select(DisciplineDecision)).status == "meeting"
    assert _decide(client, code, form="canh_cao").status_code == 302
    decision = db.session.scalar(select(DisciplineDecision))
    assert decision.form == "canh_cao" and "112/2020/NĐ-CP" in decision.legal_basis


def test_cach_chuc_for_leaders_and_bai_nhiem_for_can_bo_only(app):
    leader_world = make_world(staff_kind="cong_chuc", is_leader=True)
    assert services.allowed_forms(leader_world.clerk) == ["khien_trach", "canh_cao", "cach_chuc", "buoc_thoi_viec"]
    leader_world.clerk.staff_kind = "can_bo"
    assert services.allowed_forms(leader_world.clerk) == ["khien_trach", "canh_cao", "cach_chuc", "bai_nhiem"]
    leader_world.clerk.is_leader = False
    assert services.allowed_forms(leader_world.clerk) == ["khien_trach", "canh_cao", "bai_nhiem"]
    leader_world.clerk.staff_kind = "vien_chuc"
    assert "bai_nhiem" not in services.allowed_forms(leader_world.clerk)
    leader_world.clerk.staff_kind = "cong_chuc"
    leader_world.clerk.is_leader = True
    conclude(leader_world)
    _to_meeting(leader_world)
    decision = services.decide_discipline(leader_world.case, leader_world.head, form="cach_chuc",
                                          decision_number="7/QĐ-UBND", decision_date=date(2026, 1, 5),
                                          signer="Chủ tịch UBND tỉnh")
    db.session.commit()
    assert decision.form == "cach_chuc"


@pytest.mark.parametrize("conclusion", ["unsubstantiated", "unverifiable"])
def test_discipline_refused_without_a_substantiated_conclusion(app, client, conclusion):
    world = make_world()
    code = world.case.tracking_code
    login(client, world.head)
    response = client.post(f"/cases/{code}/discipline", data={"notes": "x"})
    assert response.status_code == 400 and "Chưa có kết luận xác minh được duyệt" in response.get_data(as_text=True)
    conclude(world, conclusion)
    response = client.post(f"/cases/{code}/discipline", data={"notes": "x"})
    assert response.status_code == 400 and "không xem xét kỷ luật" in response.get_data(as_text=True)
    assert db.session.scalar(select(DisciplineDecision)) is None


def test_discipline_refused_when_no_staff_is_named(app):
    world = make_world(named=False)
    conclude(world)
    with pytest.raises(OutcomeError, match="không phản ánh đích danh"):
        services.propose_discipline(world.case, world.head)


def test_database_refuses_a_decision_without_number(app, world):
    conclude(world)
    _to_meeting(world)
    decision = db.session.scalar(select(DisciplineDecision))
    decision.status, decision.form = "decided", "khien_trach"
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_assessment_flag_by_year_and_staff_history(app, client, world):
    conclude(world)
    _to_meeting(world)
    services.decide_discipline(world.case, world.head, form="canh_cao", decision_number="9/QĐ-UBND",
                               decision_date=date(2025, 12, 30), signer="Chủ tịch UBND phường")
    db.session.commit()
    assert services.assessment_flag(world.clerk, 2025) == "không hoàn thành nhiệm vụ"
    assert services.assessment_flag(world.clerk, 2026) is None
    assert services.assessment_flag(world.clerk, 2024) is None

    ref = world.clerk.public_ref
    login(client, world.head)
    page = client.get(f"/staff/{ref}/history").get_data(as_text=True)
    assert world.case.tracking_code in page and "Cảnh cáo" in page and "9/QĐ-UBND" in page
    assert "Năm 2025" in page and "không hoàn thành nhiệm vụ" in page
    login(client, world.monitor)
    assert client.get(f"/staff/{ref}/history").status_code == 200
    # The staff member sees their own record without tracking codes or descriptions.
    login(client, world.clerk_user)
    own = client.get(f"/staff/{ref}/history")
    text = own.get_data(as_text=True)
    assert own.status_code == 200 and "Cảnh cáo" in text
    assert world.case.tracking_code not in text and "Nguyễn Thị Lan" not in text and "bồi dưỡng" not in text
    for user in (world.handler, world.other_head, world.other):
        login(client, user)
        assert client.get(f"/staff/{ref}/history").status_code == 403
    client.post("/auth/logout")
    with client.session_transaction() as session:
        session.clear()
    response = client.get(f"/staff/{ref}/history")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
