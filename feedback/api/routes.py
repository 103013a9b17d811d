"""Open311 GeoReport v2 endpoints: every resource in .json and .xml, the spec's errors."""
import json
import re
import xml.etree.ElementTree as ET

from flask import Response, current_app, request

from feedback import audit
from feedback.api import bp, services
from feedback.api.openapi import openapi_document
from feedback.api.services import ApiError
from feedback.extensions import db, limiter

FORMATS = ("json", "xml")
SPEC_URL = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-07-01T00:00:00+07:00"


# Characters XML 1.0 cannot carry at all (a URL may hold them, e.g. %01): dropped from XML output.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
JSON_TYPE = "application/json; charset=utf-8"
XML_TYPE = "text/xml; charset=utf-8"


def _xml_text(value):
    return _NOT_XML.sub("", str(value))


def _xml_value(parent, tag, value):
    element = ET.SubElement(parent, tag)
    if isinstance(value, dict):
        for key, sub in value.items():
            _xml_value(element, key, sub)
    elif isinstance(value, list):
        child_tag = {"values": "value", "attributes": "attribute", "endpoints": "endpoint",
                     "formats": "format"}.get(tag, "item")
        for sub in value:
            _xml_value(element, child_tag, sub)
    elif value is None:
        pass
    elif isinstance(value, bool):
        element.text = "true" if value else "false"
    else:
        element.text = _xml_text(value)
    return element


def to_xml(root_tag, item_tag, payload):
    root = ET.Element(root_tag)
    if isinstance(payload, list):
        for item in payload:
            _xml_value(root, item_tag, item)
    else:
        for key, value in payload.items():
            _xml_value(root, key, value)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="utf-8")


def respond(payload, fmt, root_tag, item_tag, status=200, headers=None):
    if fmt == "xml":
        body = to_xml(root_tag, item_tag, payload)
        return Response(body, status=status, content_type=XML_TYPE, headers=headers)
    body = json.dumps(payload, ensure_ascii=False)
    return Response(body, status=status, content_type=JSON_TYPE, headers=headers)


def error(fmt, code, description, headers=None):
    return respond([{"code": code, "description": description}], fmt, "errors", "error", status=code,
                   headers=headers)


def requested_format():
    return "xml" if request.path.endswith(".xml") else "json"


def _fmt(fmt):
    if fmt not in FORMATS:
        raise ApiError(404, "unknown format: use .json or .xml")
    return fmt


@bp.errorhandler(ApiError)
def _api_error(exc):
    return error(requested_format(), exc.code, exc.description)


def http_error(exc):
    """Any HTTP error under /open311/ (404, 405, 413, 429, ...) in the Open311 format; 405 names what is allowed.

    Called by the app's error handler: a 405 or 404 is raised before a blueprint is chosen.
    """
    headers = {}
    description = {404: "not found", 405: "method not allowed", 429: "rate limit exceeded: "
                   + str(exc.description)}.get(exc.code, exc.description or exc.name)
    valid = getattr(exc, "valid_methods", None)
    if exc.code == 405 and valid:
        headers["Allow"] = ", ".join(sorted(valid))
    retry_after = exc.get_response().headers.get("Retry-After") if exc.code == 429 else None
    if retry_after:
        headers["Retry-After"] = retry_after
    return error(requested_format(), exc.code, description, headers=headers)


@bp.route("/discovery.<fmt>")
def discovery(fmt):
    fmt = _fmt(fmt)
    base = current_app.config["PUBLIC_BASE_URL"]
    payload = {
        "changeset": CHANGESET,
        "contact": "Hệ thống phản ánh, kiến nghị tỉnh Khánh Hòa — đường dây nóng "
                   + str(current_app.config.get("SYSTEM_HOTLINE", "")),
        "key_service": "Liên hệ quản trị hệ thống để được cấp api_key (flask open311 create-key).",
        "endpoints": [{
            "specification": SPEC_URL,
            "url": base + "/open311/v2",
            "changeset": CHANGESET,
            "type": "production",
            "formats": ["text/xml", "application/json"],
        }],
    }
    return respond(payload, fmt, "discovery", None)


@bp.route("/v2/services.<fmt>")
def service_list(fmt):
    fmt = _fmt(fmt)
    services.check_jurisdiction(request.args.get("jurisdiction_id"))
    return respond(services.service_list(), fmt, "services", "service")


@bp.route("/v2/services/<code>.<fmt>")
def service_definition(code, fmt):
    fmt = _fmt(fmt)
    services.check_jurisdiction(request.args.get("jurisdiction_id"))
    return respond(services.service_definition(code), fmt, "service_definition", None)


def _counts_toward_limit(response):
    # A POST refused for its key (403) costs the client nothing: one bad key cannot lock out the address.
    return response.status_code != 403


@bp.route("/v2/requests.<fmt>", methods=["POST"])
@limiter.limit(lambda: current_app.config["OPEN311_POST_LIMIT"], deduct_when=_counts_toward_limit)
def post_request(fmt):
    """Create a request; GeoReport v2 answers with its service_request_id (no token: it exists at once)."""
    fmt = _fmt(fmt)
    form = request.form
    key = services.check_key(form.get("api_key") or request.args.get("api_key"))
    retry_key = services.idempotency_key(request.headers.get("Idempotency-Key") or form.get("attribute[idempotency_key]"))
    handle, created = services.create_request(form, key, retry_key)
    if created:
        audit.record("open311.request", actor_label="open311", obj=handle.complaint, api_key=key.prefix)
    public_id, account_id = handle.public_id, handle.account_id
    db.session.commit()
    payload = [{
        "service_request_id": public_id,
        "service_notice": "Đã tiếp nhận phản ánh. Theo dõi trạng thái tại requests/" + public_id,
        "account_id": account_id,
    }]
    return respond(payload, fmt, "service_requests", "request", status=201 if created else 200)


@bp.route("/v2/requests.<fmt>", methods=["GET"])
def get_requests(fmt):
    fmt = _fmt(fmt)
    flt = services.parse_filter(request.args)
    return respond(services.find_requests(flt), fmt, "service_requests", "request")


@bp.route("/v2/requests/<public_id>.<fmt>")
def get_request(public_id, fmt):
    fmt = _fmt(fmt)
    services.check_jurisdiction(request.args.get("jurisdiction_id"))
    return respond(services.request_by_id(public_id), fmt, "service_requests", "request")


@bp.route("/v2/tokens/<token>.<fmt>")
def get_token(token, fmt):
    fmt = _fmt(fmt)
    services.check_jurisdiction(request.args.get("jurisdiction_id"))
    return respond(services.request_by_token(token), fmt, "service_requests", "request")


@bp.route("/openapi.json")
def openapi():
    document = openapi_document(current_app.config["PUBLIC_BASE_URL"], services.active_categories(),
                                services.active_units())
    return Response(json.dumps(document, ensure_ascii=False), content_type=JSON_TYPE)
