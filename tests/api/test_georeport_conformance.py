"""GeoReport v2, requirement by requirement (http://wiki.open311.org/GeoReport_v2), in JSON and XML.

Each finding of issue 12 is named where it is tested.
"""
import json
import xml.etree.ElementTree as ET

import pytest
from sqlalchemy import func, select

from feedback.api.services import create_key
from feedback.extensions import db, limiter
from feedback.models import Complaint, Open311Request
from tests import factories
from tests.publication.helpers import publish

FORMATS = ["json", "xml"]
HERE = {"lat": "12.2388", "long": "109.1967"}


@pytest.fixture
def world(app):
    tree = factories.province_tree()
    thai_do = factories.category("thai-do", name_vi="Thái độ phục vụ")
    giay_to = factories.category("giay-to", name_vi="Đòi giấy tờ ngoài quy định")
    factories.category("khac", name_vi="Khác")
    _key, clear = create_key("Ứng dụng Khánh Hòa Số")
    db.session.commit()
    return {"tree": tree, "thai_do": thai_do, "giay_to": giay_to, "key": clear}


def items(response, fmt):
    """The list of objects a GeoReport response holds, as dicts of text (XML) or values (JSON)."""
    if fmt == "json":
        assert response.content_type == "application/json; charset=utf-8"  # finding 10
        return response.get_json()
    assert response.content_type == "text/xml; charset=utf-8"
    root = ET.fromstring(response.data)
    return [{child.tag: child.text for child in element} for element in root]


def post(client, world, fmt="json", headers=None, **data):
    data = {"api_key": world["key"], "service_code": "thai-do", **data}
    return client.post(f"/open311/v2/requests.{fmt}", data=data, headers=headers or {})


def errors(response, fmt):
    found = items(response, fmt)
    return [(int(e["code"]), e["description"]) for e in found]


# --- POST Service Request -------------------------------------------------------------------

@pytest.mark.parametrize("fmt", FORMATS)
def test_unknown_service_code_is_404(client, world, fmt):
    """Finding 1: it answered 400."""
    response = post(client, world, fmt, service_code="khong-co", **HERE)
    assert response.status_code == 404
    assert errors(response, fmt) == [(404, "service_code khong-co not found")]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("location, message", [
    ({}, "a location is required: lat and long, address_string or address_id"),
    ({"lat": "12.2"}, "lat and long must be given together"),
    ({"long": "109.1"}, "lat and long must be given together"),
    ({"lat": "abc", "long": "109.1"}, "lat is not a number"),
    ({"lat": "12.2", "long": "999"}, "long must be between -180 and 180"),
    ({"lat": "nan", "long": "109.1"}, "lat must be between -90 and 90"),
    ({"address_id": "NOPE"}, "address_id NOPE not found"),
])
def test_a_location_is_required_and_checked(client, world, fmt, location, message):
    """Finding 2: no location, lat alone and lat=abc&long=999 were all accepted."""
    response = post(client, world, fmt, description="Thái độ kém", **location)
    assert response.status_code == 400 and errors(response, fmt) == [(400, message)]
    assert db.session.scalar(select(func.count()).select_from(Complaint)) == 0


@pytest.mark.parametrize("fmt", FORMATS)
def test_post_answers_the_id_not_a_token(client, world, fmt):
    """Finding 3: the response carried both service_request_id and token."""
    response = post(client, world, fmt, description="Thái độ kém", **HERE)
    assert response.status_code == 201
    [created] = items(response, fmt)
    assert created["service_request_id"] and "token" not in created
    assert "service_notice" in created and "account_id" in created


@pytest.mark.parametrize("fmt", FORMATS)
def test_description_is_optional_and_at_most_4000_characters(client, world, fmt):
    """Finding 4: description was required and limited to 5,000 characters."""
    assert post(client, world, fmt, **HERE).status_code == 201
    case = db.session.scalar(select(Complaint))
    assert case.category.code == "thai-do" and "Thái độ phục vụ" in case.description  # the handler sees what it is
    assert post(client, world, fmt, description="x" * 4000, **HERE).status_code == 201
    too_long = post(client, world, fmt, description="x" * 4001, **HERE)
    assert errors(too_long, fmt) == [(400, "description is longer than 4000 characters")]


