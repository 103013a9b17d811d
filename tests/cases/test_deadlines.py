"""The deadline job with a frozen clock across the 30/4 and 1/5 holidays and a weekend:
warnings before the deadline, lateness and escalation after it, each once however often the job runs."""
from datetime import datetime

import time_machine
from sqlalchemy import func, select

from feedback.calendar import to_utc
from feedback.cases.jobs import check_deadlines
from feedback.extensions import db
from feedback.jobs import relay_pending
from feedback.jobs.worker import PERIODIC_JOBS, run_due_periodic
from feedback.models import AuditEvent, CaseEvent, Notification, OutboundMessage
from tests import factories


def _at(*args):
    return time_machine.travel(to_utc(datetime(*args)), tick=False)


def _count(model, *where):
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_warnings_then_lateness_only_after_the_deadline_each_once(world, as_user):
    """Finding: the case was reported late (and apologised for automatically) a working day before its deadline."""
    quick = factories.category(code="nhanh", accept_days=1, answer_days=2)
    with _at(2026, 4, 29, 10, 0):  # Wednesday, the day before the 30/4 - 1/5 holidays
        complaint = world.case(category=quick)
        complaint.assigned_to_id = world.handler_a.id
        db.session.commit()
    assert complaint.accept_due_at == to_utc(datetime(2026, 5, 4, 17, 0))  # Monday after the holidays
    assert complaint.answer_due_at == to_utc(datetime(2026, 5, 5, 17, 0))  # Tuesday
    warn = (Notification.complaint_id == complaint.id, Notification.kind.in_(("warn_accept", "warn_answer")))

    with _at(2026, 4, 29, 10, 5):
        first = check_deadlines()
        db.session.commit()
        again = check_deadlines()
        db.session.commit()
    # Head and handler each warned of both deadlines, once; nothing late yet.
    assert first["warnings"] == 4 and first["late"] == 0 and again["warnings"] == 0
    assert {n.user_id for n in db.session.scalars(select(Notification).where(*warn))} == {
        world.head_a.id, world.handler_a.id}

    # The holiday and the weekend: nothing is late.
    for day in ((2026, 4, 30, 9, 0), (2026, 5, 1, 15, 0), (2026, 5, 2, 9, 0), (2026, 5, 3, 20, 0)):
        with _at(*day):
            assert check_deadlines()["late"] == 0
            db.session.commit()
    assert complaint.escalated is False

    # Monday 4/5: due tomorrow and not concluded: the head is asked to finish or write an apology. Not late.
    with _at(2026, 5, 4, 9, 0):
        counts = check_deadlines()
        db.session.commit()
        assert counts["late"] == 0 and check_deadlines()["warnings"] == 0
        db.session.commit()
    foresee = db.session.scalars(select(Notification).where(Notification.kind == "warn_late")).all()
    assert {n.user_id for n in foresee} == {world.head_a.id, world.handler_a.id}
    assert "thư xin lỗi" in foresee[0].body
    assert complaint.escalated is False
    # Never an automatic, unsigned apology to the citizen.
    assert _count(OutboundMessage, OutboundMessage.purpose == "apology") == 0

    # Tuesday 17:00 has passed: now it is late, once, through the periodic runner too.
    with _at(2026, 5, 5, 17, 1):
        assert "cases.deadlines" in PERIODIC_JOBS
        run_due_periodic({})
        relay_pending()
        assert check_deadlines()["late"] == 0
        db.session.commit()
    assert complaint.escalated is True and complaint.escalation_reason == "late"
    monitor_notes = db.session.scalars(select(Notification).where(Notification.user_id == world.monitor.id,
                                                                  Notification.kind == "late")).all()
    assert len(monitor_notes) == 1 and complaint.tracking_code in monitor_notes[0].body
    asked = db.session.scalars(select(Notification).where(Notification.user_id == world.head_a.id,
                                                          Notification.kind == "late")).all()
    assert len(asked) == 1 and "lập thư xin lỗi" in asked[0].body
    assert _count(CaseEvent, CaseEvent.complaint_id == complaint.id, CaseEvent.kind == "escalation") == 1
    public = db.session.scalar(select(CaseEvent).where(CaseEvent.complaint_id == complaint.id,
                                                       CaseEvent.kind == "deadline"))
    assert public.is_public and "05/05/2026" in public.body
    assert _count(AuditEvent, AuditEvent.action == "case.escalated") == 1

    # Wednesday 6/5: nothing more (acceptance overdue was told once, to head and handler); on the monitor's list.
    with _at(2026, 5, 6, 9, 0):
        assert check_deadlines() == {"warnings": 0, "overdue_accept": 0, "late": 0}
        db.session.commit()
        assert _count(Notification, Notification.kind == "overdue_accept") == 2
        escalated = as_user(world.monitor).get("/cases/escalated").get_data(as_text=True)
        assert complaint.tracking_code in escalated
        assert complaint.tracking_code in as_user(world.head_a).get("/cases/?due=overdue").get_data(as_text=True)
        assert as_user(world.head_a).get("/cases/escalated").status_code == 403
    assert _count(OutboundMessage, OutboundMessage.purpose == "apology") == 0
    notes = as_user(world.monitor).get("/cases/notifications").get_data(as_text=True)
    assert complaint.tracking_code in notes


