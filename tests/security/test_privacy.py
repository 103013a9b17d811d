"""Data protection (Luật 91/2025/QH15, NĐ 356/2025): the notice everywhere data is collected, the
retention job, and a backup that restores."""
import io
import os
import subprocess
import uuid
from datetime import timedelta

from sqlalchemy import create_engine, func, select, text, update
from werkzeug.datastructures import FileStorage

from feedback import attachments
from feedback.audit import verify_chain
from feedback.extensions import db
from feedback.intake.services import create_case
from feedback.models import Attachment, Complainant, Complaint, OutboundMessage, utcnow
from feedback.models.hotline import InboundSms
from feedback.privacy.jobs import anonymise_old_cases
from tests import factories
from tests.hotline.conftest import call_params, sid, twilio_post
from tests.portal.helpers import jpeg_bytes

NAME, PHONE = "Phạm Thị Riêng Tư", "+84905777666"


def test_the_notice_is_public_and_linked_where_data_is_collected(client):
    notice = client.get("/bao-ve-du-lieu-ca-nhan").get_data(as_text=True)
    for words in ("91/2025/QH15", "356/2025", "Thu thập những gì", "Ai được xem", "Lưu trong bao lâu", "Quyền của Ông/Bà"):
        assert words in notice
    assert "/bao-ve-du-lieu-ca-nhan" in client.get("/gui-phan-anh").get_data(as_text=True)


def test_the_kiosk_and_the_hotline_say_it_too(app, client):
    tree = factories.province_tree()
    _kiosk, token = factories.kiosk(tree["counter_a"], name="Quầy 1", counter_number="1")
    db.session.commit()
    client.get(f"/kiosk/activate?token={token}")
    assert "cán bộ bị phản ánh không được xem" in client.get("/kiosk/").get_data(as_text=True)
    greeting = twilio_post(client, "/hotline/voice", call_params(sid("CA"))).get_data(as_text=True)
    assert "chỉ bộ phận tiếp nhận và cơ quan theo dõi được xem" in greeting


def _finished_case(days_ago, status="closed"):
    case = create_case(channel="web", description=f"Tôi là {NAME}, số {PHONE}, cán bộ quầy 2 thái độ kém.",
                       contact={"full_name": NAME, "phone": PHONE, "ip_address": "198.51.100.77"}, send_ack=True).complaint
    photo = attachments.save_upload(FileStorage(io.BytesIO(jpeg_bytes()), "anh.jpg"), case)
    db.session.add(InboundSms(message_sid="SM" + uuid.uuid4().hex, from_phone=PHONE, body="nội dung có số " + PHONE,
                              kind="reply", complaint_id=case.id))
    db.session.flush()
    at = utcnow() - timedelta(days=days_ago)
    db.session.execute(update(Complaint).where(Complaint.id == case.id).values(status=status, closed_at=at, updated_at=at))
    db.session.commit()
    return case.id, attachments.path_of(photo)


def test_the_retention_job_removes_personal_data_of_cases_finished_long_ago(app):
    old_id, old_file = _finished_case(days_ago=6 * 365)
    recent_id, recent_file = _finished_case(days_ago=30)
    assert anonymise_old_cases() == 1
    assert anonymise_old_cases() == 0  # nothing left to do
    db.session.expire_all()
    old, recent = db.session.get(Complaint, old_id), db.session.get(Complaint, recent_id)
    assert old.complainant_id is None and NAME not in old.description and PHONE not in old.description
    assert not os.path.exists(old_file) and not db.session.scalars(select(Attachment).where(Attachment.complaint_id == old_id)).all()
    assert db.session.scalar(select(InboundSms.from_phone).where(InboundSms.complaint_id == old_id)) == ""
    assert all(m.to_address == "" for m in db.session.scalars(select(OutboundMessage).where(OutboundMessage.complaint_id == old_id)))
    assert db.session.scalar(select(func.count()).select_from(Complainant).where(Complainant.phone == PHONE)) == 1
    # The recent one keeps everything; the case itself (code, unit, status) stays in the statistics.
    assert recent.complainant.phone == PHONE and os.path.exists(recent_file)
    assert old.tracking_code and old.status == "closed"
    assert verify_chain() == (True, None)


