"""Twilio webhooks (signed, CSRF-exempt) and the administrators' SMS outbox."""
import functools
import logging
import re

from flask import Response, current_app, render_template, request
from werkzeug.exceptions import HTTPException
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import func, select
from twilio.twiml.messaging_response import MessagingResponse
from twilio.twiml.voice_response import Dial, Gather, Record, VoiceResponse

from feedback.auth.access import roles_required
from feedback.calendar import working_calendar
from feedback.extensions import db
from feedback.hotline import bp, services
from feedback.hotline.security import bounded_int, twilio_signed, webhook_form
from feedback.hotline.sender import apply_status_report
from feedback.models import OutboundMessage, utcnow
from feedback.models.messaging import MESSAGE_STATES
from feedback.hotline.replies import cost_table
from feedback.sms import cost, outgoing

log = logging.getLogger(__name__)

VOICE = {"language": "vi-VN", "voice": "Google.vi-VN-Standard-A"}
RECORD_SECONDS = 180
GATHER_TIMEOUT = 6
OUTBOX_PAGE = 50


def _twiml(response, status=200):
    return Response(str(response), status=status, mimetype="text/xml")


def _url(endpoint, **values):
    """Absolute public URL of one of our callbacks (what Twilio calls and signs)."""
    from flask import url_for

    return current_app.config["PUBLIC_BASE_URL"].rstrip("/") + url_for(endpoint, **values)


def never_fails(fallback):
    """Twilio must never see a 500: log, roll back and answer `fallback()` with status 200."""

    def decorator(view):
        @functools.wraps(view)
        def wrapped(*args, **kwargs):
            try:
                return view(*args, **kwargs)
            except HTTPException:  # a clear 4xx for a request no retry can fix
                raise
            except Exception:
                db.session.rollback()
                log.exception("hotline webhook %s failed", request.path)
                return _twiml(fallback())

        return wrapped

    return decorator


def busy_text():
    return _("Hệ thống đang bận. Xin gửi lại tin nhắn sau ít phút.")


def _sms_apology():
    reply = MessagingResponse()
    reply.message(outgoing(busy_text()))
    return reply


def _voice_apology():
    reply = VoiceResponse()
    reply.say(_("Xin lỗi, hệ thống đang gặp sự cố. Vui lòng gọi lại sau ít phút."), **VOICE)
    reply.hangup()
    return reply


@bp.errorhandler(400)
def bad_webhook(error):
    """A parameter no retry can fix: say which, in plain text (Twilio shows it in its error log)."""
    return Response(f"400 Bad Request: {error.description}\n", status=400, mimetype="text/plain")


# --- SMS ---------------------------------------------------------------------------------------

@bp.route("/sms", methods=["POST"])
@twilio_signed
@never_fails(_sms_apology)
def sms():
    """Inbound SMS: a command, a reply about an open case, or a new case; answered in TwiML."""
    form = webhook_form()
    message_sid = form.get("MessageSid") or form.get("SmsSid")
    if not message_sid or not form.get("From"):
        reply = MessagingResponse()
        reply.message(services.help_text())
        return _twiml(reply)
    text = services.receive_sms(message_sid, form["From"][:20], (form.get("To") or "")[:20], form.get("Body", ""),
                                media=mms_media(form), opt_out_type=form.get("OptOutType"))
    db.session.commit()
    reply = MessagingResponse()
    if text:  # None: Twilio's Advanced Opt-Out has answered already
        reply.message(outgoing(text))
    return _twiml(reply)


def mms_media(form):
    """[(MediaUrlN, MediaContentTypeN)] of an MMS; NumMedia says how many (Twilio sends at most 10)."""
    count = bounded_int(form.get("NumMedia")) or 0
    media = []
    for index in range(min(count, services.MAX_MEDIA)):
        url = (form.get(f"MediaUrl{index}") or "").strip()
        if url:
            media.append((url, form.get(f"MediaContentType{index}")))
    return media


