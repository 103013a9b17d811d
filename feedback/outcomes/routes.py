"""Case outcome screens: verification, discipline and the answer (/cases/<code>/...)."""
import os

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from feedback import attachments
from feedback.extensions import db
from feedback.models import Attachment
from feedback.models.outcome import (APPEAL_OUTCOMES, CONCLUSIONS, DISCIPLINE_FORMS, LIGHTER_MEASURES, PAUSE_GROUNDS,
                                     VERIFICATION_METHODS)
from feedback.outcomes import access, bp, services
from feedback.outcomes.evidence import save_evidence
from feedback.outcomes.forms import (
    AnswerForm, AnswerReviewForm, AppealDecisionForm, AppealForm, CloseForm, DecisionForm, EvidenceForm, MeetingForm,
    PauseForm, ProposeDisciplineForm, PublishForm, ReviewForm, ReviewMeetingForm, VerificationForm,
)
from feedback.outcomes.services import OutcomeError


def _fail(error):
    db.session.rollback()
    flash(str(error), "error")


def _evidence(complaint):
    return db.session.scalars(
        select(Attachment).where(Attachment.complaint_id == complaint.id, Attachment.is_evidence.is_(True))
        .order_by(Attachment.id)
    ).all()


# --- verification ----------------------------------------------------------------------------

def _verification_page(complaint, form=None, review_form=None, evidence_form=None, status=200):
    verification = services.current_verification(complaint)
    if form is None:
        form = VerificationForm(formdata=None)
        if verification is not None:
            form.methods.data = verification.method_list
            form.findings.data = verification.findings
            form.conclusion.data = verification.conclusion
    return render_template(
        "outcomes/verification.html", complaint=complaint, verification=verification, form=form,
        review_form=review_form or ReviewForm(formdata=None), evidence_form=evidence_form or EvidenceForm(formdata=None),
        evidence=_evidence(complaint), can_draft=access.can_draft(current_user, complaint),
        can_approve=access.can_approve(current_user, complaint), methods=VERIFICATION_METHODS,
        conclusions=CONCLUSIONS,
    ), status


@bp.route("/<code>/verification", methods=["GET", "POST"])
@login_required
def verification(code):
    """The verification of a case: what was checked, findings, evidence, conclusion."""
    complaint = access.require(access.can_view, code)
    if request.method == "GET":
        return _verification_page(complaint)
    if not access.can_draft(current_user, complaint):
        abort(403)
    form = VerificationForm()
    if not form.validate_on_submit():
        return _verification_page(complaint, form=form, status=400)
    submit = form.action.data == "submit"
    upload = request.files.get("file")
    row = None
    try:
        services.save_verification(complaint, current_user, methods=form.methods.data, findings=form.findings.data,
                                   conclusion=form.conclusion.data, submit=submit)
        if form.action.data == "attach" and attachments.has_file(upload):
            row = save_evidence(complaint, current_user, upload)
    except OutcomeError as error:
        _fail(error)
        evidence_form = EvidenceForm(formdata=None)
        evidence_form.file.errors = [str(error)]
        # The findings typed are shown again, with the reason the file was refused.
        return _verification_page(complaint, form=form, evidence_form=evidence_form, status=400)
    try:
        db.session.commit()
    except Exception:
        if row is not None:
            attachments.discard([row])
        raise
    if row is not None:
        flash(_("Đã lưu kết quả xác minh và đính kèm chứng cứ."), "success")
    else:
        flash(_("Đã trình kết luận xác minh cho thủ trưởng đơn vị.") if submit else _("Đã lưu kết quả xác minh."),
              "success")
    return redirect(url_for("outcomes.verification", code=code))


@bp.route("/<code>/verification/start", methods=["POST"])
@login_required
def start_verification(code):
    complaint = access.require(access.can_draft, code)
    try:
        services.start_verification(complaint, current_user)
    except OutcomeError as error:
        _fail(error)
        return _verification_page(complaint, status=400)
    db.session.commit()
    flash(_("Đã bắt đầu xác minh."), "success")
    return redirect(url_for("outcomes.verification", code=code))


@bp.route("/<code>/verification/evidence", methods=["POST"])
@login_required
def add_evidence(code):
    complaint = access.require(access.can_draft, code)
    form = EvidenceForm()
    if not form.validate_on_submit():
        return _verification_page(complaint, evidence_form=form, status=400)
    try:
        row = save_evidence(complaint, current_user, form.file.data)
    except OutcomeError as error:
        _fail(error)
        form.file.errors = [str(error)]
        return _verification_page(complaint, evidence_form=form, status=400)
    try:
        db.session.commit()
    except Exception:
        attachments.discard([row])
        raise
    flash(_("Đã đính kèm chứng cứ."), "success")
    return redirect(url_for("outcomes.verification", code=code))


