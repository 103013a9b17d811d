"""Open311 GeoReport v2: discovery, services, requests (POST/GET), tokens, errors; JSON and XML."""
import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
from sqlalchemy import select

from feedback.api.services import create_key
from feedback.extensions import db
from feedback.models import ApiKey, AuditEvent, Complaint, Open311Request, utcnow
from tests import factories
from tests.publication.helpers import publish


@pytest.fixture
def setup(app):
    tree = factories.province_tree()
    category = factories.category("thai-do", name_vi="Thái độ phục vụ")
    factories.category("cu", name_vi="Loại cũ", active=False)
    member = factories.staff(tree["counter_a"], full_name="Lê Văn Tám", position="Công chức một cửa")
    _key, clear = create_key("Ứng dụng Khánh Hòa Số")
    db.session.commit()
    return {"tree": tree, "category": category, "staff": member, "key": clear}


def xml(response):
    return ET.fromstring(response.data)


def test_discovery_both_formats(client, setup):
    data = client.get("/open311/discovery.json").get_json()
    assert data["endpoints"][0]["url"] == "https://hotline.example.vn/open311/v2"
    assert data["endpoints"][0]["specification"] == "http://wiki.open311.org/GeoReport_v2"
    root = xml(client.get("/open311/discovery.xml"))
    assert root.tag == "discovery"
    assert [f.text for f in root.findall("endpoints/endpoint/formats/format")] == ["text/xml", "application/json"]


def test_services_and_definition(client, setup):
    services = client.get("/open311/v2/services.json").get_json()
    assert services == [{
        "service_code": "thai-do", "service_name": "Thái độ phục vụ", "description": "Category thai-do",
        "metadata": True, "type": "realtime", "keywords": "staff_complaint",
        "group": "Phản ánh về cán bộ, công chức",
    }]
    root = xml(client.get("/open311/v2/services.xml"))
    assert root.tag == "services" and root.find("service/service_code").text == "thai-do"
    assert root.find("service/metadata").text == "true"
    definition = client.get("/open311/v2/services/thai-do.json").get_json()
    attributes = {a["code"]: a for a in definition["attributes"]}
    assert set(attributes) == {"unit", "staff", "publish"}
    assert {"key": "XA-B", "name": "Xã Cam Lâm"} in attributes["unit"]["values"]
    assert all(v["key"] != "KH-SNV" for v in attributes["unit"]["values"])  # commune level only
    root = xml(client.get("/open311/v2/services/thai-do.xml"))
    assert root.tag == "service_definition"
    assert "XA-A" in [k.text for k in root.findall("attributes/attribute/values/value/key")]


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_unknown_service_is_404(client, setup, fmt):
    response = client.get(f"/open311/v2/services/cu.{fmt}")
    assert response.status_code == 404
    if fmt == "json":
        assert response.get_json() == [{"code": 404, "description": "service_code cu not found"}]
    else:
        assert xml(response).find("error/code").text == "404"


HERE = {"lat": "12.2388", "long": "109.1967"}  # Nha Trang


def post(client, fmt="json", **data):
    """POST requests; a location unless the test gives its own (or none, with located=False)."""
    located = data.pop("located", True)
    if located and not {"lat", "long", "address_string", "address_id", "attribute[unit]"} & set(data):
        data = {**HERE, **data}
    return client.post(f"/open311/v2/requests.{fmt}", data=data)


def test_post_creates_a_case_through_intake(client, setup):
    response = post(client, api_key=setup["key"], service_code="thai-do",
                     description="Công chức quầy số 3 nói chuyện điện thoại riêng",
                     **{"attribute[unit]": "XA-A", "attribute[staff]": setup["staff"].public_ref,
                        "attribute[publish]": "true", "phone": "0905 123 456", "first_name": "Bình",
                        "last_name": "Trần Thị", "email": "binh@example.vn"})
    assert response.status_code == 201
    [created] = response.get_json()
    case = db.session.scalar(select(Complaint).join(Open311Request).where(
        Open311Request.public_id == created["service_request_id"]))
    assert case.channel == "api" and case.staff_id == setup["staff"].id and case.consent_publish
    assert case.target_unit.code == "XA-A" and case.category.code == "thai-do"
    assert case.complainant.phone == "+84905123456" and case.complainant.full_name == "Trần Thị Bình"
    # Neither the case id nor the tracking code is the public id.
    assert created["service_request_id"] not in (str(case.id), case.tracking_code)
    assert "token" not in created  # GeoReport v2: the id or a token, not both; the id exists at once
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "open311.request")) is not None
    one = client.get(f"/open311/v2/requests/{created['service_request_id']}.xml")
    request = xml(one).find("request")
    assert request.find("status").text == "open" and request.find("status_notes").text == "Đã tiếp nhận"
    assert request.find("description") is None  # not published: no text goes out


