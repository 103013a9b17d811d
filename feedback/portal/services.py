"""What the portal does to the data: unit and staff directory, submission, citizen access, messages, ratings."""
import hashlib
import hmac
import re
import secrets
from datetime import timedelta

from flask import current_app, session
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import func, select

from feedback import attachments as files
from feedback import audit
from feedback.calendar import local_today
from feedback.extensions import db
from feedback.intake.services import check_secret, create_case, new_secret, secret_digest
from feedback.messaging import queue_message
from feedback.models import CaseEvent, Category, Complaint, Rating, Staff, TrackingCode, Unit, utcnow
from feedback.models.org import COMMUNE_KINDS
from feedback.outcomes import services as outcomes
from feedback.text import fold

# Codes of the cases this browser session has opened (code + secret checked), newest last.
SESSION_CASES = "portal_cases"
SESSION_RECEIPT = "portal_receipt"
MAX_SESSION_CASES = 20
# A form sent again within this time gets a fresh secret for its case (the first page was lost).
RESUBMIT_WINDOW = timedelta(minutes=30)
STAFF_LIST_LIMIT = 500
CLOSED_FOR_MESSAGES = ("closed",)


# --- units and staff -------------------------------------------------------------------------

def public_units(query=None):
    """Units a citizen can choose, in tree order, as (unit, depth); `query` filters accent-insensitively."""
    today = local_today()
    units = db.session.scalars(select(Unit).where(Unit.currently_active(today)).order_by(Unit.path)).all()
    needle = fold(query or "").strip()
    result = []
    for unit in units:
        if needle and needle not in fold(unit.name) and needle not in unit.code.lower():
            continue
        result.append((unit, max(unit.path.strip("/").count("/"), 0)))
    return result


# Within a commune: its service centre first (most complaints are about a counter), then the UBND, then
# its offices.
_AREA_ORDER = {"one_stop": 0, "commune": 1, "ward": 1, "special_zone": 1}


_KIND_PREFIX = re.compile(r"^(?:Xã|Phường|Đặc khu) ")


def area_name(commune):
    """'UBND xã Vạn Ninh' -> 'Xã Vạn Ninh': how a citizen names the place."""
    name = commune.name.removeprefix("UBND ")
    return name[:1].upper() + name[1:]


def units_by_area(units):
    """[(commune or None, [units])]: the province's bodies first, then each xã/phường in name order."""
    by_code = {u.code: u for u in db.session.scalars(select(Unit).where(Unit.kind.in_(COMMUNE_KINDS)))}
    areas = {}
    for unit in units:
        codes = unit.path.strip("/").split("/")
        area = next((by_code[c] for c in codes if c in by_code), None)
        areas.setdefault(area, []).append(unit)

    def area_key(area):
        return (0, "") if area is None else (1, fold(_KIND_PREFIX.sub("", area_name(area))))

    return [(area, sorted(members, key=lambda u: (_AREA_ORDER.get(u.kind, 2), u.path)) if area else members)
            for area, members in sorted(areas.items(), key=lambda item: area_key(item[0]))]


def unit_by_code(code):
    if not code:
        return None
    unit = db.session.scalar(select(Unit).where(Unit.code == code))
    if unit is None or not unit.is_active_on(local_today()):
        return None
    return unit


def public_staff(unit):
    """Active staff of `unit` and the units below it (the one-stop counter of a commune)."""
    if unit is None:
        return []
    return db.session.scalars(
        select(Staff)
        .join(Unit, Staff.unit_id == Unit.id)
        .where(Staff.active.is_(True), Unit.subtree_clause(unit))
        .order_by(Unit.path, Staff.counter_number, Staff.full_name)
        .limit(STAFF_LIST_LIMIT)
    ).all()


def staff_public_fields(member):
    return {
        "public_ref": member.public_ref,
        "full_name": member.full_name,
        "position": member.position,
        "counter_number": member.counter_number,
        "unit_name": member.unit.name,
    }


