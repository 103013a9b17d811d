"""Kiosk devices and the ratings they collect.

A rating is one tap sequence on the device: who served, the face, the reasons, an
optional short complaint. A low score becomes a case against the staff member through
create_case() when the citizen writes a complaint, leaves a number for an answer, or picks
a serious reason (asking for money); a low score with another misconduct reason is recorded
against the staff member for the unit head to acknowledge (the lighter track).
"""
import re
import uuid
from datetime import datetime, timedelta, timezone

import phonenumbers
from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import and_, func, or_, select

from feedback.calendar import local_date
from feedback import audit
from feedback.extensions import db
from feedback.intake.services import create_case
from feedback.models import Category, Complaint, Kiosk, Rating, Staff, utcnow
from feedback.models.rating import MISCONDUCT_REASONS, RATING_REASONS, SCORES, SERIOUS_REASONS
from feedback.models.base import hotline_digits, insert_unless_taken

COOKIE_NAME = "kiosk_device"
COOKIE_MAX_AGE = 400 * 24 * 3600  # the longest lifetime browsers accept
TOKEN_HEADER = "X-Kiosk-Token"
# Scores that count as "không hài lòng" / "rất không hài lòng".
LOW_SCORES = (1, 2)
# Reasons offered for a low score (negative) and for a high one (positive).
NEGATIVE_REASONS = [r for r in RATING_REASONS if r not in ("good_attitude", "fast")]
POSITIVE_REASONS = ["good_attitude", "fast"]
# Misconduct reason -> code of the category the case is filed under (when such a category exists;
# these are the codes `flask seed-demo` creates).
REASON_CATEGORY_CODES = {
    "attitude": "thai_do",
    "extra_papers": "giay_to_ngoai_quy_dinh",
    "extra_steps": "dat_them_thu_tuc",
    "asked_money": "nhung_nhieu",
    "repeated_supplements": "bo_sung_nhieu_lan",
    "absent": "vang_mat",
}
# When several misconduct reasons are given, the case is filed under the gravest.
MISCONDUCT_ORDER = ["asked_money", "extra_papers", "extra_steps", "repeated_supplements", "attitude", "absent"]
MAX_COMMENT = 1000
# A rating kept on the device during a network loss keeps its tap time, within reason.
MAX_TAP_AGE = timedelta(days=7)
PAYLOAD_KEYS = {"client_uuid", "score", "staff_id", "reasons", "comment", "phone", "tapped_at"}
_UUID_RE = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


class RatingError(ValueError):
    """The device sent something the kiosk API refuses; `field` names the culprit."""

    def __init__(self, message, field=None):
        super().__init__(message)
        self.message = message
        self.field = field


# --- devices ---------------------------------------------------------------------------------

def _serializer():
    return URLSafeSerializer(current_app.secret_key, salt="kiosk-device")


def is_usable(kiosk):
    return kiosk is not None and kiosk.active and kiosk.revoked_at is None


def kiosk_for_token(token):
    """The active kiosk this device token belongs to, or None."""
    if not token or len(token) > 200:
        return None
    kiosk = db.session.scalar(select(Kiosk).where(Kiosk.token_hash == Kiosk.hash_token(token)))
    return kiosk if is_usable(kiosk) else None


def cookie_value(kiosk):
    """Signed cookie naming the kiosk and its current token: reissuing the token voids old cookies."""
    return _serializer().dumps([kiosk.id, kiosk.token_hash[:16]])


def kiosk_for_cookie(value):
    if not value:
        return None
    try:
        kiosk_id, hash_prefix = _serializer().loads(value)
    except (BadSignature, TypeError, ValueError):
        return None
    kiosk = db.session.get(Kiosk, kiosk_id) if isinstance(kiosk_id, int) else None
    if kiosk is None or kiosk.token_hash[:16] != hash_prefix:
        return None
    return kiosk if is_usable(kiosk) else None


def touch(kiosk):
    """Remember that the device was seen (at most one write a minute)."""
    now = utcnow()
    if kiosk.last_seen_at is None or now - kiosk.last_seen_at > timedelta(minutes=1):
        kiosk.last_seen_at = now


