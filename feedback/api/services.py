"""Open311 GeoReport v2: what the API reads and the one thing it writes (a new case).

Only public data leaves: a request's public handle (`Open311Request.public_id`, random, never
the case id or tracking code), its service (category), status, dates and, once the answer is
published, the redacted public summary and the answering unit. No identity, no unpublished text.
"""
import hashlib
import math
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from urllib.parse import urlsplit

import phonenumbers
from flask import current_app
from sqlalchemy import select

from feedback.calendar import LOCAL_TZ, local_today, to_utc
from feedback.extensions import db
from feedback.intake.services import create_case
from feedback.models import Answer, ApiKey, Category, Complaint, Open311Request, PublishedAnswer, Staff, Unit, utcnow
from feedback.models.case import CATEGORY_KINDS
from feedback.models.org import COMMUNE_KINDS
from feedback.redaction import redact_for_case

CLOSED_STATUSES = {"answered", "published", "closed", "declined"}
MAX_SPAN = timedelta(days=90)
MAX_RESULTS = 1000
MAX_DESCRIPTION = 4000


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
            moment = datetime.combine(date.fromisoformat(value), time.min)
        else:
            moment = datetime.fromisoformat(value.replace(" ", "+") if value.count(" ") == 1 else value)
    except ValueError:
        raise ApiError(400, f"{name} is not a W3C date/time (e.g. 2026-07-01T00:00:00+07:00)")
    # Far from the calendar's ends, so that time zones and the 90-day span cannot overflow.
    if not date(1900, 1, 1) <= moment.date() <= date(9000, 1, 1):
        raise ApiError(400, f"{name} is out of range")
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


def active_units():
    """Units a request may name (attribute[unit], address_id), by code."""
    return db.session.scalars(select(Unit).where(Unit.currently_active(local_today())).order_by(Unit.code)).all()


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


def check_jurisdiction(value):
    """One jurisdiction is served: a jurisdiction_id, when sent, must be ours (404 otherwise)."""
    value = (value or "").strip()
    if value and value != current_app.config["OPEN311_JURISDICTION_ID"]:
        raise ApiError(404, f"jurisdiction_id {value} not found")


def _text(form, name, limit):
    value = (form.get(name) or "").strip()
    if len(value) > limit:
        raise ApiError(400, f"{name} is longer than {limit} characters")
    return value or None


def _coordinate(form, name, bound):
    raw = (form.get(name) or "").strip()
    try:
        value = float(raw)
    except ValueError:
        raise ApiError(400, f"{name} is not a number")
    if not math.isfinite(value) or not -bound <= value <= bound:
        raise ApiError(400, f"{name} must be between -{bound} and {bound}")
    return value


def _active_unit(code, name):
    unit = db.session.scalar(select(Unit).where(Unit.code == code))
    if unit is None or not unit.is_active_on(local_today()):
        raise ApiError(400, f"{name} {code} not found")
    return unit


@dataclass
class Location:
    lat: float | None = None
    long: float | None = None
    address_string: str | None = None
    address_id: str | None = None
    unit: Unit | None = None

    def place(self):
        """What the case records as the incident place."""
        if self.address_string:
            return self.address_string[:300]
        if self.lat is not None:
            return f"{self.lat:.6f}, {self.long:.6f}"
        return None


def parse_location(form):
    """lat + long, address_string or address_id (a unit code): at least one is required."""
    has_lat, has_long = bool((form.get("lat") or "").strip()), bool((form.get("long") or "").strip())
    if has_lat != has_long:
        raise ApiError(400, "lat and long must be given together")
    location = Location(address_string=_text(form, "address_string", 500), address_id=_text(form, "address_id", 100))
    if has_lat:
        location.lat, location.long = _coordinate(form, "lat", 90), _coordinate(form, "long", 180)
    if location.address_id:
        location.unit = _active_unit(location.address_id, "address_id")
    if not (has_lat or location.address_string or location.address_id or (form.get("attribute[unit]") or "").strip()):
        raise ApiError(400, "a location is required: lat and long, address_string or address_id")
    return location


def _media_url(form):
    url = _text(form, "media_url", 500)
    if url and not (url.isascii() and url.isprintable() and " " not in url
                    and urlsplit(url).scheme in ("http", "https") and urlsplit(url).hostname):
        raise ApiError(400, "media_url is not an http(s) URL")
    return url


def idempotency_key(raw):
    """The client's Idempotency-Key (header or attribute), checked; None when not sent."""
    raw = (raw or "").strip()
    if not raw:
        return None
    if len(raw) > 100 or not raw.isprintable():
        raise ApiError(400, "Idempotency-Key must be at most 100 printable characters")
    return raw


