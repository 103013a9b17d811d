"""English mode on the staff case page (issue 14): categories, channels, conclusions, timeline texts and unit
names in English; what people wrote stays as written, and the record stays Vietnamese."""
from sqlalchemy import select

from feedback.extensions import db
from feedback.models import CaseEvent
from feedback.outcomes import services
from tests.conftest import login
from tests.outcomes.helpers import conclude


def test_staff_case_page_in_english(app, client, world):
    world.category.name_en = "Rude or indifferent attitude"
    world.counter.name_en = "Public Administrative Service Centre, Nha Trang Ward"
    db.session.commit()
    conclude(world)
    services.save_answer(world.case, world.handler, body="Kính gửi Ông/Bà, ...", submit=True)
    services.review_answer(world.case, world.head, approve=False, note="Bổ sung biện pháp xử lý.")
    db.session.commit()
    login(client, world.head)
    page = client.get(f"/cases/{world.case.tracking_code}?lang=en").get_data(as_text=True)
    # Category, channel, unit, statuses and the system's own timeline lines are English ...
    for english in ("Rude or indifferent attitude", "Public Administrative Service Centre, Nha Trang Ward",
                    "Web portal", "Verification started.", "Verification conclusion submitted: Substantiated.",
                    "Verification conclusion approved: Substantiated.", "Draft answer submitted.",
                    "Draft answer returned: Bổ sung biện pháp xử lý."):
        assert english in page, english
    for vietnamese in ("Thái độ phục vụ", "Cổng thông tin", "Bắt đầu xác minh.", "Trình kết luận xác minh",
                       "Trình dự thảo trả lời."):
        assert vietnamese not in page, vietnamese
    # ... what the head wrote is shown as written, and the stored record stays Vietnamese.
    bodies = db.session.scalars(select(CaseEvent.body).where(CaseEvent.complaint_id == world.case.id)).all()
    assert "Bắt đầu xác minh." in bodies and "Trình kết luận xác minh: Đúng." in bodies
    verification = client.get(f"/cases/{world.case.tracking_code}/verification?lang=en").get_data(as_text=True)
    assert "Conclusion:</strong> Substantiated" in verification and "(Civil servant" in verification
    vietnamese_page = client.get(f"/cases/{world.case.tracking_code}?lang=vi").get_data(as_text=True)
    assert "Trình kết luận xác minh: Đúng." in vietnamese_page and "Thái độ phục vụ" in vietnamese_page


def test_an_english_speaking_official_still_writes_the_record_in_vietnamese(app, client, world):
    """The timeline is the case's record: its texts are Vietnamese whatever the actor's page language."""
    from flask_babel import force_locale

    with app.test_request_context(), force_locale("en"):
        services.start_verification(world.case, world.handler)
        db.session.commit()
    event = db.session.scalar(select(CaseEvent).where(CaseEvent.complaint_id == world.case.id,
                                                      CaseEvent.kind == "verification"))
    assert event.body == "Bắt đầu xác minh." and event.message == {"id": "Bắt đầu xác minh.", "args": {}}