def counter_staff(kiosk):
    """Active staff the citizen may have been served by: the kiosk's counter, else its whole unit."""
    query = select(Staff).where(Staff.unit_id == kiosk.unit_id, Staff.active.is_(True)).order_by(
        Staff.counter_number, Staff.full_name
    )
    if kiosk.counter_number:
        at_counter = db.session.scalars(query.where(Staff.counter_number == kiosk.counter_number)).all()
        if at_counter:
            return at_counter
    return db.session.scalars(query).all()


# --- phone numbers -------------------------------------------------------------------------

def normalise_phone(raw, region="VN"):
    """E.164 for a valid phone number (Vietnamese by default), None when blank; ValueError when invalid."""
    raw = (raw or "").strip()
    if not raw:
        return None
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException as exc:
        raise ValueError(raw) from exc
    if not phonenumbers.is_valid_number(number):
        raise ValueError(raw)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


# --- ratings -------------------------------------------------------------------------------

def _tap_time(value, now):
    if value is None:
        return now
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        raise RatingError(_("Thời điểm đánh giá không hợp lệ."), "tapped_at")
    try:
        moment = datetime.fromtimestamp(value / 1000, tz=timezone.utc).replace(tzinfo=None)
    except (OverflowError, OSError, ValueError) as exc:
        raise RatingError(_("Thời điểm đánh giá không hợp lệ."), "tapped_at") from exc
    # A device clock far off (or a very old replay) is not trusted: the server's time is used.
    if moment > now + timedelta(minutes=5) or moment < now - MAX_TAP_AGE:
        return now
    return min(moment, now)


def validate_payload(kiosk, data):
    """Check a rating sent by the device; return clean values or raise RatingError."""
    if not isinstance(data, dict):
        raise RatingError(_("Dữ liệu gửi lên phải là một đối tượng JSON."))
    unknown = set(data) - PAYLOAD_KEYS
    if unknown:
        raise RatingError(_("Trường không được hỗ trợ: %(names)s.", names=", ".join(sorted(unknown))))
    client_uuid = data.get("client_uuid")
    if not isinstance(client_uuid, str) or not _UUID_RE.match(client_uuid):
        raise RatingError(_("Mã đánh giá (client_uuid) phải là một UUID."), "client_uuid")
    score = data.get("score")
    if not isinstance(score, int) or isinstance(score, bool) or score not in SCORES:
        raise RatingError(_("Mức đánh giá phải là số nguyên từ 1 đến 5."), "score")
    reasons = data.get("reasons") or []
    if not isinstance(reasons, list) or not all(isinstance(r, str) for r in reasons):
        raise RatingError(_("Lý do phải là một danh sách."), "reasons")
    unknown_reasons = [r for r in reasons if r not in RATING_REASONS]
    if unknown_reasons:
        raise RatingError(_("Lý do không hợp lệ: %(names)s.", names=", ".join(unknown_reasons)[:100]), "reasons")
    reasons = list(dict.fromkeys(reasons))
    staff = None
    staff_id = data.get("staff_id")
    if staff_id is not None:
        if not isinstance(staff_id, int) or isinstance(staff_id, bool):
            raise RatingError(_("Mã cán bộ không hợp lệ."), "staff_id")
        staff = db.session.get(Staff, staff_id)
        if staff is None or staff.unit_id != kiosk.unit_id or not staff.active:
            raise RatingError(_("Cán bộ này không làm việc tại đơn vị của máy đánh giá."), "staff_id")
    comment = data.get("comment")
    if comment is not None and not isinstance(comment, str):
        raise RatingError(_("Ý kiến phải là văn bản."), "comment")
    comment = (comment or "").strip() or None
    if comment and len(comment) > MAX_COMMENT:
        raise RatingError(_("Ý kiến quá dài (tối đa %(n)s ký tự).", n=MAX_COMMENT), "comment")
    phone = data.get("phone")
    if phone is not None and not isinstance(phone, str):
        raise RatingError(_("Số điện thoại không hợp lệ."), "phone")
    try:
        phone = normalise_phone(phone)
    except ValueError as exc:
        raise RatingError(_("Số điện thoại không hợp lệ. Ví dụ: 0905 123 456."), "phone") from exc
    return {
        "client_uuid": client_uuid.lower(),
        "score": score,
        "reasons": reasons,
        "staff": staff,
        "comment": comment,
        "phone": phone,
        "tapped_at": _tap_time(data.get("tapped_at"), utcnow()),
    }