@bp.route("/sms/status", methods=["POST"])
@twilio_signed
@never_fails(lambda: "")
def sms_status():
    """Delivery report for a message we sent: moves it forward, never back."""
    form = webhook_form()
    apply_status_report(form.get("MessageSid") or form.get("SmsSid"), form.get("MessageStatus") or form.get("SmsStatus"),
                        form.get("ErrorCode"), bounded_int(request.args.get("ref")))
    db.session.commit()
    return Response(status=204)


# --- Voice -------------------------------------------------------------------------------------

def _menu_gather(reply, prompt_first=None):
    gather = Gather(num_digits=1, action=_url("hotline.voice_menu"), method="POST", timeout=GATHER_TIMEOUT)
    if prompt_first:
        gather.say(prompt_first, **VOICE)
    gather.say(_("Để gửi phản ánh bằng lời nhắn, nhấn phím 1. Để nghe tình trạng một phản ánh, nhấn phím 2. "
                 "Để gặp tổng đài viên, nhấn phím 0."), **VOICE)
    reply.append(gather)


def _record(reply, intro):
    reply.say(intro, **VOICE)
    reply.append(Record(
        max_length=RECORD_SECONDS, play_beep=True, finish_on_key="#", timeout=10, trim="trim-silence",
        action=_url("hotline.voice_recorded"), method="POST",
        recording_status_callback=_url("hotline.voice_recording_status"),
        recording_status_callback_method="POST", recording_status_callback_event="completed",
    ))
    # No recording (silence until the timeout): Twilio continues here.
    reply.say(_("Chúng tôi chưa nhận được lời nhắn. Xin cảm ơn, hẹn gặp lại."), **VOICE)
    reply.hangup()
    return reply


def _record_prompt():
    return _("Xin mời nói nội dung phản ánh sau tiếng bíp, tối đa 3 phút: cơ quan, cán bộ, sự việc và thời gian. "
             "Nói xong, nhấn phím thăng hoặc gác máy.")


@bp.route("/voice", methods=["POST"])
@twilio_signed
@never_fails(_voice_apology)
def voice():
    """An inbound call: the recording notice and the main menu."""
    form = webhook_form()
    if form.get("CallSid"):
        services.record_call(form["CallSid"], (form.get("From") or "")[:20] or None, (form.get("To") or "")[:20] or None)
        db.session.commit()
    reply = VoiceResponse()
    reply.say(_("Xin chào, đây là đường dây nóng tiếp nhận phản ánh, kiến nghị của tỉnh Khánh Hòa. "
                "Cuộc gọi này được ghi âm để phục vụ việc giải quyết phản ánh. "
                "Thông tin của Ông/Bà chỉ bộ phận tiếp nhận và cơ quan theo dõi được xem, "
                "và được xóa sau khi phản ánh được giải quyết xong một thời gian."), **VOICE)
    _menu_gather(reply)
    reply.redirect(_url("hotline.voice_menu", silence=1), method="POST")
    return _twiml(reply)