def staff_in_unit(unit, public_ref):
    """The active staff member with this public reference inside `unit`'s subtree, or None."""
    if unit is None or not public_ref:
        return None
    member = db.session.scalar(select(Staff).where(Staff.public_ref == public_ref, Staff.active.is_(True)))
    if member is None or not member.unit.is_within(unit):
        return None
    return member


def active_categories():
    return db.session.scalars(
        select(Category).where(Category.active.is_(True)).order_by(Category.sort_order, Category.name_vi)
    ).all()


def category_by_code(code):
    if not code:
        return None
    return db.session.scalar(select(Category).where(Category.code == code, Category.active.is_(True)))


# --- submission ------------------------------------------------------------------------------

_KEY_PATTERN = re.compile(r"[A-Za-z0-9_-]{16,64}")


def new_submission_key():
    """The one-time token put in the form on GET (the browser only ever sees this part)."""
    return secrets.token_urlsafe(18)


def submission_key_for(form_value):
    """The idempotency key stored on the case: always in the portal's own namespace, so a crafted
    form can never match a key of another channel (SMS, Open311...). None when the token is malformed."""
    if not form_value or not _KEY_PATTERN.fullmatch(form_value):
        return None
    return "web:" + form_value


def submit_case(*, checked_uploads, submission_key, **case_fields):
    """Create the case through the one door and store its files. Returns (CaseCreated, attachments).

    A second delivery of the same form (same submission key) returns the first case; for an
    anonymous case sent again shortly after, the secret is re-issued because the page that
    showed the first one never reached the citizen.
    """
    result = create_case(channel="web", submission_key=submission_key_for(submission_key), **case_fields)
    stored = []
    if result.created:
        for checked in checked_uploads:
            stored.append(files.store(checked, result.complaint))
        if stored:
            db.session.flush()
            db.session.add(CaseEvent(complaint=result.complaint, kind="attachment", actor_label="citizen",
                                     body=str(len(stored)), is_public=False))
    elif utcnow() - result.complaint.submitted_at <= RESUBMIT_WINDOW:
        result.secret = reissue_secret(result.complaint)
    return result, stored


def reissue_secret(complaint):
    """A new secret for an anonymous case; the old one stops working."""
    secret = new_secret()
    complaint.secret_hash = secret_digest(secret)
    audit.record("case.secret_reissued", actor_label="citizen", obj=complaint)
    return secret


# --- citizen access --------------------------------------------------------------------------

def normalise_code(raw):
    return re.sub(r"[^0-9A-Za-z]", "", raw or "").upper()[:16]


ONE_TIME_CODE_MINUTES = 10
ONE_TIME_CODES_PER_HOUR = 3


def _one_time_digest(complaint_id, code):
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, f"{complaint_id}:{code}".encode(), hashlib.sha256).hexdigest()


def one_time_code_text(complaint, digits):
    """The SMS carrying a one-time code (one segment)."""
    with force_locale(complaint.language):
        return _("Mã xác nhận tra cứu %(code)s: %(digits)s (dùng trong %(minutes)d phút).",
                 code=complaint.tracking_code, digits=digits, minutes=ONE_TIME_CODE_MINUTES)


def send_one_time_code(code):
    """Text a 6-digit code to the phone of the case with this tracking code, if it has one.

    The caller always shows the same answer, so nobody learns whether the case exists or has a phone.
    At most ONE_TIME_CODES_PER_HOUR codes a case and an hour (no SMS bombing through this form).
    """
    complaint = db.session.scalar(select(Complaint).where(Complaint.tracking_code == normalise_code(code)))
    person = complaint.complainant if complaint is not None else None
    if person is None or not person.phone:
        return None
    now = utcnow()
    recent = db.session.scalar(select(func.count()).select_from(TrackingCode).where(
        TrackingCode.complaint_id == complaint.id, TrackingCode.created_at > now - timedelta(hours=1)))
    if recent >= ONE_TIME_CODES_PER_HOUR:
        return None
    digits = f"{secrets.randbelow(10**6):06d}"
    db.session.add(TrackingCode(complaint_id=complaint.id, code_hash=_one_time_digest(complaint.id, digits),
                                expires_at=now + timedelta(minutes=ONE_TIME_CODE_MINUTES)))
    queue_message(person.phone, one_time_code_text(complaint, digits), "secret", complaint=complaint)
    audit.record("case.one_time_code_sent", actor_label="citizen", obj=complaint)
    return complaint


