import time
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from feedback.audit import verify_chain
from feedback.extensions import db
from feedback.kiosk.services import COOKIE_NAME
from feedback.models import AuditEvent, Complaint, OutboundMessage, Rating, utcnow
from tests import factories
from tests.sql import recorded_sql

REFUSED = "Thiết bị chưa được đăng ký hoặc đã bị thu hồi"


@pytest.fixture
def counter(app):
    """A one-stop counter with two staff at counter 3, one at counter 4, and a kiosk at counter 3."""
    tree = factories.province_tree()
    unit = tree["counter_a"]
    lan = factories.staff(unit, "Trần Thị Lan", counter_number="3")
    binh = factories.staff(unit, "Lê Văn Bình", counter_number="3")
    other_counter = factories.staff(unit, "Phạm Thu Hà", counter_number="4")
    stranger = factories.staff(tree["b"], "Võ Minh Tâm")
    kiosk, token = factories.kiosk(unit, name="Máy đánh giá quầy 3", counter_number="3")
    db.session.commit()
    return {"tree": tree, "unit": unit, "lan": lan, "binh": binh, "other_counter": other_counter,
            "stranger": stranger, "kiosk": kiosk, "token": token}


def rating_count():
    return db.session.scalar(select(func.count(Rating.id)))


def post_rating(client, token, **payload):
    payload.setdefault("client_uuid", str(uuid.uuid4()))
    return client.post("/kiosk/api/ratings", json=payload, headers={"X-Kiosk-Token": token})


def test_token_is_exchanged_for_a_cookie_and_the_screen_lists_the_counter_staff(client, counter):
    response = client.get(f"/kiosk/{counter['token']}")
    assert response.status_code == 302 and response.headers["Location"].endswith("/kiosk/")
    assert counter["token"] not in response.headers["Location"]
    assert COOKIE_NAME in response.headers["Set-Cookie"] and "HttpOnly" in response.headers["Set-Cookie"]
    page = client.get("/kiosk/")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Trần Thị Lan" in html and "Lê Văn Bình" in html
    assert "Phạm Thu Hà" not in html  # another counter
    assert "Võ Minh Tâm" not in html  # another unit
    for label in ("Không nhớ", "Rất hài lòng", "Hài lòng", "Bình thường", "Không hài lòng", "Rất không hài lòng",
                  "Gây phiền hà, đòi tiền"):
        assert label in html
    db.session.refresh(counter["kiosk"])
    assert counter["kiosk"].last_seen_at is not None


def test_activate_with_query_token_then_rate_with_the_cookie_alone(client, counter):
    assert client.get(f"/kiosk/activate?token={counter['token']}").status_code == 302
    response = client.post("/kiosk/api/ratings", json={"client_uuid": str(uuid.uuid4()), "score": 4})
    assert response.status_code == 200
    assert rating_count() == 1


def test_kiosk_without_counter_shows_the_whole_unit(client, counter):
    _kiosk, token = factories.kiosk(counter["unit"], name="Máy đánh giá sảnh")
    db.session.commit()
    client.get(f"/kiosk/{token}")
    html = client.get("/kiosk/").get_data(as_text=True)
    assert "Phạm Thu Hà" in html and "Trần Thị Lan" in html


def test_happy_path_stores_one_rating(client, counter):
    response = post_rating(client, counter["token"], score=5, staff_id=counter["lan"].id,
                           reasons=["good_attitude", "fast"], comment="Cô Lan rất tận tình")
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "ok" and body["case"] is None and body["duplicate"] is False
    rating = db.session.get(Rating, body["rating_id"])
    assert (rating.unit_id, rating.staff_id, rating.kiosk_id) == (counter["unit"].id, counter["lan"].id, counter["kiosk"].id)
    assert rating.counter_number == "3" and rating.score == 5 and rating.source == "kiosk"
    assert rating.reason_list == ["good_attitude", "fast"] and rating.comment == "Cô Lan rất tận tình"
    assert rating.complaint_id is None
    assert db.session.scalar(select(func.count(Complaint.id))) == 0


def test_unknown_staff_choice_is_stored_without_staff(client, counter):
    response = post_rating(client, counter["token"], score=3, staff_id=None, reasons=["waiting"])
    assert response.status_code == 200
    rating = db.session.scalar(select(Rating))
    assert rating.staff_id is None and rating.reason_list == ["waiting"]


