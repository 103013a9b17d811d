"""What the hotline does with a text or a call: one function per thing that can happen.

Every function flushes and leaves the commit to the route. Nothing here talks to
Twilio or Redis: replies go back in the webhook's TwiML, later work through the outbox.
"""
import re
import unicodedata
from datetime import datetime, time, timedelta
from functools import lru_cache
from types import SimpleNamespace

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.exc import IntegrityError

from feedback import audit
from feedback.calendar import to_local, to_utc, working_calendar
from feedback.cases.workflow import OPEN_STATUSES, status_label
from feedback.extensions import db
from feedback.cases.rules import DEFAULT_ANSWER_DAYS
from feedback.models import CaseEvent, Complainant, Complaint, IntakeItem, OutboundMessage, SmsOptOut, utcnow
from feedback.models.base import CODE_ALPHABET, keypad_digits
from feedback.models.hotline import InboundMedia, InboundSms, VoiceCall

# A text shorter than this (once trimmed) is too unclear to open a case: an operator reads it.
MIN_CASE_TEXT = 15
# A reply joins a case the sender opened (or was asked about) at most this long ago.
REPLY_WINDOW = timedelta(days=30)
MAX_SMS_BODY = 1600
# Twilio sends at most 10 media items with one MMS.
MAX_MEDIA = 10

