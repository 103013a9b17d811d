"""Redis down is a degraded mode, not an outage: every public intake path accepts, limits still hold."""
import socket
import uuid

import pytest
from sqlalchemy import func, select

from feedback.api.services import create_key
from feedback.extensions import db
from feedback.models import Complaint, Rating
from tests import factories
from tests.portal.helpers import form


def _closed_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def redis_down_app(make_app, app):
    """Rate limits on, their Redis storage (and the queue's) unreachable."""
    dead = f"redis://127.0.0.1:{_closed_port()}/0"
    return make_app(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI=dead, REDIS_URL=dead, JOBS_INLINE=False,
                    PORTAL_SUBMIT_LIMIT="3 per minute", KIOSK_RATING_LIMIT="1000 per minute",
                    OPEN311_POST_LIMIT="1000 per minute")


def test_portal_kiosk_and_open311_accept_while_redis_is_down_and_limits_fall_back_to_memory(redis_down_app):
    tree = factories.province_tree()
    factories.category("thai-do", name_vi="Thái độ phục vụ")
    _kiosk, token = factories.kiosk(tree["counter_a"], name="Quầy 1", counter_number="1")
    _key, api_key = create_key("Ứng dụng thử")
    db.session.commit()
    client = redis_down_app.test_client()
    with redis_down_app.app_context():
        statuses = [client.post("/gui-phan-anh", data=form(unit=tree["a"].code, submission_key=uuid.uuid4().hex)).status_code
                    for _ in range(4)]
        # Three accepted (redirect to the receipt), the fourth limited by the in-memory fallback: never a 500.
        assert statuses == [302, 302, 302, 429]
        kiosk = client.post("/kiosk/api/ratings", json={"score": 4, "client_uuid": str(uuid.uuid4())},
                            headers={"X-Kiosk-Token": token})
        assert kiosk.status_code == 200
        open311 = client.post("/open311/v2/requests.json", data={"api_key": api_key, "service_code": "thai-do",
                                                                  "description": "Thái độ kém ở quầy 1",
                                                                  "lat": "12.2388", "long": "109.1967"})
        assert open311.status_code in (200, 201), open311.data
        health = client.get("/healthz").get_json()
        assert health["status"] == "ok" and health["queue"] == "degraded" and health["jobs_waiting"] >= 3
        db.session.remove()
    assert db.session.scalar(select(func.count()).select_from(Complaint)) == 4
    assert db.session.scalar(select(func.count()).select_from(Rating)) == 1
