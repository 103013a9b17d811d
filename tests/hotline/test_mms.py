"""MMS: each photo is fetched from Twilio by a job, checked and re-encoded, and attached (issue 12)."""
import io

import pytest
from PIL import Image
from sqlalchemy import func, select

from feedback.extensions import db
from feedback.jobs import run_due_inline
from feedback.models import Attachment, Complaint, InboundMedia, IntakeItem, JobOutbox
from tests.conftest import login
from tests import factories
from tests.hotline.conftest import CITIZEN, sms_params, twilio_post

LONG = "Cán bộ một cửa phường Nha Trang đòi thêm giấy tờ, ảnh giấy hẹn gửi kèm"


def _jpeg(size=(64, 48), exif=True):
    image = Image.new("RGB", size, (200, 30, 30))
    out = io.BytesIO()
    extra = {}
    if exif:
        data = Image.Exif()
        data[0x0110] = "Camera model"  # metadata that must not survive re-encoding
        extra["exif"] = data.tobytes()
    image.save(out, "JPEG", **extra)
    return out.getvalue()


def _mms(body, urls, types=None):
    params = sms_params(body)
    params["NumMedia"] = str(len(urls))
    for index, url in enumerate(urls):
        params[f"MediaUrl{index}"] = url
        params[f"MediaContentType{index}"] = (types or ["image/jpeg"] * len(urls))[index]
    return params


@pytest.fixture
def mms_app(app, twilio_settings, monkeypatch):
    for key, value in twilio_settings.items():
        monkeypatch.setitem(app.config, key, value)
    # Jobs run when the test says (run_due_inline), as `flask worker` would after the webhook.
    monkeypatch.setitem(app.config, "JOBS_AFTER_REQUEST", False)
    return app


def _post(app, params):
    return twilio_post(app.test_client(), "/hotline/sms", params, token=app.config["TWILIO_AUTH_TOKEN"])


def test_a_photo_with_a_complaint_is_fetched_with_credentials_and_attached_to_the_case(mms_app, standin):
    """Finding: MediaUrl0... were stored nowhere."""
    url = standin.add_media(_jpeg(), "image/jpeg")
    _post(mms_app, _mms(LONG, [url]))
    case = db.session.scalar(select(Complaint))
    assert case.description == LONG
    media = db.session.scalar(select(InboundMedia))
    assert (media.status, media.complaint_id) == ("pending", case.id)
    # The fetch is a durable job written with the case, not work done inside the webhook.
    assert db.session.scalar(select(func.count()).select_from(JobOutbox)
                             .where(JobOutbox.func == "feedback.hotline.jobs.fetch_sms_media")) == 1
    run_due_inline()
    db.session.expire_all()
    attachment = db.session.scalar(select(Attachment).where(Attachment.complaint_id == case.id))
    assert attachment is not None and attachment.content_type == "image/jpeg"
    with open(f"{mms_app.config['UPLOAD_FOLDER']}/{attachment.stored_name}", "rb") as handle:
        stored = Image.open(io.BytesIO(handle.read()))
        assert stored.size == (64, 48) and 0x0110 not in stored.getexif()  # re-encoded: metadata gone
    fetched = [r for r in standin.requests if r["method"] == "GET" and "/Media/" in r["path"]]
    assert fetched and fetched[0]["auth"] is True
    # Once stored, Twilio's copy is deleted.
    assert any(path.endswith(".json") and "/Media/ME" in path for path in standin.deleted)


def test_a_photo_without_text_is_an_operator_item_with_the_photo(mms_app, standin):
    """Finding: an MMS with a photo and no text became an empty operator item."""
    from feedback.console.services import CaseInput, convert_item

    url = standin.add_media(_jpeg(), "image/jpeg")
    client = mms_app.test_client()
    reply = _post(mms_app, _mms("", [url]))
    assert "ảnh" in reply.get_data(as_text=True)
    item = db.session.scalar(select(IntakeItem))
    assert item.kind == "sms" and item.from_phone == CITIZEN
    run_due_inline()
    media = db.session.scalar(select(InboundMedia))
    db.session.refresh(media)
    assert (media.status, media.intake_item_id) == ("stored", item.id)
    # The operator sees the photo in the queue item...
    operator = factories.user("operator")
    db.session.commit()
    login(client, operator)
    page = client.get(f"/console/queue/{item.id}").get_data(as_text=True)
    assert f"/console/queue/{item.id}/media/{media.id}" in page
    photo = client.get(f"/console/queue/{item.id}/media/{media.id}")
    assert photo.status_code == 200 and photo.mimetype == "image/jpeg"
    # ... and the case made from it carries the photo.
    data = CaseInput(description="Ảnh chụp giấy hẹn trễ hạn ở bộ phận một cửa", unit=factories.unit(),
                     caller_phone=CITIZEN)
    result = convert_item(item.id, data, operator=operator)
    db.session.commit()
    assert db.session.scalar(select(Attachment.complaint_id)) == result.complaint.id


def test_refused_media_is_marked_with_the_reason_and_nothing_is_stored(mms_app, standin):
    html = standin.add_media(b"<html>not a photo</html>", "image/jpeg")
    elsewhere = "https://evil.example/photo.jpg"
    _post(mms_app, _mms(LONG, [html, elsewhere]))
    run_due_inline()
    rows = db.session.scalars(select(InboundMedia).order_by(InboundMedia.position)).all()
    for row in rows:
        db.session.refresh(row)
    assert [r.status for r in rows] == ["refused", "refused"]
    assert "không được chấp nhận" in rows[0].error and "not a Twilio media URL" in rows[1].error
    assert db.session.scalar(select(func.count()).select_from(Attachment)) == 0
    assert not any(r["path"].startswith("/photo") for r in standin.requests)  # never fetched elsewhere


def test_twilio_unavailable_is_retried_not_lost(mms_app, standin):
    url = standin.add_media(_jpeg(), "image/jpeg")
    _post(mms_app, _mms(LONG, [url]))
    standin.media_status = 503
    run_due_inline()
    row = db.session.scalar(select(JobOutbox).where(JobOutbox.func == "feedback.hotline.jobs.fetch_sms_media"))
    db.session.refresh(row)
    assert row.finished_at is None and row.attempts == 1 and row.run_after is not None
    assert db.session.scalar(select(InboundMedia.status)) == "pending"
