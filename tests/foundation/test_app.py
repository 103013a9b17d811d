"""The application shell: health check and configuration safety."""
import pytest

from feedback import create_app


def test_healthz_without_redis_runs_jobs_in_process(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok", "queue": "in-process",
                             "jobs_waiting": 0, "oldest_job_seconds": 0}


def test_healthz_reports_a_database_that_does_not_answer(make_app, tmp_path):
    app = make_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/missing/dir/db.sqlite3")
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json["status"] == "error" and response.json["database"].startswith("error")


@pytest.mark.parametrize("key", [None, "", "short", "dev-secret-not-for-production"])
def test_production_refuses_to_start_without_a_real_secret_key(monkeypatch, key):
    if key is None:
        monkeypatch.delenv("SECRET_KEY", raising=False)
    else:
        monkeypatch.setenv("SECRET_KEY", key)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app("production")


def test_production_starts_with_a_real_secret_key(monkeypatch, tmp_path):
    monkeypatch.setenv("SECRET_KEY", "k3Y-" + "x7" * 20)
    app = create_app("production", SQLALCHEMY_DATABASE_URI="sqlite://", UPLOAD_FOLDER=str(tmp_path))
    assert not app.debug and not app.testing
    assert app.config["SESSION_COOKIE_SECURE"] is True
