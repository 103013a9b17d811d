"""What an operator does: log a call, turn a queue item into a case or dismiss it, look a case up."""
import logging
import re
from dataclasses import dataclass
from urllib.parse import urlsplit


from flask_babel import gettext as _
from sqlalchemy import or_, select

from feedback import audit
from feedback.cases.rules import CASE_KINDS
from feedback.extensions import db
from feedback.hotline.jobs import attach_media
from feedback.hotline.media import is_twilio_media, twilio_auth
from feedback.intake.services import create_case
from feedback.kiosk.services import normalise_phone
from feedback.models import Category, Complainant, Complaint, InboundMedia, IntakeItem, Staff, Unit, utcnow

# The channel a converted queue item counts under.
ITEM_CHANNELS = {"voicemail": "voice", "sms": "sms", "other": "operator"}
SEARCH_LIMIT = 50
log = logging.getLogger(__name__)


class ConsoleError(ValueError):
    """An operator action that cannot be done; the message is shown as is."""


@dataclass
class CaseInput:
    """Clean values from a CaseFieldsForm."""

    description: str
    caller_phone: str | None = None
    caller_name: str | None = None
    unit: Unit | None = None
    staff: Staff | None = None
    staff_description: str | None = None
    category: Category | None = None
    incident_date: object = None
    incident_place: str | None = None
    consent_publish: bool = False
    kind: str = "phan_anh"
    denunciation_flag: bool = False


def case_input(form):
    """Resolve the ids a CaseFieldsForm carries; errors go next to the fields (returns None then)."""
    ok = True
    unit = db.session.get(Unit, form.unit_id.data) if form.unit_id.data else None
    if form.unit_id.data and unit is None:
        form.unit_id.errors.append(_("Đơn vị không tồn tại."))
        ok = False
    staff = db.session.get(Staff, form.staff_id.data) if form.staff_id.data else None
    if form.staff_id.data:
        if staff is None or not staff.active:
            form.staff_id.errors.append(_("Cán bộ không tồn tại hoặc đã nghỉ."))
            ok = False
        elif unit is None:
            unit = staff.unit
        elif staff.unit_id != unit.id:
            form.staff_id.errors.append(_("Cán bộ này không thuộc đơn vị đã chọn."))
            ok = False
    category = db.session.get(Category, form.category_id.data) if form.category_id.data else None
    if form.category_id.data and (category is None or not category.active):
        form.category_id.errors.append(_("Loại phản ánh không hợp lệ."))
        ok = False
    if not ok:
        return None
    return CaseInput(
        description=form.description.data.strip(),
        caller_phone=form.caller_phone.data or None,
        caller_name=(form.caller_name.data or "").strip() or None,
        unit=unit,
        staff=staff,
        staff_description=(form.staff_description.data or "").strip() or None,
        category=category,
        incident_date=form.incident_date.data,
        incident_place=(form.incident_place.data or "").strip() or None,
        consent_publish=bool(form.consent_publish.data),
        kind=form.kind.data if form.kind.data in CASE_KINDS else "phan_anh",
        denunciation_flag=bool(form.denunciation_flag.data),
    )


def _contact(data):
    contact = {"phone": data.caller_phone, "full_name": data.caller_name}
    return {k: v for k, v in contact.items() if v} or None


def log_call(data, *, channel, operator, nonce):
    """A call (channel 'operator') or a walk-in ('counter') typed by the operator. Flushes."""
    if channel not in ("operator", "counter"):
        raise ConsoleError(_("Hình thức tiếp nhận không hợp lệ."))
    return _create_from_form(data, channel, f"console:{operator.id}:{nonce}", operator)


def _create_from_form(data, channel, submission_key, operator):
    """create_case() with what the operator typed in the console's case form."""
    return create_case(
        channel=channel,
        description=data.description,
        category=data.category,
        target_unit=data.unit,
        staff=data.staff,
        staff_description=data.staff_description,
        incident_date=data.incident_date,
        incident_place=data.incident_place,
        contact=_contact(data),
        consent_publish=data.consent_publish,
        submission_key=submission_key,
        created_by=operator,
        kind=data.kind,
        denunciation_flag=data.denunciation_flag,
    )


def _locked_item(item_id):
    query = select(IntakeItem).where(IntakeItem.id == item_id)
    if db.session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update()
    return db.session.scalar(query)