@pytest.mark.parametrize("fmt", FORMATS)
def test_location_media_and_identity_are_stored_identity_never_returned(client, world, fmt):
    """Finding 2: lat, long, address_string and media_url were stored nowhere and never returned."""
    response = post(client, world, fmt, description="Công chức một cửa hẹn lại nhiều lần", lat="12.2388",
                    long="109.1967", address_string="UBND phường Nha Trang, 1 Trần Phú", address_id="XA-A",
                    media_url="https://app.example.vn/anh/1.jpg", email="an@example.vn", first_name="An",
                    last_name="Nguyễn Văn", phone="0905123456", device_id="device-7", account_id="acc-42")
    [created] = items(response, fmt)
    handle = db.session.scalar(select(Open311Request))
    assert (handle.lat, handle.long, handle.address_string, handle.address_id, handle.media_url, handle.device_id,
            handle.account_id) == (12.2388, 109.1967, "UBND phường Nha Trang, 1 Trần Phú", "XA-A",
                                   "https://app.example.vn/anh/1.jpg", "device-7", "acc-42")
    assert created["account_id"] == "acc-42"
    case = handle.complaint
    assert case.target_unit.code == "XA-A"  # address_id is a unit code: the case goes there
    assert case.incident_place == "UBND phường Nha Trang, 1 Trần Phú"
    assert (case.complainant.full_name, case.complainant.email, case.complainant.phone) == (
        "Nguyễn Văn An", "an@example.vn", "+84905123456")
    [shown] = items(client.get(f"/open311/v2/requests/{created['service_request_id']}.{fmt}"), fmt)
    assert float(shown["lat"]) == 12.2388 and float(shown["long"]) == 109.1967 and shown["address_id"] == "XA-A"
    # Not yet published: the address (it may be a home) and the photo (it may show a face) stay in.
    assert "address" not in shown and "media_url" not in shown and "description" not in shown
    text = json.dumps(shown, ensure_ascii=False)
    for private in ("an@example.vn", "Nguyễn Văn", "0905123456", "+84905123456", "device-7"):
        assert private not in text


def test_address_and_media_url_are_returned_once_the_answer_is_published(client, world):
    created = post(client, world, description="Chậm trả kết quả", address_string="Bộ phận một cửa xã Cam Lâm",
                   media_url="https://app.example.vn/anh/2.jpg").get_json()[0]
    case = db.session.scalar(select(Complaint))
    answer = publish(world["tree"]["b"], world["thai_do"], "Chậm trả kết quả", "Đã xin lỗi và trả kết quả.")
    answer.complaint_id = case.id  # the published answer of the Open311 case
    case.status = "published"
    db.session.commit()
    [shown] = client.get(f"/open311/v2/requests/{created['service_request_id']}.json").get_json()
    assert shown["address"] == "Bộ phận một cửa xã Cam Lâm" and shown["media_url"] == "https://app.example.vn/anh/2.jpg"


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_retried_post_with_the_same_idempotency_key_returns_the_first_request(client, world, fmt):
    """Finding: an integrator retrying after a time-out created a second case."""
    first = post(client, world, fmt, headers={"Idempotency-Key": "retry-1"}, description="Thái độ kém", **HERE)
    again = post(client, world, fmt, headers={"Idempotency-Key": "retry-1"}, description="Thái độ kém", **HERE)
    assert (first.status_code, again.status_code) == (201, 200)
    assert items(first, fmt)[0]["service_request_id"] == items(again, fmt)[0]["service_request_id"]
    by_attribute = post(client, world, fmt, description="Thái độ kém", **{"attribute[idempotency_key]": "retry-1"},
                        **HERE)
    assert items(by_attribute, fmt)[0]["service_request_id"] == items(first, fmt)[0]["service_request_id"]
    other = post(client, world, fmt, headers={"Idempotency-Key": "retry-2"}, description="Thái độ kém", **HERE)
    assert other.status_code == 201
    assert db.session.scalar(select(func.count()).select_from(Complaint)) == 2
    # Another client's same key is its own request.
    _key, second_key = create_key("Cổng khác")
    db.session.commit()
    theirs = client.post(f"/open311/v2/requests.{fmt}", headers={"Idempotency-Key": "retry-1"},
                         data={"api_key": second_key, "service_code": "thai-do", **HERE})
    assert theirs.status_code == 201
    assert db.session.scalar(select(func.count()).select_from(Complaint)) == 3