def test_a_pg_dump_of_a_populated_database_restores_whole(postgres, app, database_url):
    for n in range(5):
        create_case(channel="web", description=f"Phản ánh số {n} về thái độ", contact={"phone": f"+8490511100{n}"})
    db.session.commit()
    name = f"feedback_restore_{uuid.uuid4().hex[:8]}"
    url = db.engine.url
    dump = subprocess.run(["pg_dump", "-Fc", "-h", url.host, "-p", str(url.port or 5432), "-U", url.username, url.database],
                          check=True, capture_output=True).stdout
    server = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        subprocess.run(["pg_restore", "--no-owner", "-h", url.host, "-p", str(url.port or 5432), "-U", url.username,
                        "-d", name], input=dump, check=True, capture_output=True)
        restored = create_engine(url.set(database=name))
        with restored.connect() as connection:
            assert connection.execute(text("SELECT count(*) FROM complaints")).scalar() == 5
            assert connection.execute(text("SELECT count(*) FROM audit_events")).scalar() == \
                db.session.scalar(text("SELECT count(*) FROM audit_events"))
            hashes = connection.execute(text("SELECT hash FROM audit_events ORDER BY id")).scalars().all()
        assert hashes == db.session.execute(text("SELECT hash FROM audit_events ORDER BY id")).scalars().all()
        restored.dispose()
    finally:
        with server.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        server.dispose()


def test_the_voicemail_recording_of_an_anonymised_case_is_deleted_at_twilio(app):
    from feedback.jobs import relay_pending
    from feedback.models import IntakeItem
    from tests.twilio_standin import TwilioStandIn

    old_id, _file = _finished_case(days_ago=6 * 365)
    db.session.add(IntakeItem(kind="voicemail", from_phone=PHONE, recording_sid="RE" + "c" * 32, status="converted",
                              recording_url="https://api.twilio.com/2010-04-01/Accounts/AC/Recordings/RE",
                              complaint_id=old_id))
    db.session.commit()
    standin = TwilioStandIn(account_sid="AC" + "d" * 32, auth_token="standin-secret").start()
    saved = {k: app.config.get(k) for k in ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_PHONE_NUMBER",
                                            "TWILIO_API_BASE_URL")}
    app.config.update(TWILIO_ACCOUNT_SID=standin.account_sid, TWILIO_AUTH_TOKEN=standin.auth_token,
                      TWILIO_PHONE_NUMBER="+18005550100", TWILIO_API_BASE_URL=standin.url)
    try:
        assert anonymise_old_cases() == 1
        relay_pending()  # no Redis here: the jobs run in this process
        item = db.session.scalar(select(IntakeItem))
        assert item.from_phone is None and item.recording_url is None
        assert standin.deleted == [f"/2010-04-01/Accounts/{standin.account_sid}/Recordings/{'RE' + 'c' * 32}.json"]
    finally:
        app.config.update(saved)
        standin.stop()


def test_dismissed_queue_items_and_their_mms_photos_are_forgotten_after_the_retention_time(app, upload_dir):
    from feedback.models import InboundMedia, IntakeItem

    sms = InboundSms(message_sid="SM" + "e" * 32, from_phone=PHONE, body="", kind="intake")
    db.session.add(sms)
    db.session.flush()
    photo = os.path.join(upload_dir, "old-mms-photo.jpg")
    with open(photo, "wb") as handle:
        handle.write(b"jpeg")
    old = IntakeItem(kind="sms", from_phone=PHONE, body="ảnh", message_sid=sms.message_sid, status="dismissed",
                     handled_at=utcnow() - timedelta(days=6 * 365))
    recent = IntakeItem(kind="sms", from_phone=PHONE, body="alo", status="dismissed", handled_at=utcnow())
    db.session.add_all([old, recent])
    db.session.flush()
    db.session.add(InboundMedia(inbound_sms_id=sms.id, url="https://api.twilio.com/x", intake_item_id=old.id,
                                status="stored", stored_name="old-mms-photo.jpg", content_type="image/jpeg"))
    db.session.commit()
    assert anonymise_old_cases() == 1
    db.session.expire_all()
    assert (old.from_phone, old.body) == (None, None) and recent.from_phone == PHONE
    assert not os.path.exists(photo) and db.session.scalar(select(func.count()).select_from(InboundMedia)) == 0
    assert db.session.get(InboundSms, sms.id).from_phone == ""
    assert anonymise_old_cases() == 0