@bp.route("/<code>/evidence/<int:attachment_id>")
@login_required
def evidence_file(code, attachment_id):
    complaint = access.require(access.can_view, code)
    attachment = db.session.get(Attachment, attachment_id)
    if attachment is None or attachment.complaint_id != complaint.id or not attachment.is_evidence:
        abort(404)
    path = attachments.path_of(attachment)
    if not os.path.exists(path):
        abort(404)
    return send_file(path, mimetype=attachment.content_type, as_attachment=True,
                     download_name=attachment.original_name)


@bp.route("/<code>/verification/review", methods=["POST"])
@login_required
def review_verification(code):
    complaint = access.require(access.can_approve, code)
    form = ReviewForm()
    if not form.validate_on_submit():
        return _verification_page(complaint, review_form=form, status=400)
    approve = form.decision.data == "approve"
    try:
        services.review_verification(complaint, current_user, approve=approve, note=form.note.data)
    except OutcomeError as error:
        _fail(error)
        form.note.errors = [str(error)]
        return _verification_page(complaint, review_form=form, status=400)
    db.session.commit()
    flash(_("Đã duyệt kết luận xác minh.") if approve else _("Đã trả lại kết luận để xác minh thêm."), "success")
    return redirect(url_for("outcomes.verification", code=code))


# --- discipline ------------------------------------------------------------------------------

def _discipline_page(complaint, propose_form=None, meeting_form=None, decision_form=None, status=200, **bound):
    staff = complaint.staff
    allowed = services.allowed_forms(staff) if staff is not None else []
    decision = services.current_discipline(complaint)
    if decision_form is None:
        decision_form = DecisionForm(allowed, formdata=None)
        decision_form.legal_basis.data = (decision.legal_basis if decision else None) or (
            services.default_legal_basis(staff) if staff else "")
    return render_template(
        "outcomes/discipline.html", complaint=complaint, staff=staff, decision=decision,
        refusal=services.discipline_refusal(complaint, services.approved_verification(complaint)),
        allowed=allowed, forms_labels=DISCIPLINE_FORMS,
        lighter=LIGHTER_MEASURES, propose_form=propose_form or ProposeDisciplineForm(allowed, formdata=None),
        meeting_form=meeting_form or MeetingForm(formdata=None), decision_form=decision_form,
        review_form=bound.get("review_form") or ReviewMeetingForm(formdata=None),
        pause_form=bound.get("pause_form") or PauseForm(formdata=None),
        appeal_form=bound.get("appeal_form") or AppealForm(formdata=None),
        appeal_decision_form=bound.get("appeal_decision_form") or AppealDecisionForm(formdata=None),
        due=services.discipline_due(decision) if decision else None,
        paused=services.paused_days(decision) if decision else 0,
        pauses=services.pauses(decision) if decision else [], appeals=services.appeals(decision) if decision else [],
        pause_grounds=PAUSE_GROUNDS, appeal_outcomes=APPEAL_OUTCOMES, today=services._today(),
        can_draft=access.can_draft(current_user, complaint), can_approve=access.can_approve(current_user, complaint),
        flag=services.assessment_flag(staff, decision.decision_date.year)
        if decision is not None and decision.decision_date and staff is not None else None,
    ), status


@bp.route("/<code>/discipline", methods=["GET", "POST"])
@login_required
def discipline(code):
    """The discipline record of a substantiated case against a named staff member."""
    complaint = access.require(access.can_view, code)
    if request.method == "GET":
        return _discipline_page(complaint)
    if not (access.can_draft(current_user, complaint) or access.can_approve(current_user, complaint)):
        abort(403)
    allowed = services.allowed_forms(complaint.staff) if complaint.staff else []
    form = ProposeDisciplineForm(allowed)
    if not form.validate_on_submit():
        return _discipline_page(complaint, propose_form=form, status=400)
    try:
        services.propose_discipline(complaint, current_user, proposed_form=form.proposed_form.data or None,
                                    notes=form.notes.data, complex_case=form.complex_case.data)
    except OutcomeError as error:
        _fail(error)
        form.proposed_form.errors = [str(error)]
        return _discipline_page(complaint, propose_form=form, status=400)
    db.session.commit()
    flash(_("Đã ghi nhận đề xuất xem xét kỷ luật."), "success")
    return redirect(url_for("outcomes.discipline", code=code))