# Commands are the whole text, folded (no accents, upper case): "Dừng" is DUNG, "Dừng xe ..." is not.
STOP_WORDS = {"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "DUNG", "HUY", "DUNG LAI", "HUY DANG KY"}
START_WORDS = {"START", "UNSTOP", "BAT DAU", "BATDAU"}
HELP_WORDS = {"HELP", "INFO", "HUONG DAN", "HUONGDAN", "HD", "TRO GIUP"}
# Twilio's Advanced Opt-Out names the keyword it matched (it has answered the citizen itself).
OPT_OUT_TYPES = {"STOP": "stop", "START": "start", "HELP": "help"}
_CODE = f"PA[{CODE_ALPHABET}]{{8}}"
_CODE_ONLY = re.compile(_CODE)
# "TRA", "TRA CUU", "TRACUU", with an optional ":" or "-": the status command's head.
_STATUS_HEAD = re.compile(r"^TRA(?: ?CUU)?(?P<rest>(?:[ :\-]|(?=PA)).*)?$")
_CODE_BODY = re.compile(f"[{CODE_ALPHABET}]{{8}}")


def fold(text):
    """Upper-case ASCII with Vietnamese accents removed (Đ -> D), spaces collapsed."""
    text = unicodedata.normalize("NFD", (text or "").replace("đ", "d").replace("Đ", "D"))
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(re.sub(r"[^\w\s:\-]", " ", text.upper()).split())


def command_code(rest):
    """The tracking code in what follows TRA, or None when it is not exactly one code.

    Accepted: PA + 8 code characters (spaces or hyphens anywhere), or the 8 characters alone
    written as one word or holding a digit. Vietnamese words never do either ("HO SO CHAM",
    "GIUP TOI"), so "Trả hồ sơ chậm quá" stays a complaint.
    """
    compact = re.sub(r"[\s\-]", "", rest or "")
    if len(compact) == 10 and compact.startswith("PA") and _CODE_BODY.fullmatch(compact[2:]):
        return compact
    if _CODE_BODY.fullmatch(compact) and (" " not in rest.strip() or any(c.isdigit() for c in compact)):
        return "PA" + compact
    return None


def normalise_code(raw):
    """'pa 7k2m-9xqb' -> 'PA7K2M9XQB'; an 8-character code gets its 'PA'."""
    code = re.sub(r"[\s\-]", "", raw.upper())
    if len(code) == 8:
        code = "PA" + code
    return code


def _owned_by(complaint, phone):
    return complaint is not None and complaint.complainant is not None and complaint.complainant.phone == phone


# --- SMS ---------------------------------------------------------------------------------------

def receive_sms(message_sid, from_phone, to_phone, body, media=(), opt_out_type=None):
    """Handle one inbound text; returns the reply text (None: no reply). The same MessageSid twice gets the same reply.

    `media` is the MMS's [(url, content type)]: each is fetched by a job and attached to the case
    (or to the operator-queue item). `opt_out_type` is Twilio's OptOutType when its Advanced
    Opt-Out handled the keyword (and answered the citizen itself).

    What the text is and what to answer is decided with reads only; then the InboundSms row,
    reply included, is the transaction's first write: its unique MessageSid decides which of two
    simultaneous deliveries acts (the other waits for it, then repeats its answer). A new case
    is created in the same transaction, so the tracking code in the reply always opens a case.
    """
    body = (body or "").strip()[:MAX_SMS_BODY]
    media = list(media)[:MAX_MEDIA]
    kind, complaint, reply, action, code = _plan(from_phone, body, bool(media), opt_out_type)
    # One round trip on the hot path: a Core INSERT whose RETURNING also says whether a handler
    # asked this number a question about an open case (then the text is the answer, not a new case).
    values = dict(message_sid=message_sid, from_phone=from_phone, to_phone=to_phone, body=body, kind=kind,
                  complaint_id=complaint.id if complaint is not None else None, reply_text=reply,
                  tracking_code=code, created_at=utcnow(), phone=from_phone, since=utcnow() - REPLY_WINDOW)
    try:
        # Straight on the session's connection: Core, without the ORM's bulk-insert machinery.
        connection = db.session.connection()
        if connection.dialect.name == "postgresql":
            row_id, asked_id = connection.execute(_INSERT_SMS_ASKED, values).one()
        else:  # SQLite renders the subquery's columns unqualified inside RETURNING: two statements
            asked_id = connection.execute(_ASKED_CASE, values).scalar()
            row_id = connection.execute(_INSERT_SMS, values).scalar_one()
    except IntegrityError:
        db.session.rollback()
        first = db.session.execute(select(InboundSms.reply_text, InboundSms.kind)
                                   .where(InboundSms.message_sid == message_sid)).first()
        if first is None:
            return _("Đã nhận tin nhắn.")
        return first.reply_text
    if kind in ("case", "intake") and asked_id is not None:
        complaint = db.session.get(Complaint, asked_id)
        reply = replied_text(complaint.tracking_code)
        db.session.execute(update(InboundSms).where(InboundSms.id == row_id).values(
            kind="reply", complaint_id=complaint.id, reply_text=reply, tracking_code=None))
        add_citizen_message(complaint, body or _("(ảnh gửi kèm)"), from_phone)
        _keep_media(row_id, media, complaint_id=complaint.id)
        return reply
    done = action(SimpleNamespace(id=row_id, message_sid=message_sid)) if action is not None else None
    if media and kind in ("case", "reply", "intake"):
        if isinstance(done, IntakeItem):
            _keep_media(row_id, media, intake_item_id=done.id)
        else:
            case = getattr(done, "complaint", None) or complaint
            _keep_media(row_id, media, complaint_id=case.id)
    return reply


def _keep_media(inbound_id, media, *, complaint_id=None, intake_item_id=None):
    """One InboundMedia row per MMS item, and a job (in this transaction) to fetch each."""
    from feedback import jobs

    for position, (url, declared_type) in enumerate(media):
        row = InboundMedia(inbound_sms_id=inbound_id, position=position, url=url[:500],
                           declared_type=(declared_type or "")[:100] or None,
                           complaint_id=complaint_id, intake_item_id=intake_item_id, status="pending")
        db.session.add(row)
        db.session.flush()
        jobs.enqueue("feedback.hotline.jobs.fetch_sms_media", row.id)


# Built once: constructing SQL expressions costs more than running these statements.
_ASKED_CASE = (
    # Through the complainant's (indexed) phone, then each of their cases' messages (indexed by case).
    select(Complaint.id)
    .join(Complainant, Complaint.complainant_id == Complainant.id)
    .join(OutboundMessage, OutboundMessage.complaint_id == Complaint.id)
    .where(Complainant.phone == bindparam("phone"), OutboundMessage.to_address == bindparam("phone"),
           OutboundMessage.purpose == "question", OutboundMessage.created_at >= bindparam("since"),
           Complaint.status.in_(OPEN_STATUSES))
    .order_by(OutboundMessage.id.desc())
    .limit(1)
)
_SMS_TABLE = InboundSms.__table__
_INSERT_SMS = insert(_SMS_TABLE).returning(_SMS_TABLE.c.id)
_INSERT_SMS_ASKED = insert(_SMS_TABLE).returning(_SMS_TABLE.c.id, _ASKED_CASE.scalar_subquery())


def _insert_first(row):
    """Insert `row` as the transaction's first write; False (rolled back) when its unique key exists.

    No savepoint: on SQLite a SAVEPOINT opening the transaction commits on release, and the
    transaction holds nothing else yet, so a plain rollback loses nothing.
    """
    db.session.add(row)
    try:
        db.session.flush()
        return True
    except IntegrityError:
        db.session.rollback()
        return False


def command_of(body):
    """(command, tracking code) when the whole text is a command, else (None, None).

    Commands are recognised only in their exact form: STOP/DUNG, START/BAT DAU, HELP/HUONG DAN,
    TRA alone (usage) and TRA + one tracking code. Anything else is a complaint.
    """
    words = fold(body)
    if words in STOP_WORDS:
        return "stop", None
    if words in START_WORDS:
        return "start", None
    if words in HELP_WORDS:
        return "help", None
    head = _STATUS_HEAD.match(words)
    if head:
        rest = (head.group("rest") or "").strip(" :-")
        if not rest:
            return "usage", None
        code = command_code(rest)
        if code is not None:
            return "status", code
    return None, None


def _plan(phone, body, has_media=False, opt_out_type=None):
    """(kind, case, reply, action(row) or None, promised tracking code) for one text; reads only."""
    twilio_kind = OPT_OUT_TYPES.get((opt_out_type or "").upper()) \
        if current_app.config.get("TWILIO_ADVANCED_OPT_OUT") else None
    if twilio_kind is not None:
        # Twilio has answered and keeps its own opt-out list: record it, and say nothing more.
        action = {"stop": lambda row: opt_out(phone), "start": lambda row: opt_in(phone)}.get(twilio_kind)
        return twilio_kind, None, None, action, None
    command, code = command_of(body) if not has_media else (None, None)  # a photo's caption is content
    if command == "stop":
        return "stop", None, stop_text(), lambda row: opt_out(phone), None
    if command == "start":
        return "start", None, start_text(), lambda row: opt_in(phone), None
    if command == "help":
        return "help", None, help_text(), None, None
    if command == "usage":
        return "help", None, status_usage_text(), None, None
    if command == "status":
        return "status", None, status_reply(code, phone), None, None
    complaint, text = _case_replied_to(phone, body)
    if complaint is not None:
        return "reply", complaint, replied_text(complaint.tracking_code), \
            lambda row: add_citizen_message(complaint, text or _("(ảnh gửi kèm)"), phone), None
    if len(body) < MIN_CASE_TEXT:
        reply = intake_media_text() if has_media else intake_text()
        return "intake", None, reply, lambda row: queue_unclear_sms(row, phone, body), None
    code = Complaint.new_tracking_code()
    return "case", None, new_case_reply(code), \
        lambda row: open_sms_case(row.id, row.message_sid, phone, body, code), code


@lru_cache(maxsize=4)
def _due_for_cases_received_on(local_day, office_hours):
    # The due date only depends on the local day the case arrives (and the configured office hours).
    return working_calendar().add_working_days(to_utc(datetime.combine(local_day, time(12))), DEFAULT_ANSWER_DAYS)


def open_sms_case(inbound_id, message_sid, phone, body, code):
    """The case for a text, with the code its reply gives; the SMS's MessageSid makes it once."""
    from feedback.intake.services import create_case

    result = create_case(
        channel="sms", description=body, contact={"phone": phone}, submission_key=f"sms:{message_sid}",
        send_ack=False, actor_label="citizen", tracking_code=code,
        # The phone is the key: TRA from it, or on the web a one-time code sent to it.
        with_secret=False,
    )
    db.session.execute(update(InboundSms).where(InboundSms.id == inbound_id)
                       .values(complaint_id=result.complaint.id).execution_options(synchronize_session=False))
    return result


def new_case_reply(code):
    """The acknowledgement of a case made from a text: its code, due date and the TRA hint (one SMS)."""
    due = _due_for_cases_received_on(to_local(utcnow()).date(), current_app.config.get("OFFICE_HOURS"))
    return _("Đã nhận phản ánh %(code)s, hạn %(date)s. Xem: nhắn TRA %(code)s",
             code=code, date=to_local(due).strftime("%d/%m/%Y"))


# Every standard reply fits one UCS-2 segment (70 characters with diacritics): see feedback.sms.
def help_text():
    return _("Gửi phản ánh: nhắn nội dung. Xem: TRA <mã>. Ngừng nhận tin: DUNG")


def status_usage_text():
    return _("Nhắn TRA và mã phản ánh, ví dụ: TRA PA7K2M9XQB")


def stop_text():
    return _("Đã ngừng gửi tin tới số này. Nhắn BAT DAU để nhận lại.")


def start_text():
    return _("Đã nhận lại tin về phản ánh. Nhắn DUNG để ngừng.")


def replied_text(code):
    return _("Đã bổ sung tin nhắn vào phản ánh %(code)s.", code=code)


def intake_text():
    return _("Đã nhận, tổng đài viên sẽ xem. Xin nhắn rõ cơ quan, cán bộ, sự việc.")


def intake_media_text():
    return _("Đã nhận ảnh; tổng đài viên sẽ xem và liên hệ lại.")


def not_found_text(code):
    return _("Không tìm thấy phản ánh %(code)s gửi từ số này.", code=code)


def status_text(code, status, due=None):
    if due is None:
        return _("Phản ánh %(code)s: %(status)s.", code=code, status=status)
    return _("Phản ánh %(code)s: %(status)s, hạn %(date)s.", code=code, status=status,
             date=to_local(due).strftime("%d/%m/%Y"))


def opt_out(phone):
    """STOP / DỪNG: nothing is sent to this number until START."""
    _set_opt_out(phone, True)
    audit.record("sms.opt_out", actor_label="citizen", object_type="sms_opt_outs", object_id=phone)


def opt_in(phone):
    _set_opt_out(phone, False)
    audit.record("sms.opt_in", actor_label="citizen", object_type="sms_opt_outs", object_id=phone)


def _set_opt_out(phone, value):
    row = db.session.get(SmsOptOut, phone)
    if row is None:
        try:
            with db.session.begin_nested():
                db.session.add(SmsOptOut(phone=phone, opted_out=value))
                db.session.flush()
            return
        except IntegrityError:  # the same number, at the same moment, from another message
            row = db.session.get(SmsOptOut, phone)
    row.opted_out = value
    row.updated_at = utcnow()
    db.session.flush()


def status_reply(code, phone):
    """The status and due date, but only to the phone that sent the case."""
    complaint = db.session.scalar(select(Complaint).where(Complaint.tracking_code == code))
    if complaint is None and db.session.scalar(select(InboundSms.id).where(
            InboundSms.tracking_code == code, InboundSms.from_phone == phone, InboundSms.complaint_id.is_(None))):
        # Promised a moment ago, the job has not created it yet.
        return status_text(code, str(status_label("received")))
    if not _owned_by(complaint, phone):
        return not_found_text(code)
    due = complaint.answer_due_at if complaint.status in OPEN_STATUSES else None
    return status_text(code, str(status_label(complaint.status)), due)


def _case_replied_to(phone, body):
    """(case, text) when this text starts with the code of an open case of the sender, else (None, body).

    (An answer to a handler's question is recognised by receive_sms's INSERT ... RETURNING.)
    """
    text = body.strip()
    head = text[:10].upper()
    if _CODE_ONLY.fullmatch(head) and (len(text) == 10 or not text[10].isalnum()):
        complaint = db.session.scalar(select(Complaint).where(Complaint.tracking_code == head))
        if (_owned_by(complaint, phone) and complaint.status in OPEN_STATUSES
                and complaint.submitted_at >= utcnow() - REPLY_WINDOW):
            return complaint, text[10:].lstrip(" :,.-\n") or text
    return None, body


def add_citizen_message(complaint, text, phone):
    """The citizen's text joins their case's timeline (seen by the handler, not public)."""
    event = CaseEvent(complaint=complaint, kind="message_in", actor_label="citizen", body=text,
                      is_public=False, created_at=utcnow())
    db.session.add(event)
    audit.record("case.message_in", actor_label="citizen", obj=complaint, channel="sms")
    return event


def queue_unclear_sms(row, phone, body):
    """A text too short to be a case: into the operator queue (the reply asks for more)."""
    item = IntakeItem(kind="sms", from_phone=phone, body=body, message_sid=row.message_sid, status="open")
    db.session.add(item)
    db.session.flush()
    audit.record("intake.sms", actor_label="twilio", obj=item)
    return item


# --- Voice -------------------------------------------------------------------------------------

def record_call(call_sid, from_phone, to_phone):
    """The call's row, created once however often Twilio posts the first webhook."""
    call = VoiceCall(call_sid=call_sid, from_phone=from_phone, to_phone=to_phone)
    if _insert_first(call):
        return call
    return db.session.scalar(select(VoiceCall).where(VoiceCall.call_sid == call_sid))


def note_choice(call_sid, choice):
    call = db.session.scalar(select(VoiceCall).where(VoiceCall.call_sid == call_sid)) if call_sid else None
    if call is not None:
        call.last_choice = choice


def find_case_by_keypad(digits, phone):
    """The caller's own case whose code they typed on the keypad (None otherwise)."""
    digits = re.sub(r"\D", "", digits or "")
    if len(digits) == 8:
        digits = keypad_digits("PA") + digits
    if len(digits) != 10:
        return None
    candidates = db.session.scalars(
        select(Complaint).join(Complainant, Complaint.complainant_id == Complainant.id)
        .where(Complaint.keypad_code == digits, Complainant.phone == phone)
        .order_by(Complaint.id.desc()).limit(2)
    ).all()
    return candidates[0] if len(candidates) == 1 else None


# How many of the caller's own cases the IVR reads out (the newest).
CALLER_CASES = 3


def cases_of_caller(phone):
    """The newest cases whose complainant has this phone number (what key 2 reads without any typing)."""
    if not phone:
        return []
    return db.session.scalars(
        select(Complaint).join(Complainant, Complaint.complainant_id == Complainant.id)
        .where(Complainant.phone == phone).order_by(Complaint.submitted_at.desc(), Complaint.id.desc())
        .limit(CALLER_CASES)).all()


def spoken_status(complaint):
    """What the IVR says about a case: its status and due date, spelled for the voice."""
    code = " ".join(complaint.tracking_code)
    text = _("Phản ánh mã %(code)s: %(status)s.", code=code, status=str(status_label(complaint.status)))
    if complaint.answer_due_at is not None and complaint.status in OPEN_STATUSES:
        due = to_local(complaint.answer_due_at)
        text += " " + _("Hạn trả lời: ngày %(d)d tháng %(m)d năm %(y)d.", d=due.day, m=due.month, y=due.year)
    return text


def store_voicemail(recording_sid, call_sid, recording_url, duration):
    """A finished recording becomes one operator-queue item, linked to the caller's number."""
    from_phone = db.session.scalar(select(VoiceCall.from_phone).where(VoiceCall.call_sid == call_sid)) if call_sid else None
    item = IntakeItem(
        kind="voicemail", from_phone=from_phone, recording_url=recording_url,
        recording_duration=duration, recording_sid=recording_sid, call_sid=call_sid, status="open",
    )
    if not _insert_first(item):
        return None
    audit.record("intake.voicemail", actor_label="twilio", obj=item, call_sid=call_sid)
    return item