def becomes_case(score, reasons, comment, phone=None):
    """A low score is a full case when the citizen wrote a complaint, left a number for an answer, or
    picked a serious reason (asking for money or gifts). A low score with another misconduct reason is
    recorded against the staff member (see `needs_acknowledgement`), not a case."""
    return score in LOW_SCORES and (bool(comment) or bool(phone) or bool(set(reasons) & SERIOUS_REASONS))


def needs_acknowledgement(score, reasons):
    """A low score naming misconduct that is not a case: the unit head sees and acknowledges it."""
    return score in LOW_SCORES and bool(set(reasons) & MISCONDUCT_REASONS)


def category_for(reasons):
    """The active misconduct category matching the gravest misconduct reason, or None."""
    for reason in MISCONDUCT_ORDER:
        if reason in reasons and REASON_CATEGORY_CODES.get(reason):
            category = db.session.scalar(
                select(Category).where(Category.code == REASON_CATEGORY_CODES[reason], Category.active.is_(True))
            )
            if category is not None:
                return category
    return None


def case_description(kiosk, score, reasons, comment):
    where = kiosk.name + (f" ({_('quầy')} {kiosk.counter_number})" if kiosk.counter_number else "")
    text = _("Đánh giá tại máy đánh giá %(where)s: %(score)s.", where=where, score=SCORES[score])
    if reasons:
        text += " " + _("Lý do: %(reasons)s.", reasons="; ".join(RATING_REASONS[r] for r in reasons))
    if comment:
        text += "\n" + _("Ý kiến của người dân: %(comment)s", comment=comment)
    return text


def _existing(client_uuid):
    return db.session.scalar(select(Rating).where(Rating.client_uuid == client_uuid))


def result_of(rating, secret=None, duplicate=False):
    """The API's answer for a stored rating (the same for a replay)."""
    complaint = db.session.get(Complaint, rating.complaint_id) if rating.complaint_id else None
    return {
        "status": "ok",
        "rating_id": rating.id,
        "client_uuid": rating.client_uuid,
        "duplicate": duplicate,
        "case": complaint.tracking_code if complaint is not None else None,
        "case_digits": hotline_digits(complaint.tracking_code) if complaint is not None else None,
        "secret": secret,
    }


def record_rating(kiosk, data):
    """Store one tap sequence (once per client_uuid); returns the API result. Flushes; the caller commits.

    The rating goes in first, keyed by the device's client_uuid: a replay (or the same taps arriving
    twice at once) stops there with the stored answer, before a case could be made for it again.
    """
    clean = validate_payload(kiosk, data)
    staff, score, reasons, comment = clean["staff"], clean["score"], clean["reasons"], clean["comment"]
    rating = insert_unless_taken(db.session, Rating, dict(
        unit_id=kiosk.unit_id,
        staff_id=staff.id if staff else None,
        kiosk_id=kiosk.id,
        counter_number=kiosk.counter_number or (staff.counter_number if staff else None),
        score=score,
        reasons=",".join(reasons),
        comment=comment,
        source="kiosk",
        client_uuid=clean["client_uuid"],
        created_at=clean["tapped_at"],
    ), Rating.client_uuid)
    if rating is None:
        return result_of(_existing(clean["client_uuid"]), duplicate=True)
    if not becomes_case(score, reasons, comment, clean["phone"]):
        return result_of(rating)
    staff_description = None
    if staff is None:
        staff_description = (_("Cán bộ tại quầy %(n)s", n=kiosk.counter_number) if kiosk.counter_number
                             else _("Cán bộ tại quầy tiếp nhận (người dân không nhớ tên)"))
    created = create_case(
        channel="kiosk",
        description=case_description(kiosk, score, reasons, comment),
        category=category_for(reasons),
        target_unit=kiosk.unit,
        staff=staff,
        staff_description=staff_description,
        incident_date=local_date(clean["tapped_at"]),
        incident_place=kiosk.name,
        contact={"phone": clean["phone"]} if clean["phone"] else None,
        submission_key=f"kiosk:{clean['client_uuid']}",
        actor_label="kiosk",
    )
    rating.complaint_id = created.complaint.id  # flushed with the audit row below
    audit.record("kiosk.rating_case", actor_label="kiosk", obj=rating, kiosk=kiosk.id,
                 complaint=created.complaint.tracking_code, score=score)
    return result_of(rating, secret=created.secret if created.created else None)


