"""Every rate limit is a setting read from the environment (issue 16), so operators tune them and benchmarks
run with the limiter in the path."""
import importlib
import uuid

import pytest

from tests import factories
from tests.portal.helpers import form

LIMITS = ("PORTAL_SUBMIT_LIMIT", "PORTAL_TRACK_LIMIT", "TRACK_CASE_LIMIT", "OPEN311_POST_LIMIT",
          "KIOSK_RATING_LIMIT", "PORTAL_SUGGEST_LIMIT")


@pytest.fixture
def config_from(monkeypatch):
    """The config module as a process started with these environment variables reads it."""
    import config

    def load(**environment):
        for name, value in environment.items():
            monkeypatch.setenv(name, value)
        return importlib.reload(config)

    yield load
    monkeypatch.undo()
    importlib.reload(config)


def test_each_limit_comes_from_its_environment_variable(config_from):
    loaded = config_from(**{name: f"{n + 7} per minute" for n, name in enumerate(LIMITS)})
    for n, name in enumerate(LIMITS):
        assert getattr(loaded.Config, name) == f"{n + 7} per minute", name


def test_a_limit_set_in_the_environment_is_the_one_a_citizen_meets(config_from, make_app, app):
    loaded = config_from(PORTAL_SUBMIT_LIMIT="2 per minute")
    limited = make_app(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://",
                       PORTAL_SUBMIT_LIMIT=loaded.Config.PORTAL_SUBMIT_LIMIT)
    tree = factories.province_tree()
    from feedback.extensions import db

    db.session.commit()
    client = limited.test_client()
    with limited.app_context():
        statuses = [client.post("/gui-phan-anh", data=form(unit=tree["a"].code, submission_key=uuid.uuid4().hex))
                    for _ in range(3)]
    assert [r.status_code for r in statuses] == [302, 302, 429]
    assert "Đã gửi quá nhiều yêu cầu" in statuses[2].get_data(as_text=True)