@pytest.mark.parametrize("fmt", FORMATS)
def test_jurisdiction_id_is_ours_or_404(client, world, fmt):
    ours = post(client, world, fmt, jurisdiction_id="khanhhoa.gov.vn", **HERE)
    assert ours.status_code == 201
    other = post(client, world, fmt, jurisdiction_id="hanoi.gov.vn", **HERE)
    assert errors(other, fmt) == [(404, "jurisdiction_id hanoi.gov.vn not found")]
    assert client.get(f"/open311/v2/services.{fmt}?jurisdiction_id=khanhhoa.gov.vn").status_code == 200
    assert client.get(f"/open311/v2/services.{fmt}?jurisdiction_id=x").status_code == 404
    assert client.get(f"/open311/v2/requests.{fmt}?jurisdiction_id=x").status_code == 404


# --- GET Service Requests -------------------------------------------------------------------

def _three_requests(client, world):
    ids = {}
    for code in ("thai-do", "giay-to", "khac"):
        ids[code] = post(client, world, service_code=code, **HERE).get_json()[0]["service_request_id"]
    closed = db.session.scalar(select(Complaint).join(Open311Request).where(Open311Request.public_id == ids["khac"]))
    closed.status = "closed"
    db.session.commit()
    return ids


@pytest.mark.parametrize("fmt", FORMATS)
def test_service_code_takes_a_comma_separated_list(client, world, fmt):
    """Finding 5: service_code=a,b answered 404."""
    ids = _three_requests(client, world)
    found = {r["service_request_id"] for r in items(client.get(f"/open311/v2/requests.{fmt}?service_code=thai-do,giay-to"), fmt)}
    assert found == {ids["thai-do"], ids["giay-to"]}
    repeated = client.get(f"/open311/v2/requests.{fmt}?service_code=thai-do&service_code=khac")
    assert {r["service_request_id"] for r in items(repeated, fmt)} == {ids["thai-do"], ids["khac"]}
    unknown = client.get(f"/open311/v2/requests.{fmt}?service_code=thai-do,nope")
    assert errors(unknown, fmt) == [(404, "service_code nope not found")]


@pytest.mark.parametrize("fmt", FORMATS)
def test_status_repeated_means_both(client, world, fmt):
    """Finding 6: status=open&status=closed returned only the open requests."""
    ids = _three_requests(client, world)
    both = items(client.get(f"/open311/v2/requests.{fmt}?status=open&status=closed"), fmt)
    assert {r["service_request_id"] for r in both} == set(ids.values())
    closed = items(client.get(f"/open311/v2/requests.{fmt}?status=closed"), fmt)
    assert [r["service_request_id"] for r in closed] == [ids["khac"]]


@pytest.mark.parametrize("fmt", FORMATS)
def test_service_request_id_overrides_other_filters_but_they_must_be_well_formed(client, world, fmt):
    ids = _three_requests(client, world)
    found = items(client.get(f"/open311/v2/requests.{fmt}?service_request_id={ids['khac']}&status=open"), fmt)
    assert [r["service_request_id"] for r in found] == [ids["khac"]]
    bad = client.get(f"/open311/v2/requests.{fmt}?service_request_id={ids['khac']}&start_date=yesterday")
    assert bad.status_code == 400


@pytest.mark.parametrize("query", ["end_date=0001-01-01", "start_date=9999-12-31", "start_date=0001-01-01T00:00:00Z"])
def test_dates_at_the_ends_of_the_calendar_are_a_400_not_a_500(client, world, query):
    """Found by schemathesis: end_date=0001-01-01 overflowed (a 500)."""
    response = client.get(f"/open311/v2/requests.json?{query}")
    assert response.status_code == 400 and "out of range" in response.get_json()[0]["description"]


# --- errors ---------------------------------------------------------------------------------

def test_xml_errors_are_well_formed_whatever_the_url_holds(client, world):
    """Finding 7: /services/%01bad.xml echoed the control character raw (malformed XML)."""
    for path in ("/open311/v2/services/%01bad.xml", "/open311/v2/services/%0Bx%EF%BF%BE.xml",
                 "/open311/v2/requests/%1F.xml"):
        response = client.get(path)
        assert response.status_code == 404
        root = ET.fromstring(response.data)  # raises on malformed XML
        assert root.tag == "errors" and root.find("error/code").text == "404"