def _use_one_time_code(complaint, key):
    digits = re.sub(r"\D", "", key)
    if len(digits) != 6 or complaint is None:
        return False
    row = db.session.scalar(select(TrackingCode).where(
        TrackingCode.complaint_id == complaint.id, TrackingCode.used_at.is_(None), TrackingCode.expires_at > utcnow(),
        TrackingCode.code_hash == _one_time_digest(complaint.id, digits)))
    if row is None:
        return False
    row.used_at = utcnow()
    return True


def citizen_can_open(complaint, key):
    """The case's secret, or a one-time code just sent to its complainant's phone."""
    key = (key or "").strip()
    if check_secret(complaint, key):
        return True
    return _use_one_time_code(complaint, key)


def find_case(code, key):
    """The case this code and key open, or None (the caller shows one neutral error either way)."""
    code = normalise_code(code)
    complaint = db.session.scalar(select(Complaint).where(Complaint.tracking_code == code)) if code else None
    # The key is checked whether or not the code exists: a wrong code and a wrong key take the same time.
    if not citizen_can_open(complaint, key) or complaint is None:
        return None
    return complaint


def remember_case(code):
    codes = [c for c in session.get(SESSION_CASES, []) if c != code]
    codes.append(code)
    session[SESSION_CASES] = codes[-MAX_SESSION_CASES:]


def opened_case(code):
    """The case with this code if this session has opened it, else None."""
    code = normalise_code(code)
    if not code or code not in session.get(SESSION_CASES, []):
        return None
    return db.session.scalar(select(Complaint).where(Complaint.tracking_code == code))


# --- what the citizen sees -------------------------------------------------------------------

def public_events(complaint):
    return db.session.scalars(
        select(CaseEvent)
        .where(CaseEvent.complaint_id == complaint.id, CaseEvent.is_public.is_(True))
        .order_by(CaseEvent.id)
    ).all()


def sent_answer(complaint):
    """The answer approved and sent to the citizen (the latest), or None."""
    return outcomes.sent_answer(complaint)


def answer_rating(answer):
    """The citizen's rating of this answer, or None (one rating per answer)."""
    if answer is None:
        return None
    return db.session.scalar(select(Rating).where(Rating.client_uuid == f"answer:{answer.id}"))


def dispute_deadline(answer):
    return outcomes.dispute_deadline(answer) if answer is not None and answer.approved_at else None


def awaiting_reply(events):
    """True when the last exchange is a question from the handling unit the citizen has not answered."""
    for event in reversed(events):
        if event.kind == "message_in":
            return False
        if event.kind == "message_out":
            return True
    return False


# --- what the citizen does -------------------------------------------------------------------

def add_information(complaint, text, checked_uploads=()):
    """The citizen adds information or answers a question: a public message_in event (+ files)."""
    if complaint.status in CLOSED_FOR_MESSAGES:
        raise ValueError("closed")
    event = CaseEvent(complaint=complaint, kind="message_in", actor_label="citizen", body=text, is_public=True)
    db.session.add(event)
    db.session.flush()
    stored = [files.store(checked, complaint, event=event) for checked in checked_uploads]
    audit.record("case.message_in", actor_label="citizen", obj=complaint, channel="web", event_id=event.id,
                 attachments=len(stored))
    return event, stored


def rate_answer(complaint, satisfied, reason=None):
    """The citizen rates the answer (outcomes service: Rating source 'answer', public event, audit)."""
    return outcomes.rate_answer(complaint, satisfied, reason)


def dispute_answer(complaint, reason):
    """The citizen disagrees with the answer in time: the monitoring office decides (outcomes service)."""
    return outcomes.dispute_answer(complaint, reason)


# A review the monitoring office has still to decide; the citizen's request to review a decline.
pending_review = outcomes.pending_review
decline_review_deadline = outcomes.decline_review_deadline
request_decline_review = outcomes.request_decline_review