def create_request(form, key, retry_key=None):
    """Create a case from a POST requests form; returns (Open311Request, created) (flushed).

    With `retry_key` (Idempotency-Key) a second POST of this API key returns the first request.
    """
    check_jurisdiction(form.get("jurisdiction_id"))
    code = (form.get("service_code") or "").strip()
    if not code:
        raise ApiError(400, "service_code was not provided")
    category = category_or_none(code)
    if category is None:
        raise ApiError(404, f"service_code {code} not found")
    description = _text(form, "description", MAX_DESCRIPTION)
    location = parse_location(form)
    unit = location.unit
    unit_code = (form.get("attribute[unit]") or "").strip()
    if unit_code:
        unit = _active_unit(unit_code, "attribute[unit]")
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
    email = _text(form, "email", 200)
    if email and "@" not in email:
        raise ApiError(400, "email is not a valid e-mail address")
    phone = _phone(form["phone"].strip()) if (form.get("phone") or "").strip() else None
    media_url = _media_url(form)
    device_id, account_id = _text(form, "device_id", 100), _text(form, "account_id", 100)
    name = " ".join(p for p in (_text(form, "last_name", 60), _text(form, "first_name", 60)) if p)
    contact = {"full_name": name[:120] or None, "phone": phone, "email": email}
    anonymous = not (phone or email)
    submission_key = None
    if retry_key is not None:
        submission_key = f"open311:{key.id}:" + hashlib.sha256(retry_key.encode()).hexdigest()[:40]
    created = create_case(
        channel="api", description=description or f"[{category.name_vi}] (không có mô tả)", category=category,
        target_unit=unit, staff=staff, contact=contact, consent_publish=publish == "true", actor_label="open311",
        incident_place=location.place(), submission_key=submission_key,
        with_secret=False if anonymous else None,
    )
    # A new case has no request yet; a retried one has the request its first POST made.
    handle = None if created.created else db.session.scalar(
        select(Open311Request).where(Open311Request.complaint_id == created.complaint.id))
    if handle is None:
        # The relationship, not only the id: the case stays loaded for the caller's audit row.
        handle = Open311Request(complaint=created.complaint, api_key_id=key.id)
        db.session.add(handle)
    if created.created:
        handle.api_key_id = key.id
        handle.lat, handle.long = location.lat, location.long
        handle.address_string, handle.address_id = location.address_string, location.address_id
        handle.media_url, handle.device_id, handle.account_id = media_url, device_id, account_id
        handle.idempotency_key = retry_key
    key.last_used_at = utcnow()
    db.session.flush()
    return handle, created.created


@dataclass
class RequestFilter:
    ids: list | None = None
    service_codes: list | None = None
    start: datetime | None = None
    end: datetime | None = None
    status: set | None = None


def _list(args, name):
    """A parameter given comma-separated, repeated, or both: 'a,b' and a=..&a=.. are the same."""
    return [v.strip() for raw in args.getlist(name) for v in raw.split(",") if v.strip()]


def parse_filter(args):
    """The filter of GET requests. Every value must be well formed; with service_request_id the
    other filters are then ignored, as GeoReport v2 says."""
    check_jurisdiction(args.get("jurisdiction_id"))
    start = parse_w3c("start_date", args["start_date"]) if args.get("start_date") else None
    end = parse_w3c("end_date", args["end_date"]) if args.get("end_date") else None
    status = {s.lower() for s in _list(args, "status")}
    if status - {"open", "closed"}:
        raise ApiError(400, "status must be open, closed or open,closed")
    ids = _list(args, "service_request_id")
    if ids:
        if len(ids) > MAX_RESULTS:
            raise ApiError(400, f"at most {MAX_RESULTS} service_request_id values")
        return RequestFilter(ids=ids)
    flt = RequestFilter(service_codes=_list(args, "service_code") or None)
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
    flt.status = status or None
    for code in flt.service_codes or ():
        if category_or_none(code) is None:
            raise ApiError(404, f"service_code {code} not found")
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
        if flt.service_codes:
            stmt = stmt.where(Category.code.in_(flt.service_codes))
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
        # Where, as the client gave it: coordinates and the unit code are not personal data.
        "lat": handle.lat,
        "long": handle.long,
        "address_id": handle.address_id,
    }
    if published is not None:
        # Public only once the answer is published: the redacted summary, the answering unit, and
        # the address and photo the client sent (they may show a home or a face until then).
        item["description"] = published.summary or ""
        item["agency_responsible"] = published.unit.name if published.unit else None
        item["service_notice"] = current_app.config["PUBLIC_BASE_URL"] + "/answers/" + published.public_ref
        item["address"] = redact_for_case(handle.address_string, complaint) if handle.address_string else None
        item["media_url"] = handle.media_url
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
