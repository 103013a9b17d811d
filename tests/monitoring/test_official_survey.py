"""The official satisfaction index (Sở Nội vụ's survey) entered by the monitoring office and shown beside
the system's own two rates, never mixed with them (issue 14)."""
from sqlalchemy import select

from feedback.extensions import db
from feedback.models import AuditEvent, OfficialSurvey
from tests.conftest import login


def _enter(client, **data):
    form = {"unit": "KH", "year": "2026", "index_value": "87.45", "sample_size": "1200",
            "source": "Quyết định số 123/QĐ-UBND ngày 15/01/2027"}
    form.update(data)
    return client.post("/monitoring/survey", data=form, follow_redirects=True)


def test_the_monitoring_office_enters_the_official_figure_and_statistics_show_it(world, client):
    login(client, world["monitor"])
    page = _enter(client).get_data(as_text=True)
    assert "Đã lưu chỉ số hài lòng chính thức." in page and "87.45%" in page
    # Entered again for the same unit and year: corrected, not doubled.
    _enter(client, index_value="88.1")
    surveys = db.session.scalars(select(OfficialSurvey)).all()
    assert len(surveys) == 1 and surveys[0].index_value == 88.1 and surveys[0].sample_size == 1200
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "survey.entered")) is not None
    stats = client.get("/statistics?period=2026").get_data(as_text=True)
    box = stats.split('id="stat-official">')[1].split("</div>")[0]
    assert "88.10%" in box and "Chỉ số hài lòng chính thức năm 2026" in box and "1200 phiếu" in box
    assert "Quyết định số 123/QĐ-UBND" in box
    # Beside, not instead of, the system's two rates; another year has none.
    assert 'id="stat-satisfaction"' in stats and 'id="stat-answer-satisfaction"' in stats
    assert 'id="stat-official"' not in client.get("/statistics?period=2025").get_data(as_text=True)
    monitoring = client.get("/monitoring/satisfaction?period=2026").get_data(as_text=True)
    assert "88.10%" in monitoring.split('id="stat-official">')[1].split("</div>")[0]
    data = client.get("/statistics.json?period=2026").get_json()
    assert data["official_survey"]["index"] == 88.1 and data["satisfaction_index"] != 88.1


def test_bad_figures_and_units_outside_the_scope_are_refused(world, client):
    login(client, world["outsider"])
    response = _enter(client, unit="KH")
    assert response.status_code == 422 and "không thuộc phạm vi theo dõi" in response.get_data(as_text=True)
    login(client, world["monitor"])
    response = _enter(client, index_value="120")
    assert response.status_code == 422
    response = _enter(client, source=" ")
    assert response.status_code == 422 and "Vui lòng ghi nguồn số liệu." in response.get_data(as_text=True)
    assert db.session.scalar(select(OfficialSurvey)) is None