def test_replayed_client_uuid_is_stored_once(client, counter):
    key = str(uuid.uuid4())
    first = post_rating(client, counter["token"], client_uuid=key, score=4, staff_id=counter["binh"].id)
    second = post_rating(client, counter["token"], client_uuid=key, score=4, staff_id=counter["binh"].id)
    assert first.status_code == second.status_code == 200
    assert second.get_json()["rating_id"] == first.get_json()["rating_id"]
    assert second.get_json()["duplicate"] is True
    assert rating_count() == 1


def test_low_score_with_misconduct_reason_becomes_a_case_against_the_staff_member(client, counter):
    money = factories.category("nhung_nhieu", name_vi="Gây phiền hà, đòi tiền", is_misconduct=True)
    factories.category("thai_do", name_vi="Thái độ", is_misconduct=True)
    db.session.commit()
    key = str(uuid.uuid4())
    payload = dict(client_uuid=key, score=1, staff_id=counter["lan"].id, reasons=["attitude", "asked_money"],
                   comment="Đòi 200 nghìn mới nhận hồ sơ", phone="0905 123 456")
    response = post_rating(client, counter["token"], **payload)
    assert response.status_code == 200
    body = response.get_json()
    case = db.session.scalar(select(Complaint))
    assert body["case"] == case.tracking_code
    assert "72" + body["case_digits"].replace(" ", "") == case.keypad_code  # shown for the hotline
    assert case.channel == "kiosk" and case.staff_id == counter["lan"].id
    assert case.target_unit_id == counter["unit"].id and case.unit_id == counter["unit"].id
    assert case.category_id == money.id  # the gravest reason decides the category
    assert case.submission_key == f"kiosk:{key}"
    assert case.complainant.phone == "+84905123456"
    assert "Đòi 200 nghìn mới nhận hồ sơ" in case.description and "Rất không hài lòng" in case.description
    rating = db.session.scalar(select(Rating))
    assert rating.complaint_id == case.id
    # The citizen gets the acknowledgement with the tracking code.
    message = db.session.scalar(select(OutboundMessage))
    assert message.to_address == "+84905123456" and case.tracking_code in message.body
    # The same taps sent again: still one rating and one case.
    again = post_rating(client, counter["token"], **payload)
    assert again.status_code == 200 and again.get_json()["case"] == case.tracking_code
    assert rating_count() == 1 and db.session.scalar(select(func.count(Complaint.id))) == 1
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "kiosk.rating_case")) is not None
    assert verify_chain() == (True, None)


def test_misconduct_case_without_matching_category_or_staff(client, counter):
    response = post_rating(client, counter["token"], score=2, staff_id=None, reasons=["extra_papers"],
                           comment="Bắt nộp bản sao có chứng thực")
    assert response.status_code == 200
    case = db.session.scalar(select(Complaint))
    assert case.category_id is None and case.staff_id is None
    assert "quầy 3" in case.staff_description
    # Anonymous: the device gets the secret once, to show on the thank-you screen.
    assert response.get_json()["secret"]


def test_low_score_without_misconduct_and_high_score_with_a_reason_make_no_case(client, counter):
    assert post_rating(client, counter["token"], score=2, staff_id=counter["lan"].id, reasons=["waiting"]).status_code == 200
    assert post_rating(client, counter["token"], score=3, staff_id=counter["lan"].id, reasons=["attitude"]).status_code == 200
    assert rating_count() == 2
    assert db.session.scalar(select(func.count(Complaint.id))) == 0


def test_unknown_token_is_refused_and_nothing_saved(client, counter):
    page = client.get("/kiosk/not-a-real-token")
    assert page.status_code == 403 and REFUSED in page.get_data(as_text=True)
    cookie = page.headers.get("Set-Cookie", "")
    assert not cookie or cookie.startswith(f"{COOKIE_NAME}=;")  # never a device cookie, at most a deletion
    assert client.get("/kiosk/activate?token=").status_code == 403
    assert client.get("/kiosk/").status_code == 403  # no cookie
    response = post_rating(client, "not-a-real-token", score=5)
    assert response.status_code == 403 and REFUSED in response.get_json()["error"]
    assert rating_count() == 0