@bp.route("/voice/menu", methods=["POST"])
@twilio_signed
@never_fails(_voice_apology)
def voice_menu():
    """The caller's key (or their silence): record, hear a status, or the operator."""
    digit = (webhook_form().get("Digits") or "").strip()[:1]
    call_sid = webhook_form().get("CallSid")
    reply = VoiceResponse()
    if digit == "1":
        services.note_choice(call_sid, "record")
        db.session.commit()
        return _twiml(_record(reply, _record_prompt()))
    if digit == "2":
        services.note_choice(call_sid, "status")
        db.session.commit()
        # No typing first: the cases sent from the number that is calling are read out.
        own = services.cases_of_caller(webhook_form().get("From"))
        if own:
            reply.say(_("Số máy này có %(n)d phản ánh gần nhất.", n=len(own)), **VOICE)
            for complaint in own:
                reply.say(services.spoken_status(complaint), **VOICE)
        gather = Gather(action=_url("hotline.voice_status"), method="POST", finish_on_key="#", timeout=10,
                        num_digits=10)
        gather.say(_("Để nghe một phản ánh khác, xin nhập tám chữ số của mã số tổng đài in trên biên nhận, "
                     "rồi nhấn phím thăng.") if own else
                   _("Xin nhập tám chữ số của mã số tổng đài in trên biên nhận, rồi nhấn phím thăng."), **VOICE)
        reply.append(gather)
        reply.say(_("Chúng tôi chưa nhận được mã. Xin cảm ơn, hẹn gặp lại."), **VOICE)
        reply.hangup()
        return _twiml(reply)
    if digit == "0":
        services.note_choice(call_sid, "operator")
        db.session.commit()
        return _twiml(_operator(reply))
    if digit:
        _menu_gather(reply, _("Phím Ông/Bà nhấn không có trong danh sách."))
        reply.redirect(_url("hotline.voice_menu", silence=1), method="POST")
        return _twiml(reply)
    silence = request.args.get("silence", "1")
    if silence == "1":
        _menu_gather(reply, _("Chúng tôi chưa nghe thấy lựa chọn của Ông/Bà."))
        reply.redirect(_url("hotline.voice_menu", silence=2), method="POST")
        return _twiml(reply)
    # Silent twice: offer to leave a message rather than hang up on them.
    services.note_choice(call_sid, "record")
    db.session.commit()
    return _twiml(_record(reply, _("Ông/Bà có thể để lại lời nhắn, chúng tôi sẽ liên hệ lại. ") + _record_prompt()))


def _spoken_time(moment):
    if moment.minute:
        return _("%(h)d giờ %(m)d", h=moment.hour, m=moment.minute)
    return _("%(h)d giờ", h=moment.hour)


def spoken_office_hours():
    """OFFICE_HOURS as the voice says them: 'từ 7 giờ 30 đến 11 giờ 30 và từ 13 giờ 30 đến 17 giờ'."""
    periods = [_("từ %(start)s đến %(end)s", start=_spoken_time(start), end=_spoken_time(end))
               for start, end in working_calendar().periods]
    return (" " + _("và") + " ").join(periods)


def _operator(reply):
    """Key 0: put through to the operator in office hours; otherwise (or with nobody to call) a message."""
    number = current_app.config.get("SYSTEM_OPERATOR_NUMBER")
    in_hours = working_calendar().is_office_hours(utcnow())
    if number and in_hours:
        reply.say(_("Xin Ông/Bà vui lòng chờ trong giây lát, chúng tôi đang chuyển máy tới tổng đài viên."), **VOICE)
        dial = Dial(action=_url("hotline.voice_dial_result"), method="POST", timeout=25, answer_on_bridge=True)
        dial.number(number)
        reply.append(dial)
        return reply
    if in_hours:
        intro = _("Hiện chưa có tổng đài viên trực máy. Xin Ông/Bà để lại lời nhắn và số điện thoại, "
                  "tổng đài viên sẽ gọi lại trong giờ làm việc hôm nay. ")
    else:
        intro = _("Hiện đang ngoài giờ làm việc. Giờ làm việc %(hours)s, các ngày làm việc. "
                  "Xin Ông/Bà để lại lời nhắn và số điện thoại, tổng đài viên sẽ gọi lại trong giờ làm việc. ",
                  hours=spoken_office_hours())
    return _record(reply, intro + _record_prompt())


@bp.route("/voice/dial-result", methods=["POST"])
@twilio_signed
@never_fails(_voice_apology)
def voice_dial_result():
    """After the operator call: if nobody answered, offer a voicemail."""
    reply = VoiceResponse()
    if webhook_form().get("DialCallStatus") == "completed":
        reply.hangup()
        return _twiml(reply)
    services.note_choice(webhook_form().get("CallSid"), "voicemail")
    db.session.commit()
    return _twiml(_record(reply, _("Tổng đài viên đang bận. Xin để lại lời nhắn, chúng tôi sẽ gọi lại cho Ông/Bà. ")
                          + _record_prompt()))


