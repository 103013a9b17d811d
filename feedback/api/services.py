"""Open311 GeoReport v2: what the API reads and the one thing it writes (a new case).

Only public data leaves: a request's public handle (`Open311Request.public_id`, random, never
the case id or tracking code), its service (category), status, dates and, once the answer is
published, the redacted public summary and the answering unit. No identity, no unpublished text.
"""
import secrets
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

import phonenumbers
from flask import current_app
from sqlalchemy import select

from feedback.calendar import LOCAL_TZ, local_today, to_utc
from feedback.extensions import db
from feedback.intake.services import create_case
from feedback.models import Answer, ApiKey, Category, Complaint, Open311Request, PublishedAnswer, Staff, Unit, utcnow
from feedback.models.case import CATEGORY_KINDS

CLOSED_STATUSES = {"answered", "published", "closed", "declined"}
MAX_SPAN = timedelta(days=90)
MAX_RESULTS = 1000
COMMUNE_KINDS = ("commune", "ward", "special_zone")


class ApiError(Exception):
    def __init__(self, code, description):
        super().__init__(description)
        self.code = code
        self.description = description


def w3c(moment):
    """Naive UTC -> W3C datetime in local time (2026-07-01T09:30:00+07:00)."""
    if moment is None:
        return None
    return moment.replace(tzinfo=timezone.utc).astimezone(LOCAL_TZ).isoformat(timespec="seconds")


def parse_w3c(name, value):
    """A W3C date or datetime -> naive UTC; a value without offset is local time."""
    value = (value or "").strip()
    try:
        if len(value) == 10:
            return to_utc(datetime.combine(date.fromisoformat(value), time.min))
        moment = datetime.fromisoformat(value.replace(" ", "+") if value.count(" ") == 1 else value)
    except ValueError:
        raise ApiError(400, f"{name} is not a W3C date/time (e.g. 2026-07-01T00:00:00+07:00)")
    if moment.tzinfo is None:
        return to_utc(moment)
    return moment.astimezone(timezone.utc).replace(tzinfo=None)


def check_key(raw):
    """The active ApiKey for `raw` or ApiError 403."""
    if not raw:
        raise ApiError(403, "api_key was not provided")
    key = db.session.scalar(select(ApiKey).where(ApiKey.key_hash == ApiKey.hash_key(raw.strip())))
    if key is None or not key.active:
        raise ApiError(403, "api_key is invalid")
    return key


def create_key(name):
    key, clear = ApiKey.issue(name)
    db.session.add(key)
    db.session.flush()
    return key, clear


# --- services -------------------------------------------------------------------------------

def active_categories():
    return db.session.scalars(
        select(Category).where(Category.active.is_(True)).order_by(Category.sort_order, Category.code)
    ).all()


def service_list():
    return [
        {
            "service_code": c.code,
            "service_name": c.name_vi,
            "description": c.name_en,
            "metadata": True,
            "type": "realtime",
            "keywords": c.kind,
            "group": CATEGORY_KINDS.get(c.kind, c.kind),
        }
        for c in active_categories()
    ]


def category_or_none(code):
    if not code:
        return None
    return db.session.scalar(select(Category).where(Category.code == code, Category.active.is_(True)))


def service_definition(code):
    category = category_or_none(code)
    if category is None:
        raise ApiError(404, f"service_code {code} not found")
    communes = db.session.scalars(
        select(Unit).where(Unit.kind.in_(COMMUNE_KINDS), Unit.currently_active(local_today())).order_by(Unit.name)
    ).all()
    return {
        "service_code": category.code,
        "attributes": [
            {
                "variable": True, "code": "unit", "datatype": "singlevaluelist", "required": False, "order": 1,
                "datatype_description": "Mã đơn vị cấp xã nơi xảy ra sự việc; mã của đơn vị khác (sở, ngành) "
                                        "xem tại /hotlines.",
                "description": "Đơn vị (xã, phường, đặc khu)",
                "values": [{"key": u.code, "name": u.name} for u in communes],
            },
            {
                "variable": True, "code": "staff", "datatype": "string", "required": False, "order": 2,
                "datatype_description": "Mã công khai của cán bộ, công chức bị phản ánh (Staff public reference).",
                "description": "Cán bộ bị phản ánh (mã công khai)",
            },
            {
                "variable": True, "code": "publish", "datatype": "singlevaluelist", "required": False, "order": 3,
                "datatype_description": "true: đồng ý công khai nội dung (đã che thông tin cá nhân) cùng câu trả lời.",
                "description": "Đồng ý công khai",
                "values": [{"key": "true", "name": "Đồng ý"}, {"key": "false", "name": "Không đồng ý"}],
            },
        ],
    }