def test_post_xml_anonymous(client, setup):
    response = post(client, "xml", api_key=setup["key"], service_code="thai-do", description="Thái độ kém")
    assert response.status_code == 201
    root = xml(response)
    assert root.tag == "service_requests" and root.find("request/service_request_id").text
    case = db.session.scalar(select(Complaint))
    assert case.complainant_id is None and case.secret_hash is None


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize("data, status, message", [
    ({"description": "x"}, 400, "service_code was not provided"),
    ({"service_code": "khong-co", "description": "x"}, 404, "service_code khong-co not found"),
    ({"service_code": "thai-do", "description": "x" * 4001}, 400, "description is longer than 4000 characters"),
    ({"service_code": "thai-do", "description": "x", "attribute[unit]": "NOPE"}, 400, "attribute[unit] NOPE not found"),
    ({"service_code": "thai-do", "description": "x", "attribute[staff]": "ZZZZ"}, 400, "attribute[staff] ZZZZ not found"),
    ({"service_code": "thai-do", "description": "x", "phone": "12"}, 400, "phone is not a valid phone number"),
    ({"service_code": "thai-do", "description": "x", "api_key": "wrong"}, 403, "api_key is invalid"),
])
def test_post_bad_input(client, setup, fmt, data, status, message):
    data = {"api_key": setup["key"], **data}
    response = post(client, fmt, **data)
    assert response.status_code == status
    if fmt == "json":
        assert response.get_json() == [{"code": status, "description": message}]
    else:
        root = xml(response)
        assert root.tag == "errors"
        assert root.find("error/code").text == str(status) and root.find("error/description").text == message
    assert db.session.scalar(select(Complaint)) is None


def test_missing_or_revoked_key_is_403(client, setup):
    assert post(client, service_code="thai-do", description="x").status_code == 403
    db.session.scalar(select(ApiKey)).active = False
    db.session.commit()
    assert post(client, api_key=setup["key"], service_code="thai-do", description="x").status_code == 403


def test_get_requests_filters_and_public_description(client, setup):
    tree, category = setup["tree"], setup["category"]
    answer = publish(tree["a"], category, "Công chức [đã ẩn] thái độ kém", "Đã chấn chỉnh.",
                     description="Công chức Lê Văn Tám thái độ kém, gọi tôi 0905123456",
                     published_at=utcnow() - timedelta(days=1))
    db.session.commit()
    open_id = post(client, api_key=setup["key"], service_code="thai-do", description="Mới gửi").get_json()[0][
        "service_request_id"]
    everything = client.get("/open311/v2/requests.json").get_json()
    assert len(everything) == 2
    published = next(r for r in everything if r["status"] == "closed")
    assert published["description"] == "Công chức [đã ẩn] thái độ kém"
    assert published["agency_responsible"] == "Phường Nha Trang"
    assert published["service_notice"].endswith("/answers/" + answer.public_ref)
    assert [r["service_request_id"] for r in client.get("/open311/v2/requests.json?status=open").get_json()] == [open_id]
    assert len(client.get("/open311/v2/requests.json?status=open,closed&service_code=thai-do").get_json()) == 2
    ids = client.get(f"/open311/v2/requests.json?service_request_id={open_id},nope").get_json()
    assert [r["service_request_id"] for r in ids] == [open_id]
    old = (utcnow() - timedelta(days=200)).date().isoformat()
    assert client.get(f"/open311/v2/requests.json?end_date={old}").get_json() == []
    root = xml(client.get("/open311/v2/requests.xml?status=closed"))
    assert root.find("request/description").text == "Công chức [đã ẩn] thái độ kém"


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize("query, status, message", [
    ("start_date=2026-01-01&end_date=2026-05-01", 400, "start_date and end_date may not be more than 90 days apart"),
    ("start_date=2026-05-01&end_date=2026-01-01", 400, "end_date is before start_date"),
    ("start_date=yesterday", 400, "start_date is not a W3C date/time (e.g. 2026-07-01T00:00:00+07:00)"),
    ("status=pending", 400, "status must be open, closed or open,closed"),
    ("service_code=nope", 404, "service_code nope not found"),
])
def test_get_requests_bad_input(client, setup, fmt, query, status, message):
    response = client.get(f"/open311/v2/requests.{fmt}?{query}")
    assert response.status_code == status
    if fmt == "json":
        assert response.get_json() == [{"code": status, "description": message}]
    else:
        assert xml(response).find("error/description").text == message


def test_w3c_dates_with_offsets_within_90_days(client, setup):
    response = client.get("/open311/v2/requests.json",
                          query_string={"start_date": "2026-07-01T00:00:00+07:00", "end_date": "2026-09-28T16:59:59Z"})
    assert response.status_code == 200 and response.get_json() == []


def test_unknown_request_and_token(client, setup):
    assert client.get("/open311/v2/requests/nope.json").status_code == 404
    assert xml(client.get("/open311/v2/tokens/nope.xml")).find("error/code").text == "404"


def test_create_key_command_prints_a_key_once(runner, app):
    result = runner.invoke(args=["open311", "create-key", "Cổng dịch vụ công"])
    assert result.exit_code == 0, result.output
    key = result.output.strip()
    stored = db.session.scalar(select(ApiKey))
    assert stored.name == "Cổng dịch vụ công" and stored.key_hash == ApiKey.hash_key(key) and key not in stored.key_hash
    assert stored.prefix == key[:10]


def test_openapi_document_lists_every_path(client, app):
    doc = client.get("/open311/openapi.json").get_json()
    assert doc["openapi"].startswith("3.")
    assert set(doc["paths"]) == {"/discovery.{format}", "/v2/services.{format}", "/v2/services/{service_code}.{format}",
                                 "/v2/requests.{format}", "/v2/requests/{service_request_id}.{format}",
                                 "/v2/tokens/{token}.{format}"}
    assert set(doc["paths"]["/v2/requests.{format}"]) == {"get", "post"}
    # Every path in the document answers on the app.
    for path in ("/open311/discovery.json", "/open311/v2/services.xml", "/open311/v2/requests.json"):
        assert client.get(path).status_code == 200


def test_post_is_csrf_exempt(make_app, setup):
    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        response = app.test_client().post("/open311/v2/requests.json", data={"service_code": "thai-do",
                                                                             "description": "x", "api_key": "bad"})
        assert response.status_code == 403  # reached the view (a CSRF failure would be 400)