def test_revoked_kiosk_is_refused_even_with_its_old_cookie(client, counter):
    client.get(f"/kiosk/{counter['token']}")
    assert client.get("/kiosk/").status_code == 200
    counter["kiosk"].revoked_at = utcnow()
    counter["kiosk"].active = False
    db.session.commit()
    page = client.get("/kiosk/")
    assert page.status_code == 403 and REFUSED in page.get_data(as_text=True)
    assert client.get(f"/kiosk/{counter['token']}").status_code == 403
    response = client.post("/kiosk/api/ratings", json={"client_uuid": str(uuid.uuid4()), "score": 1,
                                                       "reasons": ["asked_money"]})
    assert response.status_code == 403
    assert rating_count() == 0 and db.session.scalar(select(func.count(Complaint.id))) == 0


def test_reissued_token_voids_cookies_of_the_old_one(client, counter):
    client.get(f"/kiosk/{counter['token']}")
    counter["kiosk"].issue_token()
    db.session.commit()
    assert client.get("/kiosk/").status_code == 403


def test_forged_cookie_is_refused(client, counter):
    client.set_cookie(COOKIE_NAME, "W1sIjEyMzQ1Njc4OTAxMjM0NTYiXQ.forged", path="/kiosk")
    assert client.get("/kiosk/").status_code == 403


@pytest.mark.parametrize("payload, field", [
    ({"score": 6}, "score"),
    ({"score": 0}, "score"),
    ({"score": "5"}, "score"),
    ({"score": True}, "score"),
    ({}, "score"),
    ({"score": 2, "reasons": ["not_a_reason"]}, "reasons"),
    ({"score": 2, "reasons": "attitude"}, "reasons"),
    ({"score": 2, "staff_id": "12"}, "staff_id"),
    ({"score": 2, "staff_id": 999999}, "staff_id"),
    ({"score": 2, "phone": "12345"}, "phone"),
    ({"score": 2, "comment": "x" * 1001}, "comment"),
    ({"score": 2, "client_uuid": "not-a-uuid"}, "client_uuid"),
    ({"score": 2, "client_uuid": None}, "client_uuid"),
    ({"score": 2, "tapped_at": "yesterday"}, "tapped_at"),
])
def test_bad_payloads_are_refused_with_a_clear_message(client, counter, payload, field):
    response = post_rating(client, counter["token"], **payload)
    assert response.status_code == 400
    body = response.get_json()
    assert body["field"] == field and body["error"]
    assert rating_count() == 0


def test_unknown_keys_and_non_json_bodies_are_refused(client, counter):
    headers = {"X-Kiosk-Token": counter["token"]}
    response = post_rating(client, counter["token"], score=5, admin=True)
    assert response.status_code == 400 and "admin" in response.get_json()["error"]
    response = client.post("/kiosk/api/ratings", data="score=5", headers=headers)
    assert response.status_code == 400 and "JSON" in response.get_json()["error"]
    response = client.post("/kiosk/api/ratings", data="{not json", headers=headers, content_type="application/json")
    assert response.status_code == 400
    response = client.post("/kiosk/api/ratings", json=[1, 2], headers=headers)
    assert response.status_code == 400
    assert rating_count() == 0


def test_staff_of_another_unit_is_refused(client, counter):
    response = post_rating(client, counter["token"], score=1, staff_id=counter["stranger"].id, reasons=["asked_money"])
    assert response.status_code == 400
    assert "không làm việc tại đơn vị" in response.get_json()["error"]
    assert rating_count() == 0 and db.session.scalar(select(func.count(Complaint.id))) == 0


def test_inactive_staff_is_refused(client, counter):
    counter["binh"].active = False
    db.session.commit()
    assert post_rating(client, counter["token"], score=4, staff_id=counter["binh"].id).status_code == 400


def test_rating_sent_later_keeps_its_tap_time(client, counter):
    tapped = utcnow() - timedelta(minutes=20)
    epoch_ms = int((tapped - utcnow()).total_seconds() * 1000 + time.time() * 1000)
    assert post_rating(client, counter["token"], score=4, tapped_at=epoch_ms).status_code == 200
    rating = db.session.scalar(select(Rating))
    assert abs((rating.created_at - tapped).total_seconds()) < 5
    # A device clock far in the future is not trusted.
    assert post_rating(client, counter["token"], score=4, tapped_at=(time.time() + 86400) * 1000).status_code == 200
    newest = db.session.scalars(select(Rating).order_by(Rating.id.desc())).first()
    assert newest.created_at <= utcnow()


def test_api_needs_no_csrf_token(app, client, counter):
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        response = post_rating(client, counter["token"], score=5)
        assert response.status_code == 200
        assert rating_count() == 1
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