@bp.route("/<code>/discipline/meeting", methods=["POST"])
@login_required
def discipline_meeting(code):
    complaint = access.require(access.can_approve, code)
    form = MeetingForm()
    if not form.validate_on_submit():
        return _discipline_page(complaint, meeting_form=form, status=400)
    try:
        services.record_meeting(complaint, current_user, meeting_date=form.meeting_date.data,
                                minutes=form.meeting_minutes.data, participants=form.meeting_participants.data)
    except OutcomeError as error:
        _fail(error)
        return _discipline_page(complaint, meeting_form=form, status=400)
    db.session.commit()
    flash(_("Đã ghi nhận cuộc họp xét kỷ luật."), "success")
    return redirect(url_for("outcomes.discipline", code=code))


def _discipline_step(code, form_class, name, action, done):
    """One recorded step of the discipline file: check the form, call the service, commit, back to the page."""
    complaint = access.require(access.can_approve, code)
    form = form_class()
    if not form.validate_on_submit():
        return _discipline_page(complaint, status=400, **{name: form})
    try:
        action(complaint, form)
    except OutcomeError as error:
        _fail(error)
        flash(str(error), "error")
        return _discipline_page(complaint, status=400, **{name: form})
    db.session.commit()
    flash(done, "success")
    return redirect(url_for("outcomes.discipline", code=code))


@bp.route("/<code>/discipline/review", methods=["POST"])
@login_required
def discipline_review(code):
    """Họp kiểm điểm: date, participants, minutes."""
    return _discipline_step(code, ReviewMeetingForm, "review_form", lambda complaint, form: services.record_review(
        complaint, current_user, review_date=form.review_date.data, minutes=form.review_minutes.data,
        participants=form.review_participants.data), _("Đã ghi nhận cuộc họp kiểm điểm."))


@bp.route("/<code>/discipline/pause", methods=["POST"])
@login_required
def discipline_pause(code):
    """A period in which discipline is not yet considered, with its ground."""
    return _discipline_step(code, PauseForm, "pause_form", lambda complaint, form: services.pause_discipline(
        complaint, current_user, ground=form.ground.data, starts_on=form.starts_on.data, ends_on=form.ends_on.data,
        note=form.note.data), _("Đã ghi nhận thời gian chưa xem xét xử lý kỷ luật."))


@bp.route("/<code>/discipline/appeal", methods=["POST"])
@login_required
def discipline_appeal(code):
    """The disciplined person's khiếu nại against the decision."""
    return _discipline_step(code, AppealForm, "appeal_form", lambda complaint, form: services.record_appeal(
        complaint, current_user, filed_on=form.filed_on.data, summary=form.summary.data),
        _("Đã ghi nhận khiếu nại quyết định kỷ luật."))


@bp.route("/<code>/discipline/appeal/decision", methods=["POST"])
@login_required
def discipline_appeal_decision(code):
    return _discipline_step(code, AppealDecisionForm, "appeal_decision_form",
                            lambda complaint, form: services.decide_appeal(
                                complaint, current_user, outcome=form.outcome.data, decided_on=form.decided_on.data,
                                note=form.note.data), _("Đã ghi nhận kết quả giải quyết khiếu nại."))


@bp.route("/<code>/discipline/decision", methods=["POST"])
@login_required
def discipline_decision(code):
    complaint = access.require(access.can_approve, code)
    allowed = services.allowed_forms(complaint.staff) if complaint.staff else []
    form = DecisionForm(allowed)
    if not form.validate_on_submit():
        return _discipline_page(complaint, decision_form=form, status=400)
    try:
        if form.outcome.data == "decided":
            services.decide_discipline(complaint, current_user, form=form.form.data,
                                       decision_number=form.decision_number.data,
                                       decision_date=form.decision_date.data, signer=form.signer.data,
                                       legal_basis=form.legal_basis.data, electing_body=form.electing_body.data,
                                       already_assessed_year=form.already_assessed_year.data)
        else:
            services.decide_no_discipline(complaint, current_user, lighter_measure=form.lighter_measure.data,
                                          notes=form.notes.data)
    except OutcomeError as error:
        _fail(error)
        form.form.errors = [str(error)]
        return _discipline_page(complaint, decision_form=form, status=400)
    db.session.commit()
    flash(_("Đã ghi nhận kết quả xử lý kỷ luật."), "success")
    return redirect(url_for("outcomes.discipline", code=code))


# --- the answer ------------------------------------------------------------------------------

