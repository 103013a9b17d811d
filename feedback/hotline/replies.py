"""Every standard SMS the system sends, rendered with sample values, and what each costs.

The administrators' outbox lists them with their segment count (feedback.sms.cost), and the
tests hold each to one UCS-2 segment where it can be, never more than two.
"""
from datetime import timedelta
from types import SimpleNamespace

from flask import current_app
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from feedback.models import utcnow
from feedback.sms import cost, outgoing

SAMPLE_CODE = "PA7K2M9XQB"
SAMPLE_SECRET = "K7M2X9QB"
# Those that must fit one segment (70 characters with diacritics); the rest carry a link, so two.
ONE_SEGMENT = {"sms_ack", "help", "status_usage", "stop", "start", "replied", "intake", "intake_media",
               "not_found", "status", "busy", "accepted", "one_time_code"}


def _sample_case(language):
    return SimpleNamespace(tracking_code=SAMPLE_CODE, language=language, answer_due_at=utcnow() + timedelta(days=9),
                           complainant=None)


def standard_texts(language="vi"):
    """[(name, label, sample text as sent)] of every standard SMS, in `language`."""
    from feedback.cases.services import accepted_text
    from feedback.cases.workflow import STATUSES, status_label
    from feedback.hotline import routes, services
    from feedback.intake.services import ack_text
    from feedback.outcomes.services import rating_request_message
    from feedback.portal.services import one_time_code_text

    case = _sample_case(language)
    longest_status = max((str(status_label(s)) for s in STATUSES), key=len)
    with force_locale(language):
        rows = [
            ("sms_ack", _l("Trả lời tin nhắn thành phản ánh"), services.new_case_reply(SAMPLE_CODE)),
            ("help", _l("Hướng dẫn (HELP, HUONG DAN)"), services.help_text()),
            ("status_usage", _l("TRA không kèm mã"), services.status_usage_text()),
            ("status", _l("Tình trạng (TRA <mã>), trạng thái dài nhất"),
             services.status_text(SAMPLE_CODE, longest_status, case.answer_due_at)),
            ("not_found", _l("TRA mã không tìm thấy"), services.not_found_text(SAMPLE_CODE)),
            ("stop", _l("Ngừng nhận tin (DUNG, STOP)"), services.stop_text()),
            ("start", _l("Nhận lại tin (BAT DAU, START)"), services.start_text()),
            ("replied", _l("Tin bổ sung vào phản ánh"), services.replied_text(SAMPLE_CODE)),
            ("intake", _l("Tin quá ngắn, chuyển tổng đài viên"), services.intake_text()),
            ("intake_media", _l("Ảnh không kèm nội dung"), services.intake_media_text()),
            ("busy", _l("Hệ thống bận"), routes.busy_text()),
            ("ack_secret", _l("Xác nhận phản ánh gửi qua cổng, máy đánh giá (kèm mã bí mật)"), ack_text(case, SAMPLE_SECRET)),
            ("ack", _l("Xác nhận phản ánh (không mã bí mật)"), ack_text(case)),
            ("accepted", _l("Đã thụ lý"), accepted_text(case)),
            ("one_time_code", _l("Mã xác nhận tra cứu"), one_time_code_text(case, "123456")),
            ("rating_request", _l("Mời đánh giá câu trả lời"), rating_request_message(case)),
        ]
    return [(name, label, outgoing(text)) for name, label, text in rows]


def cost_table(language="vi"):
    """The outbox's table: each standard SMS with its encoding, length and segments."""
    base = current_app.config["PUBLIC_BASE_URL"]
    return [SimpleNamespace(name=name, label=label, text=text, cost=cost(text), limit=1 if name in ONE_SEGMENT else 2,
                            link_length=len(base) if base in text else 0)
            for name, label, text in standard_texts(language)]
