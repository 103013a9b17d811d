"""Open311 GeoReport v2 endpoints: every resource in .json and .xml, the spec's errors."""
import xml.etree.ElementTree as ET

from flask import Response, current_app, jsonify, request

from feedback import audit
from feedback.api import bp, services
from feedback.api.openapi import openapi_document
from feedback.api.services import ApiError
from feedback.extensions import db, limiter

FORMATS = ("json", "xml")
SPEC_URL = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-07-01T00:00:00+07:00"


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
        element.text = str(value)
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


def respond(payload, fmt, root_tag, item_tag, status=200):
    if fmt == "xml":
        return Response(to_xml(root_tag, item_tag, payload), status=status, mimetype="text/xml")
    response = jsonify(payload)
    response.status_code = status
    return response


def error(fmt, code, description):
    return respond([{"code": code, "description": description}], fmt, "errors", "error", status=code)


def _fmt(fmt):
    if fmt not in FORMATS:
        raise ApiError(404, "unknown format: use .json or .xml")
    return fmt


@bp.errorhandler(ApiError)
def _api_error(exc):
    fmt = "xml" if request.path.endswith(".xml") else "json"
    return error(fmt, exc.code, exc.description)


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
    return respond(services.service_list(), fmt, "services", "service")


@bp.route("/v2/services/<code>.<fmt>")
def service_definition(code, fmt):
    fmt = _fmt(fmt)
    return respond(services.service_definition(code), fmt, "service_definition", None)


@bp.route("/v2/requests.<fmt>", methods=["POST"])
@limiter.limit(lambda: current_app.config["OPEN311_POST_LIMIT"])
def post_request(fmt):
    fmt = _fmt(fmt)
    form = request.form
    key = services.check_key(form.get("api_key") or request.args.get("api_key"))
    handle = services.create_request(form, key)
    audit.record("open311.request", actor_label="open311", obj=handle.complaint, api_key=key.prefix)
    public_id, token = handle.public_id, handle.token
    db.session.commit()
    payload = [{
        "service_request_id": public_id,
        "token": token,
        "service_notice": "Đã tiếp nhận phản ánh. Theo dõi trạng thái tại requests/" + public_id,
        "account_id": None,
    }]
    return respond(payload, fmt, "service_requests", "request", status=201)


@bp.route("/v2/requests.<fmt>", methods=["GET"])
def get_requests(fmt):
    fmt = _fmt(fmt)
    flt = services.parse_filter(request.args)
    return respond(services.find_requests(flt), fmt, "service_requests", "request")


@bp.route("/v2/requests/<public_id>.<fmt>")
def get_request(public_id, fmt):
    fmt = _fmt(fmt)
    return respond(services.request_by_id(public_id), fmt, "service_requests", "request")


@bp.route("/v2/tokens/<token>.<fmt>")
def get_token(token, fmt):
    fmt = _fmt(fmt)
    return respond(services.request_by_token(token), fmt, "service_requests", "request")


@bp.route("/openapi.json")
def openapi():
    return jsonify(openapi_document(current_app.config["PUBLIC_BASE_URL"]))