def convert_item(item_id, data, *, operator):
    """Turn a queue item into a case, once: a second click returns the same case. Flushes."""
    item = _locked_item(item_id)
    if item is None:
        raise ConsoleError(_("Không tìm thấy mục cần xử lý."))
    if item.status == "converted" and item.complaint_id:
        from feedback.intake.services import CaseCreated

        return CaseCreated(db.session.get(Complaint, item.complaint_id), None, created=False)
    if item.status == "dismissed":
        raise ConsoleError(_("Mục này đã được bỏ qua, không thể tạo phản ánh."))
    result = _create_from_form(data, ITEM_CHANNELS.get(item.kind, "operator"), f"intake:{item.id}", operator)
    item.status = "converted"
    item.complaint_id = result.complaint.id
    for media in item_media(item):  # photos of an MMS already fetched; later ones attach themselves
        attach_media(media, result.complaint)
    item.handled_by_id = operator.id
    item.handled_at = utcnow()
    if not item.body:
        item.body = data.description
    audit.record("intake.converted", actor=operator, obj=item, complaint=result.complaint.tracking_code,
                 kind=item.kind)
    return result


def item_media(item):
    """The MMS media of a queue item, in the order sent."""
    return db.session.scalars(select(InboundMedia).where(InboundMedia.intake_item_id == item.id)
                              .order_by(InboundMedia.position)).all()


def dismiss_item(item_id, reason, *, operator):
    """Close a queue item without a case (spam, wrong number, empty message). Flushes."""
    item = _locked_item(item_id)
    if item is None:
        raise ConsoleError(_("Không tìm thấy mục cần xử lý."))
    if item.status != "open":
        raise ConsoleError(_("Mục này đã được xử lý trước đó."))
    item.status = "dismissed"
    item.dismiss_reason = reason.strip()
    item.handled_by_id = operator.id
    item.handled_at = utcnow()
    audit.record("intake.dismissed", actor=operator, obj=item, reason=item.dismiss_reason, kind=item.kind)
    return item


def open_items(limit=50, after_id=None):
    query = select(IntakeItem).where(IntakeItem.status == "open").order_by(IntakeItem.id).limit(limit)
    if after_id:
        query = query.where(IntakeItem.id > after_id)
    return db.session.scalars(query).all()


def open_item_count():
    from sqlalchemy import func

    return db.session.scalar(select(func.count(IntakeItem.id)).where(IntakeItem.status == "open"))


_CODE_RE = re.compile(r"^[A-Z0-9]{6,16}$")


def _scope(query, user):
    """Operators tied to a unit see cases of their subtree (and the ones they logged)."""
    if user.unit is None:
        return query
    in_scope = select(Unit.id).where(Unit.subtree_clause(user.unit))
    return query.where(or_(Complaint.unit_id.in_(in_scope), Complaint.target_unit_id.in_(in_scope),
                           Complaint.created_by_id == user.id))


def search_cases(raw, user):
    """Cases matching a tracking code or a caller's phone, newest first; returns (kind, cases)."""
    raw = (raw or "").strip()
    if not raw:
        return None, []
    code = re.sub(r"[\s\-.]", "", raw).upper()
    if _CODE_RE.match(code) and not code.isdigit():
        query = select(Complaint).where(Complaint.tracking_code == code)
        return "code", db.session.scalars(_scope(query, user)).all()
    try:
        phone = normalise_phone(raw)
    except ValueError:
        return "invalid", []
    if phone is None:
        return None, []
    query = (
        select(Complaint)
        .join(Complainant, Complaint.complainant_id == Complainant.id)
        .where(Complainant.phone == phone)
        .order_by(Complaint.id.desc())
        .limit(SEARCH_LIMIT)
    )
    # Who looked up which number is recorded; the number itself is not written into the trail.
    audit.record("console.search_phone", actor=user, phone=audit.masked_phone(phone),
                 phone_digest=audit.contact_digest(phone))
    return "phone", db.session.scalars(_scope(query, user)).all()


def case_for_operator(code, user):
    query = select(Complaint).where(Complaint.tracking_code == (code or "").strip().upper())
    return db.session.scalar(_scope(query, user))


def fetch_recording(url):
    """(bytes, content type) of a Twilio recording, or None when it should be linked instead.

    Twilio may require the account's credentials for media URLs, which a browser does not
    have; only Twilio's own host (or the configured stand-in) is ever fetched.
    """
    auth = twilio_auth()
    if auth is None or not is_twilio_media(url):
        return None
    import requests

    path = urlsplit(url).path
    media_url = url if path.endswith((".mp3", ".wav")) else url + ".mp3"
    try:
        response = requests.get(media_url, auth=auth, timeout=10)
    except requests.RequestException as exc:
        log.warning("recording fetch failed: %s", exc)
        return None
    if response.status_code != 200:
        log.warning("recording fetch answered %s", response.status_code)
        return None
    return response.content, response.headers.get("Content-Type", "audio/mpeg")