def test_the_same_taps_arriving_twice_at_once_are_stored_once(app, postgres, counter):
    """Two deliveries of one tap sequence race each other: one rating, one case, both answered 200."""
    import threading

    factories.category("nhung_nhieu", is_misconduct=True)
    db.session.commit()
    payload = {"client_uuid": str(uuid.uuid4()), "score": 1, "staff_id": counter["lan"].id, "reasons": ["asked_money"]}
    barrier = threading.Barrier(3)
    answers = []

    def deliver():
        with app.app_context():
            client = app.test_client()
            barrier.wait()
            response = client.post("/kiosk/api/ratings", json=payload, headers={"X-Kiosk-Token": counter["token"]})
            answers.append((response.status_code, response.get_json()))
            db.session.remove()

    threads = [threading.Thread(target=deliver) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert [status for status, _body in answers] == [200, 200, 200]
    assert len({body["rating_id"] for _status, body in answers}) == 1
    assert len({body["case"] for _status, body in answers}) == 1
    db.session.rollback()
    assert rating_count() == 1 and db.session.scalar(select(func.count(Complaint.id))) == 1


def test_token_typed_into_the_activation_form(client, counter):
    form = client.get("/kiosk/activate")
    assert form.status_code == 200 and "Kích hoạt máy đánh giá" in form.get_data(as_text=True)
    wrong = client.post("/kiosk/activate", data={"token": "sai-ma"})
    assert wrong.status_code == 403 and REFUSED in wrong.get_data(as_text=True)
    right = client.post("/kiosk/activate", data={"token": f"  {counter['token']} "})
    assert right.status_code == 302 and client.get("/kiosk/").status_code == 200


def test_attitude_with_a_written_complaint_files_the_case_under_the_attitude_category(client, counter):
    attitude = factories.category("thai_do", is_misconduct=True)
    db.session.commit()
    assert post_rating(client, counter["token"], score=2, staff_id=counter["binh"].id, reasons=["attitude"],
                       comment="Quát mắng người già").status_code == 200
    case = db.session.scalar(select(Complaint))
    assert case.category_id == attitude.id and case.staff_id == counter["binh"].id


def _statements_of(request):
    """The response to `request()` and the SQL it sent (one lower-case line each)."""
    with recorded_sql() as seen:
        response = request()
    return response, [s.text for s in seen]


def test_a_rating_that_becomes_a_case_is_inserted_once_without_a_look_up_or_a_savepoint(app, client, counter):
    """Issue 16: the kiosk case looked itself up and inserted its rating in a savepoint (3 round trips
    a new tap never needs); the rating now goes in first with ON CONFLICT on its client_uuid."""
    factories.category("nhung_nhieu", is_misconduct=True)
    db.session.commit()
    key = str(uuid.uuid4())
    payload = dict(client_uuid=key, score=1, staff_id=counter["lan"].id, reasons=["asked_money"])
    response, statements = _statements_of(lambda: post_rating(client, counter["token"], **payload))
    assert response.status_code == 200 and response.get_json()["case"]
    assert not [s for s in statements if s.startswith(("savepoint", "release"))], statements
    assert not [s for s in statements if s.startswith("select") and "from ratings" in s], statements
    replay, replayed = _statements_of(lambda: post_rating(client, counter["token"], **payload))
    assert replay.get_json()["duplicate"] is True and replay.get_json()["case"] == response.get_json()["case"]
    assert not [s for s in replayed if s.startswith("insert into complaints")], replayed
    assert rating_count() == 1 and db.session.scalar(select(func.count(Complaint.id))) == 1


def test_a_replay_that_would_now_be_a_case_returns_the_stored_rating_and_makes_no_case(client, counter):
    """The same client_uuid sent again with a complaint added: the first answer stands, no orphan case."""
    factories.category("thai_do", is_misconduct=True)
    db.session.commit()
    key = str(uuid.uuid4())
    first = post_rating(client, counter["token"], client_uuid=key, score=2, staff_id=counter["lan"].id,
                        reasons=["waiting"])
    again = post_rating(client, counter["token"], client_uuid=key, score=1, staff_id=counter["lan"].id,
                        reasons=["attitude"], comment="Quát mắng người dân")
    assert first.get_json()["case"] is None
    assert again.get_json()["duplicate"] is True and again.get_json()["case"] is None
    assert again.get_json()["rating_id"] == first.get_json()["rating_id"]
    assert rating_count() == 1 and db.session.scalar(select(func.count(Complaint.id))) == 0
