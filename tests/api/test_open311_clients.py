"""Open311 through gunicorn, as integrators meet it: the independent `georeport` client and plain HTTP.

gunicorn runs as the README deploys it (`--limit-request-line 8190`), so the longest id list a
GET can carry is the one a real server takes (issue 12, finding 11).
"""
import pytest
import requests
from georeport import GeoReport

from feedback.api.services import create_key
from feedback.extensions import db
from tests import factories
from tests.faults.harness import app_environment, free_port, web

HERE = {"lat": "12.2388", "long": "109.1967"}


@pytest.fixture
def server(app, database_url):
    factories.province_tree()
    factories.category("thai-do", name_vi="Thái độ phục vụ")
    factories.category("giay-to", name_vi="Đòi giấy tờ ngoài quy định")
    _key, clear = create_key("Khánh Hòa Số")
    db.session.commit()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    process = web(app_environment(database_url, "", base), port, workers=1)
    try:
        yield base, clear
    finally:
        process.stop()


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_georeport_client_reads_what_a_post_created(server, fmt):
    base, key = server
    created = requests.post(f"{base}/open311/v2/requests.{fmt}", timeout=10, data={
        "api_key": key, "service_code": "thai-do", "description": "Cán bộ một cửa hẹn lại ba lần", **HERE,
        "address_id": "XA-A", "jurisdiction_id": "khanhhoa.gov.vn"})
    assert created.status_code == 201, created.text
    client = GeoReport(base + "/open311/v2", jurisdiction="khanhhoa.gov.vn", output_format=fmt)
    services = client.get_service_list()
    codes = {s["service_code"] for s in (services if isinstance(services, list) else [services])}
    assert codes == {"thai-do", "giay-to"}
    definition = client.get_service_definition("thai-do")
    assert definition["service_code"] == "thai-do"
    found = client.get_service_requests(service_code="thai-do,giay-to", status="open")
    found = found if isinstance(found, list) else [found]
    assert len(found) == 1 and found[0]["status"] == "open" and found[0]["address_id"] == "XA-A"
    one = client.get_service_request(found[0]["service_request_id"])
    assert float(one["lat"]) == 12.2388 and one["service_code"] == "thai-do"


def test_a_long_id_list_fits_the_servers_request_line(server):
    """Finding 11: more than ~225 ids hit gunicorn's default 4,094-byte line (414)."""
    base, key = server
    first = requests.post(f"{base}/open311/v2/requests.json", data={"api_key": key, "service_code": "thai-do", **HERE},
                          timeout=10).json()[0]["service_request_id"]
    ids = [first] + [f"{n:016x}" for n in range(299)]  # 300 ids of our length, as documented
    response = requests.get(f"{base}/open311/v2/requests.json", params={"service_request_id": ",".join(ids)}, timeout=10)
    assert response.status_code == 200 and [r["service_request_id"] for r in response.json()] == [first]
    too_many = requests.get(f"{base}/open311/v2/requests.json",
                            params={"service_request_id": ",".join(ids * 2)}, timeout=10)
    assert too_many.status_code in (400, 414)  # past the documented limit: a clear refusal, never a 5xx