@bp.route("/voice/status", methods=["POST"])
@twilio_signed
@never_fails(_voice_apology)
def voice_status():
    """The code the caller typed: their case's status, or a neutral 'not found'."""
    complaint = services.find_case_by_keypad(webhook_form().get("Digits"), webhook_form().get("From"))
    reply = VoiceResponse()
    if complaint is None:
        reply.say(_("Không tìm thấy phản ánh có mã này gửi từ số điện thoại của Ông/Bà."), **VOICE)
    else:
        reply.say(services.spoken_status(complaint), **VOICE)
    reply.say(_("Xin cảm ơn, hẹn gặp lại."), **VOICE)
    reply.hangup()
    return _twiml(reply)


@bp.route("/voice/recorded", methods=["POST"])
@twilio_signed
@never_fails(_voice_apology)
def voice_recorded():
    """The caller finished their message."""
    reply = VoiceResponse()
    reply.say(_("Xin cảm ơn. Lời nhắn của Ông/Bà đã được ghi lại, tổng đài viên sẽ xử lý và liên hệ lại với Ông/Bà."), **VOICE)
    reply.hangup()
    return _twiml(reply)


@bp.route("/voice/recording-status", methods=["POST"])
@twilio_signed
@never_fails(lambda: "")
def voice_recording_status():
    """A finished recording: one item in the operator queue, however often Twilio reports it."""
    form = webhook_form()
    if form.get("RecordingStatus", "completed") == "completed" and form.get("RecordingSid"):
        duration = form.get("RecordingDuration", "")
        seconds = bounded_int(duration)
        services.store_voicemail(form["RecordingSid"], form.get("CallSid"), form.get("RecordingUrl"),
                                 seconds if seconds is not None and seconds < 86400 else None)
        db.session.commit()
    return Response(status=204)


# --- Outbox ------------------------------------------------------------------------------------

# Secrets ("mã bí mật K7M2X9QB", also without diacritics or in English) and 6-digit one-time codes.
_KEYS_IN_TEXT = re.compile(r"((?i:m[ãa] b[íi] m[ậa]t|secret code):?\s*)[0-9A-Z]+|(?<!\d)\d{6}(?!\d)")


def outbox_view(message):
    """(recipient, text) as administrators see them: numbers masked, secrets and one-time codes hidden."""
    from feedback.audit import masked_phone

    to = masked_phone(message.to_address) if message.channel == "sms" else "***@" + message.to_address.partition("@")[2]
    body = _KEYS_IN_TEXT.sub(lambda m: (m.group(1) or "") + "••••••", message.body or "")
    return to, body


@bp.route("/outbox")
@roles_required("admin")
def outbox():
    """Administrators read the SMS/e-mail outbox (messages held without Twilio credentials, failures)."""
    status = request.args.get("status", "")
    channel = request.args.get("channel", "")
    before = request.args.get("before", type=int)
    query = select(OutboundMessage).order_by(OutboundMessage.id.desc()).limit(OUTBOX_PAGE + 1)
    if status in MESSAGE_STATES:
        query = query.where(OutboundMessage.status == status)
    if channel in ("sms", "email"):
        query = query.where(OutboundMessage.channel == channel)
    if before:
        query = query.where(OutboundMessage.id < before)
    messages = db.session.scalars(query).all()
    more = len(messages) > OUTBOX_PAGE
    messages = messages[:OUTBOX_PAGE]
    counts = dict(db.session.execute(
        select(OutboundMessage.status, func.count()).group_by(OutboundMessage.status)
    ).all())
    from feedback.hotline.sender import TwilioSmsSender

    return render_template(
        "hotline/outbox.html", messages=messages, status=status, channel=channel, counts=counts,
        states=MESSAGE_STATES, next_before=messages[-1].id if more else None, outbox_view=outbox_view,
        twilio_configured=TwilioSmsSender.configured(), cost=cost, templates=cost_table(get_locale().language),
    )