# --- requests -------------------------------------------------------------------------------

def _phone(raw):
    try:
        number = phonenumbers.parse(raw, current_app.config.get("DEFAULT_COUNTRY_REGION", "VN"))
    except phonenumbers.NumberParseException:
        raise ApiError(400, "phone is not a valid phone number")
    if not phonenumbers.is_valid_number(number):
        raise ApiError(400, "phone is not a valid phone number")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def create_request(form, key):
    """Create a case from a POST requests form; returns the Open311Request (flushed)."""
    code = (form.get("service_code") or "").strip()
    if not code:
        raise ApiError(400, "service_code was not provided")
    category = category_or_none(code)
    if category is None:
        raise ApiError(400, f"service_code {code} not found")
    description = (form.get("description") or "").strip()
    if not description:
        raise ApiError(400, "description was not provided")
    if len(description) > 5000:
        raise ApiError(400, "description is longer than 5000 characters")
    unit = None
    unit_code = (form.get("attribute[unit]") or "").strip()
    if unit_code:
        unit = db.session.scalar(select(Unit).where(Unit.code == unit_code))
        if unit is None or not unit.is_active_on(local_today()):
            raise ApiError(400, f"attribute[unit] {unit_code} not found")
    staff = None
    staff_ref = (form.get("attribute[staff]") or "").strip()
    if staff_ref:
        staff = db.session.scalar(select(Staff).where(Staff.public_ref == staff_ref, Staff.active.is_(True)))
        if staff is None:
            raise ApiError(400, f"attribute[staff] {staff_ref} not found")
        if unit is not None and not staff.unit.is_within(unit) and not unit.is_within(staff.unit):
            raise ApiError(400, "attribute[staff] does not work in attribute[unit]")
        unit = unit or staff.unit
    publish = (form.get("attribute[publish]") or "").strip().lower()
    if publish not in ("", "true", "false"):
        raise ApiError(400, "attribute[publish] must be true or false")
    email = (form.get("email") or "").strip()
    if email and ("@" not in email or len(email) > 200):
        raise ApiError(400, "email is not a valid e-mail address")
    phone = _phone(form["phone"].strip()) if (form.get("phone") or "").strip() else None
    name = " ".join(p for p in ((form.get("last_name") or "").strip(), (form.get("first_name") or "").strip()) if p)
    contact = {"full_name": name[:120] or None, "phone": phone, "email": email or None}
    anonymous = not (phone or email)
    created = create_case(
        channel="api", description=description, category=category, target_unit=unit, staff=staff,
        contact=contact, consent_publish=publish == "true", actor_label="open311",
        with_secret=False if anonymous else None,
    )
    handle = db.session.scalar(select(Open311Request).where(Open311Request.complaint_id == created.complaint.id))
    if handle is None:
        handle = Open311Request(complaint_id=created.complaint.id, token=secrets.token_urlsafe(18), api_key_id=key.id)
        db.session.add(handle)
    elif handle.token is None:
        handle.token = secrets.token_urlsafe(18)
        handle.api_key_id = key.id
    key.last_used_at = utcnow()
    db.session.flush()
    return handle


@dataclass
class RequestFilter:
    ids: list | None = None
    service_code: str | None = None
    start: datetime | None = None
    end: datetime | None = None
    status: set | None = None