@pytest.mark.parametrize("fmt", FORMATS)
def test_405_is_in_the_open311_format_with_allow(client, world, fmt):
    """Finding 8: PUT got a JSON error of another shape and no Allow header."""
    response = client.put(f"/open311/v2/requests.{fmt}")
    assert response.status_code == 405
    assert set(response.headers["Allow"].replace(" ", "").split(",")) >= {"GET", "POST"}
    assert errors(response, fmt) == [(405, "method not allowed")]
    assert client.delete(f"/open311/v2/services.{fmt}").headers["Allow"]


@pytest.fixture
def limited(make_app, world):
    was_enabled = limiter.enabled
    app = make_app(RATELIMIT_ENABLED=True, OPEN311_POST_LIMIT="2 per minute")
    limiter.reset()
    yield app
    limiter.reset()
    limiter.enabled = was_enabled


def test_429_is_in_the_requested_format_and_bad_keys_do_not_count(limited, world):
    """Finding 9: 429 was JSON even on .xml, and rejected bad-key POSTs counted toward the limit."""
    client = limited.test_client()
    address = {"REMOTE_ADDR": "203.0.113.20"}
    for _ in range(5):
        bad = client.post("/open311/v2/requests.xml", data={"api_key": "wrong", "service_code": "thai-do", **HERE},
                          environ_base=address)
        assert bad.status_code == 403
    data = {"api_key": world["key"], "service_code": "thai-do", **HERE}
    assert [client.post("/open311/v2/requests.xml", data=data, environ_base=address).status_code
            for _ in range(2)] == [201, 201]
    limited_response = client.post("/open311/v2/requests.xml", data=data, environ_base=address)
    assert limited_response.status_code == 429
    root = ET.fromstring(limited_response.data)
    assert root.tag == "errors" and root.find("error/code").text == "429"
    assert limited_response.content_type == "text/xml; charset=utf-8"
    as_json = client.post("/open311/v2/requests.json", data=data, environ_base=address)
    assert as_json.status_code == 429 and as_json.get_json()[0]["code"] == 429


# --- the OpenAPI document -------------------------------------------------------------------

def test_the_openapi_document_tells_the_truth(client, world):
    """Finding 12: no status enum, no 404 for an unknown format nor 429, start_date a date-time."""
    doc = client.get("/open311/openapi.json").get_json()
    get = doc["paths"]["/v2/requests.{format}"]["get"]
    params = {p["name"]: p for p in get["parameters"]}
    assert set(params["status"]["schema"]["enum"]) >= {"open", "closed", "open,closed"}
    assert {"maxLength": 0} .items() <= params["start_date"]["schema"]["anyOf"][-1].items()  # empty is allowed
    post_op = doc["paths"]["/v2/requests.{format}"]["post"]
    assert {"201", "200", "400", "403", "404", "429"} <= set(post_op["responses"])
    for path in doc["paths"].values():
        for operation in path.values():
            assert "404" in operation["responses"]  # an unknown format (.html) is 404 everywhere
    schema = doc["components"]["schemas"]["NewRequest"]
    assert schema["required"] == ["api_key", "service_code"]  # description optional
    assert schema["properties"]["description"]["maxLength"] == 4000
    assert set(schema["properties"]["service_code"]["enum"]) == {"thai-do", "giay-to", "khac"}
    assert {"lat", "long", "address_string", "address_id", "media_url", "device_id", "account_id"} <= set(
        schema["properties"])
    assert client.get("/open311/v2/services.html").status_code == 404


def test_a_new_request_does_not_look_for_itself_or_load_its_case_again(client, world):
    """Issue 16: a new POST looked up an Open311 request for the case it had just made, read the case
    back by id for the audit row, and took the audit lock twice (16 statements and the commit; now 12)."""
    from tests.sql import recorded_sql

    with recorded_sql() as recorded:
        response = post(client, world, description="Cán bộ thái độ kém", **HERE)
    seen = [s.text for s in recorded]
    assert response.status_code == 201
    assert not [s for s in seen if s.startswith("select") and "from open311_requests" in s], seen
    assert not [s for s in seen if s.startswith("select complaints.") and "complaints.id =" in s], seen
    assert len([s for s in seen if "from audit_events" in s]) == 1, seen
    case = db.session.scalar(select(Complaint))
    handle = db.session.scalar(select(Open311Request))
    assert handle.complaint_id == case.id and items(response, "json")[0]["service_request_id"] == handle.public_id
