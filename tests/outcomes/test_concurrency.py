"""Two unit heads pressing "approve" at the same moment: one answer goes out (PostgreSQL row lock)."""
import threading

from sqlalchemy import func, select

from feedback.extensions import db
from feedback.models import CaseEvent, Complaint, OutboundMessage, User
from feedback.outcomes import services
from feedback.outcomes.services import OutcomeError
from tests.outcomes.conftest import fast_user
from tests.outcomes.helpers import conclude


def test_two_heads_approving_at_once_send_one_answer(app, postgres, world):
    conclude(world)
    services.save_answer(world.case, world.handler, body="Trả lời.", submit=True)
    deputy = fast_user("unit_head", world.counter, "deputy@example.vn")
    db.session.commit()
    case_id, user_ids = world.case.id, (world.head.id, deputy.id)
    barrier, results = threading.Barrier(2), []

    def approve(user_id):
        with app.app_context():
            case, user = db.session.get(Complaint, case_id), db.session.get(User, user_id)
            barrier.wait()
            try:
                services.review_answer(case, user, approve=True)
                db.session.commit()
                results.append("approved")
            except OutcomeError:
                db.session.rollback()
                results.append("refused")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=approve, args=(i,)) for i in user_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(results) == ["approved", "refused"]
    db.session.expire_all()
    answers = db.session.scalar(select(func.count()).select_from(OutboundMessage)
                                .where(OutboundMessage.purpose == "answer"))
    answered = db.session.scalar(select(func.count()).select_from(CaseEvent)
                                 .where(CaseEvent.complaint_id == case_id, CaseEvent.to_status == "answered"))
    assert (answers, answered) == (1, 1)