def new_client_uuid():
    return str(uuid.uuid4())


# --- the lighter track: low ratings naming misconduct, acknowledged by the unit head --------------

# How far back the unit head's list and the per-staff counts look.
ACKNOWLEDGE_WINDOW = timedelta(days=365)


def _needs_ack_clause():
    return and_(Rating.source == "kiosk", Rating.score.in_(LOW_SCORES), Rating.complaint_id.is_(None),
                or_(*[Rating.reasons.like(f"%{reason}%") for reason in sorted(MISCONDUCT_REASONS)]))


def low_ratings(user, limit=200):
    """Low kiosk ratings naming misconduct in the user's scope (never their own), unacknowledged first."""
    from feedback.cases import access
    from feedback.models import Unit

    query = select(Rating).where(_needs_ack_clause(), Rating.created_at >= utcnow() - ACKNOWLEDGE_WINDOW)
    scope = access.scope_unit(user)
    if scope is not None:
        query = query.where(Rating.unit_id.in_(select(Unit.id).where(Unit.subtree_clause(scope))))
    staff_id = access.named_staff_id(user)
    if staff_id is not None:
        query = query.where(or_(Rating.staff_id.is_(None), Rating.staff_id != staff_id))
    return db.session.scalars(query.order_by(Rating.acknowledged_at.is_not(None), Rating.id.desc())
                              .limit(limit)).all()


def acknowledge_rating(rating, actor, note=None):
    """The unit head has seen a low rating naming misconduct (and may say what was done)."""
    from feedback.cases import access

    if rating.acknowledged_at is not None:
        raise RatingError(_("Đánh giá này đã được ghi nhận."))
    if actor.role != "unit_head" or not access.unit_in_scope(actor, rating.unit) or (
            rating.staff_id is not None and rating.staff_id == access.named_staff_id(actor)):
        raise RatingError(_("Không thể ghi nhận đánh giá này."))
    rating.acknowledged_at, rating.acknowledged_by_id = utcnow(), actor.id
    rating.acknowledgement_note = (note or "").strip()[:500] or None
    audit.record("kiosk.rating_acknowledged", actor=actor, obj=rating, staff=rating.staff_id, note=rating.acknowledgement_note)
    db.session.flush()
    return rating


def remind_unacknowledged_ratings():
    """Periodic (daily): the heads of each unit with low ratings not acknowledged for a day are reminded."""
    from feedback.calendar import local_today
    from feedback.cases.services import heads_for
    from feedback.models import Notification, Unit

    rows = db.session.execute(
        select(Rating.unit_id, func.count()).where(_needs_ack_clause(), Rating.acknowledged_at.is_(None),
                                                   Rating.created_at < utcnow() - timedelta(days=1),
                                                   Rating.created_at >= utcnow() - ACKNOWLEDGE_WINDOW)
        .group_by(Rating.unit_id)).all()
    sent = 0
    today = local_today().isoformat()
    for unit_id, count in rows:
        for head in heads_for(db.session.get(Unit, unit_id)):
            key = f"low-ratings:{unit_id}:{head.id}:{today}"
            if db.session.scalar(select(Notification.id).where(Notification.dedupe_key == key)) is None:
                db.session.add(Notification(user_id=head.id, unit_id=head.unit_id, kind="ratings", dedupe_key=key,
                                            created_at=utcnow(), body=_(
                    "%(n)d đánh giá không hài lòng tại quầy (nêu sai phạm) chưa được ghi nhận.", n=count)))
                sent += 1
    db.session.commit()
    return sent