def _answer_page(complaint, form=None, review_form=None, publish_form=None, status=200):
    answer = services.current_answer(complaint)
    if form is None:
        form = AnswerForm(formdata=None)
        editable = answer is not None and answer.status in ("draft", "returned")
        form.body.data = answer.body if editable else services.draft_from_template(complaint)
    proposed = None
    if answer is not None and complaint.consent_publish and (
        answer.status == "submitted" or (answer.status in ("approved", "sent") and complaint.status == "answered")
    ):
        proposed = services.proposed_publication(complaint, answer)
    if review_form is None:
        review_form = AnswerReviewForm(formdata=None)
        if proposed:
            review_form.public_summary.data, review_form.public_body.data = proposed
    if publish_form is None:
        publish_form = PublishForm(formdata=None)
        if proposed:
            publish_form.public_summary.data, publish_form.public_body.data = proposed
    return render_template(
        "outcomes/answer.html", complaint=complaint, answer=answer, form=form, review_form=review_form,
        publish_form=publish_form, refusal=services.answer_refusal(complaint), proposed=proposed,
        close_form=CloseForm(formdata=None), can_close=services.close_refusal(complaint) is None,
        can_draft=access.can_draft(current_user, complaint), can_approve=access.can_approve(current_user, complaint),
    ), status


@bp.route("/<code>/answer", methods=["GET", "POST"])
@login_required
def answer(code):
    """The answer to the citizen: drafted from the category's template, approved by the unit head."""
    complaint = access.require(access.can_view, code)
    if request.method == "GET":
        return _answer_page(complaint)
    if not access.can_draft(current_user, complaint):
        abort(403)
    form = AnswerForm()
    if not form.validate_on_submit():
        return _answer_page(complaint, form=form, status=400)
    submit = form.action.data == "submit"
    try:
        services.save_answer(complaint, current_user, body=form.body.data, submit=submit)
    except OutcomeError as error:
        _fail(error)
        form.body.errors = [str(error)]
        return _answer_page(complaint, form=form, status=400)
    db.session.commit()
    flash(_("Đã trình dự thảo trả lời.") if submit else _("Đã lưu dự thảo trả lời."), "success")
    return redirect(url_for("outcomes.answer", code=code))


@bp.route("/<code>/answer/review", methods=["POST"])
@login_required
def review_answer(code):
    complaint = access.require(access.can_approve, code)
    form = AnswerReviewForm()
    if not form.validate_on_submit():
        return _answer_page(complaint, review_form=form, status=400)
    approve = form.decision.data == "approve"
    try:
        services.review_answer(complaint, current_user, approve=approve, note=form.note.data,
                               publish=approve and form.publish.data, public_summary=form.public_summary.data,
                               public_body=form.public_body.data)
    except OutcomeError as error:
        _fail(error)
        form.note.errors = [str(error)]
        return _answer_page(complaint, review_form=form, status=400)
    db.session.commit()
    if not approve:
        flash(_("Đã trả lại dự thảo trả lời."), "success")
    elif complaint.status == "published":
        flash(_("Đã duyệt, gửi trả lời cho người dân và công khai câu trả lời."), "success")
    else:
        flash(_("Đã duyệt và gửi trả lời cho người dân."), "success")
    return redirect(url_for("outcomes.answer", code=code))


@bp.route("/<code>/close", methods=["POST"])
@login_required
def close(code):
    """The unit head closes the case once the answer is final."""
    complaint = access.require(access.can_approve, code)
    form = CloseForm()
    if not form.validate_on_submit():
        return _answer_page(complaint, status=400)
    try:
        services.close_case(complaint, current_user, form.note.data)
    except OutcomeError as error:
        _fail(error)
        return redirect(url_for("outcomes.answer", code=code))
    db.session.commit()
    flash(_("Đã kết thúc giải quyết phản ánh (Đã đóng)."), "success")
    return redirect(url_for("outcomes.answer", code=code))


@bp.route("/<code>/answer/publish", methods=["POST"])
@login_required
def publish_answer(code):
    complaint = access.require(access.can_approve, code)
    form = PublishForm()
    if not form.validate_on_submit():
        return _answer_page(complaint, publish_form=form, status=400)
    try:
        services.publish_answer(complaint, current_user, public_summary=form.public_summary.data,
                                public_body=form.public_body.data)
    except OutcomeError as error:
        _fail(error)
        form.public_body.errors = [str(error)]
        return _answer_page(complaint, publish_form=form, status=400)
    db.session.commit()
    flash(_("Đã công khai câu trả lời."), "success")
    return redirect(url_for("outcomes.answer", code=code))