def test_concluded_case_is_only_late_once_overdue(world):
    with _at(2026, 4, 29, 10, 0):
        complaint = world.case(category=factories.category(answer_days=2), contact=False)
        complaint.status = "concluded"
        db.session.commit()
    with _at(2026, 5, 4, 9, 0):
        assert check_deadlines()["late"] == 0  # concluded: the answer can still go out in time
        assert _count(Notification, Notification.kind == "warn_late") == 0
    with _at(2026, 5, 6, 9, 0):
        assert check_deadlines()["late"] == 1
        db.session.commit()
    assert complaint.escalated and _count(OutboundMessage, OutboundMessage.purpose == "apology") == 0
    # The named clerk's own account never receives a notice about it.
    assert _count(Notification, Notification.user_id == world.clerk_user.id) == 0


def test_deadline_job_runs_through_rq_once(world, redis_url, app):
    """With Redis: the periodic runner queues the job (outbox -> rq), a worker runs it; a second tick is a no-op."""
    from feedback.jobs import redis_connection, relay_pending
    from feedback.jobs.worker import make_worker

    with _at(2026, 4, 29, 10, 0):
        complaint = world.case(category=factories.category(answer_days=2))
    saved = app.config["REDIS_URL"], app.config["JOBS_INLINE"]
    app.config.update(REDIS_URL=redis_url, JOBS_INLINE=False)
    try:
        connection = redis_connection()
        with _at(2026, 5, 6, 9, 0):  # the answer was due on Tuesday 5/5
            for _ in range(2):
                run_due_periodic({})
                relay_pending()
                make_worker(app, ["default"], connection).work(burst=True)
        db.session.expire_all()
        assert complaint.escalated and complaint.escalation_reason == "late"
        assert _count(Notification, Notification.kind == "late", Notification.user_id.is_(None)) == 1
        # The claim in periodic_runs kept the second tick from queueing the job again within its period.
        from feedback.models import JobOutbox

        assert _count(JobOutbox, JobOutbox.func == "feedback.cases.jobs.check_deadlines") == 1
    finally:
        app.config["REDIS_URL"], app.config["JOBS_INLINE"] = saved


def test_the_sweep_commits_a_batch_at_a_time_so_intake_never_waits_for_all_of_it(world, monkeypatch):
    """Issue 16: at a province's size the sweep held the audit chain's lock (taken by its first audit row) in one
    transaction for minutes, and every portal, SMS and kiosk request that writes an audit row waited behind it."""
    import feedback.cases.jobs as jobs
    from sqlalchemy import event

    monkeypatch.setattr(jobs, "DEADLINE_BATCH", 2, raising=False)
    cases = [world.case(description=f"Phản ánh quá hạn số {n} tại Bộ phận Một cửa phường") for n in range(5)]
    for complaint in cases:
        complaint.status = "accepted"
    db.session.commit()
    audit_rows_per_commit, pending = [], [0]

    def count_audit_rows(session, flush_context, instances):
        pending[0] += sum(isinstance(obj, AuditEvent) for obj in session.new)

    def close_transaction(session, transaction):
        if transaction.parent is None:  # the real transaction, not a savepoint
            audit_rows_per_commit.append(pending[0])
            pending[0] = 0

    event.listen(db.session, "before_flush", count_audit_rows)
    event.listen(db.session, "after_transaction_end", close_transaction)
    try:
        with _at(2026, 12, 31, 9, 0):
            assert check_deadlines()["late"] == 5
    finally:
        event.remove(db.session, "before_flush", count_audit_rows)
        event.remove(db.session, "after_transaction_end", close_transaction)
    writes = [n for n in audit_rows_per_commit if n]
    assert len(writes) == 3, audit_rows_per_commit  # 2 + 2 + 1 cases, each batch in its own transaction
    assert _count(Notification, Notification.kind == "late", Notification.user_id.is_(None)) == 5