def parse_filter(args):
    ids = [i.strip() for i in (args.get("service_request_id") or "").split(",") if i.strip()]
    if ids:
        if len(ids) > MAX_RESULTS:
            raise ApiError(400, f"at most {MAX_RESULTS} service_request_id values")
        return RequestFilter(ids=ids)
    flt = RequestFilter(service_code=(args.get("service_code") or "").strip() or None)
    start = parse_w3c("start_date", args["start_date"]) if args.get("start_date") else None
    end = parse_w3c("end_date", args["end_date"]) if args.get("end_date") else None
    if start and end:
        if end < start:
            raise ApiError(400, "end_date is before start_date")
        if end - start > MAX_SPAN:
            raise ApiError(400, "start_date and end_date may not be more than 90 days apart")
    elif start:
        end = start + MAX_SPAN
    elif end:
        start = end - MAX_SPAN
    else:
        end = utcnow()
        start = end - MAX_SPAN
    flt.start, flt.end = start, end
    status = {s.strip().lower() for s in (args.get("status") or "").split(",") if s.strip()}
    if status - {"open", "closed"}:
        raise ApiError(400, "status must be open, closed or open,closed")
    flt.status = status or None
    if flt.service_code and category_or_none(flt.service_code) is None:
        raise ApiError(404, f"service_code {flt.service_code} not found")
    return flt


def _status_clause(status):
    if not status or status == {"open", "closed"}:
        return None
    if status == {"closed"}:
        return Complaint.status.in_(CLOSED_STATUSES)
    return Complaint.status.not_in(CLOSED_STATUSES)


def find_requests(flt):
    stmt = (
        select(Open311Request, Complaint, Category)
        .join(Complaint, Complaint.id == Open311Request.complaint_id)
        .outerjoin(Category, Category.id == Complaint.category_id)
    )
    if flt.ids is not None:
        stmt = stmt.where(Open311Request.public_id.in_(flt.ids))
    else:
        stmt = stmt.where(Complaint.submitted_at >= flt.start, Complaint.submitted_at <= flt.end)
        if flt.service_code:
            stmt = stmt.where(Category.code == flt.service_code)
        clause = _status_clause(flt.status)
        if clause is not None:
            stmt = stmt.where(clause)
    stmt = stmt.order_by(Complaint.submitted_at.desc(), Open311Request.id.desc()).limit(MAX_RESULTS)
    rows = db.session.execute(stmt).all()
    published = {}
    complaint_ids = [complaint.id for _h, complaint, _c in rows]
    for start in range(0, len(complaint_ids), 500):
        for public, complaint_id in db.session.execute(
            select(PublishedAnswer, Answer.complaint_id)
            .join(Answer, Answer.id == PublishedAnswer.answer_id)
            .where(Answer.complaint_id.in_(complaint_ids[start:start + 500]))
            .order_by(PublishedAnswer.published_at)
        ).all():
            published[complaint_id] = public
    return [_public_request(handle, complaint, category, published.get(complaint.id))
            for handle, complaint, category in rows]


def _public_request(handle, complaint, category, published):
    from feedback.cases.workflow import status_label

    closed = complaint.status in CLOSED_STATUSES
    item = {
        "service_request_id": handle.public_id,
        "status": "closed" if closed else "open",
        "status_notes": str(status_label(complaint.status)),
        "service_name": category.name_vi if category else None,
        "service_code": category.code if category else None,
        "requested_datetime": w3c(complaint.submitted_at),
        "updated_datetime": w3c(complaint.updated_at),
        "expected_datetime": None if closed else w3c(complaint.answer_due_at),
    }
    if published is not None:
        # Public only once the answer is published: the redacted summary and the answering unit.
        item["description"] = published.summary or ""
        item["agency_responsible"] = published.unit.name if published.unit else None
        item["service_notice"] = current_app.config["PUBLIC_BASE_URL"] + "/answers/" + published.public_ref
    return item


def request_by_id(public_id):
    found = find_requests(RequestFilter(ids=[public_id]))
    if not found:
        raise ApiError(404, f"service_request_id {public_id} not found")
    return found


def request_by_token(token):
    handle = db.session.scalar(select(Open311Request).where(Open311Request.token == token))
    if handle is None:
        raise ApiError(404, "token not found")
    return [{"service_request_id": handle.public_id, "token": handle.token}]
