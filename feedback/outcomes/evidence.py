"""Evidence files the handler gathers during verification (Attachment with is_evidence=True).

Evidence is wider than what citizens may upload: besides pictures and PDF it takes
camera extracts (video), recordings (audio) and Word/Excel documents. The type is
decided from the file's content (`filetype`), never from its name; the size is capped
by MAX_ATTACHMENT_BYTES. Storage goes through `feedback.attachments.store()`.
"""
import filetype
from flask_babel import gettext as _

from feedback import attachments, audit
from feedback.extensions import db
from feedback.models import CaseEvent, utcnow
from feedback.outcomes.services import OutcomeError

# Content type -> stored extension.
EVIDENCE_TYPES = {
    **attachments.ALLOWED_TYPES,
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "audio/mpeg": "mp3", "audio/mp4": "m4a", "audio/m4a": "m4a", "audio/x-wav": "wav", "audio/ogg": "ogg",
    "audio/amr": "amr", "video/mp4": "mp4", "video/quicktime": "mov", "video/webm": "webm", "video/3gpp": "3gp",
}


def check_evidence(upload):
    """A CheckedUpload for an acceptable evidence file, or OutcomeError (Vietnamese)."""
    if not attachments.has_file(upload):
        raise OutcomeError(_("Vui lòng chọn tệp chứng cứ."))
    limit = attachments.max_bytes()
    name = attachments._clean_name(upload.filename)
    data = upload.stream.read(limit + 1)
    if not data:
        raise OutcomeError(_("Tệp “%(name)s” trống.", name=name))
    if len(data) > limit:
        raise OutcomeError(_("Tệp “%(name)s” quá lớn: tối đa %(size)s.", name=name,
                             size=attachments.human_size(limit)))
    kind = filetype.guess(data[:8192])
    if kind is None or kind.mime not in EVIDENCE_TYPES:
        raise OutcomeError(_("Tệp “%(name)s” không được chấp nhận: chỉ nhận ảnh, PDF, tài liệu Word/Excel, "
                             "ghi âm hoặc video.", name=name))
    return attachments.CheckedUpload(original_name=name, content_type=kind.mime,
                                     extension=EVIDENCE_TYPES[kind.mime], data=data)


def save_evidence(complaint, actor, upload):
    """Store an evidence file for a case under verification; returns the Attachment (flushed).

    If the caller's transaction fails afterwards, `attachments.discard([row])` removes the file.
    """
    if complaint.status != "verifying":
        raise OutcomeError(_("Chỉ đính kèm chứng cứ khi hồ sơ đang xác minh."))
    checked = check_evidence(upload)
    event = CaseEvent(complaint=complaint, kind="attachment", actor_id=actor.id, is_public=False,
                      body=_("Chứng cứ xác minh: %(name)s", name=checked.original_name), created_at=utcnow())
    db.session.add(event)
    db.session.flush()
    row = attachments.store(checked, complaint, event=event, uploaded_by=actor, is_evidence=True)
    db.session.flush()
    audit.record("verification.evidence", actor=actor, obj=row, case=complaint.tracking_code,
                 sha256=row.sha256, size=row.size, content_type=row.content_type)
    return row

