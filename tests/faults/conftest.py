"""Fixtures of the fault harness: private Redis, the Twilio stand-in, the web and worker processes."""
import os

import pytest

from feedback.extensions import db
from tests import factories
from tests.faults import harness
from tests.twilio_standin import TwilioStandIn


@pytest.fixture
def private_redis():
    redis = harness.PrivateRedis().start()
    yield redis
    redis.close()


@pytest.fixture
def standin():
    server = TwilioStandIn(harness.TWILIO_SID, harness.TWILIO_TOKEN).start()
    yield server
    server.stop()


@pytest.fixture
def province(app):
    """Units, a counter with a kiosk, committed where the processes under test will read them."""
    tree = factories.province_tree()
    kiosk, token = factories.kiosk(tree["counter_a"], name="Quầy 3", counter_number="3")
    db.session.commit()
    return {"tree": tree, "unit_code": tree["a"].code, "kiosk_token": token}


class System:
    """gunicorn (-w 2) and `flask worker` against one database and Redis, started and stopped by the test."""

    def __init__(self, database_url, redis_url, twilio_url, **settings):
        self.port = harness.free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        defaults = {"JOBS_RETRY_INTERVALS": "1,1,2,2,3", "JOB_STALE_SECONDS": 6, "SMS_SENDING_STALE_SECONDS": 4,
                    "SMS_REQUEUE_SECONDS": 2, "TWILIO_HTTP_TIMEOUT": 2}
        defaults.update(settings)
        self.env = harness.app_environment(database_url, redis_url, self.base, twilio_url, **defaults)
        self.web = self.worker = None
        self.citizen = harness.Citizen(self.base)

    def start(self, worker=True):
        self.web = harness.web(self.env, self.port)
        if worker:
            self.start_worker()
        return self

    def start_worker(self):
        self.worker = harness.worker(self.env)
        return self.worker

    def stop(self):
        for process in (self.worker, self.web):
            if process is not None:
                process.stop()


@pytest.fixture
def start_system(database_url):
    started = []

    def start(redis_url, twilio_url=None, worker=True, database=None, **settings):
        system = System(database or database_url, redis_url, twilio_url, **settings).start(worker=worker)
        started.append(system)
        return system

    yield start
    for system in started:
        system.stop()
        if os.environ.get("FAULT_LOGS"):
            print(system.web.log(), system.worker.log() if system.worker else "")
