"""OpenAPI 3 description of the Open311 GeoReport v2 API, served at /open311/openapi.json.

It says what the API really does (schemathesis checks it in `make test`): the service codes and
unit codes that exist, the location a POST needs, every status code a request can get.
"""

ERROR_DESCRIPTIONS = {
    400: "Missing or invalid parameter (also: a NUL byte or an impossibly large number anywhere)", 403: "api_key missing or invalid",
    404: "Unknown format, jurisdiction, service, request or token", 405: "Method not allowed",
    429: "Too many requests from this address (OPEN311_POST_LIMIT)",
}


# A W3C date or date-time; an empty value means the parameter was not given.
W3C_DATE = {"anyOf": [{"type": "string", "format": "date-time"}, {"type": "string", "format": "date"},
                      {"type": "string", "maxLength": 0}]}


def _fmt_param():
    return {"name": "format", "in": "path", "required": True,
            "schema": {"type": "string", "enum": ["json", "xml"]},
            "description": "Response format: json or xml (the path ends in .json or .xml); anything else is 404."}


def _jurisdiction_param():
    return {"name": "jurisdiction_id", "in": "query", "required": False, "schema": _string(),
            "description": "Optional: one jurisdiction is served; another value is 404."}


def _errors(*codes):
    # Any request may be refused with 400 (a NUL byte, an impossible number: feedback.hardening).
    codes = sorted({400, *codes})
    return {
        str(code): {
            "description": ERROR_DESCRIPTIONS[code],
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Errors"}},
                        "text/xml": {"schema": {"type": "string"}}},
        }
        for code in codes
    }


def _ok(schema_ref, description, status="200"):
    return {status: {"description": description, "content": {
        "application/json": {"schema": {"$ref": schema_ref}},
        "text/xml": {"schema": {"type": "string", "description": "The same data as XML (GeoReport v2)."}},
    }}}


# No NUL byte anywhere (PostgreSQL cannot store one; every request holding one gets a 400).
NO_NUL = "^[^\\x00]*$"


def _string(max_length=None, **extra):
    schema = {"type": "string", "pattern": NO_NUL, **extra}
    if max_length:
        schema["maxLength"] = max_length
    return schema


def _or_empty(schema):
    """An optional form field: empty means not given, anything else must match `schema`."""
    return {"anyOf": [{"type": "string", "maxLength": 0}, schema]}


def _new_request_schema(service_codes, unit_codes):
    unit = {"type": "string", "enum": unit_codes} if unit_codes else _string(100, minLength=1)
    return {
        "type": "object",
        "required": ["api_key", "service_code"],
        "properties": {
            "api_key": _string(200, minLength=1),
            "jurisdiction_id": _string(100),
            "service_code": {"type": "string", "enum": service_codes} if service_codes else _string(100, minLength=1),
            "lat": _or_empty({"type": "number", "minimum": -90, "maximum": 90}),
            "long": _or_empty({"type": "number", "minimum": -180, "maximum": 180}),
            "address_string": _string(500),
            "address_id": {**_or_empty(unit), "description": "Unit code (the jurisdiction's address system)."},
            "description": _string(4000, description="Optional, at most 4,000 characters."),
            "media_url": _or_empty(_string(500, format="uri", pattern="^https?://[^/?#\\s]+")),
            "email": _or_empty(_string(200, format="email")),
            "phone": _string(30, description="A valid phone number (Việt Nam by default)."),
            "first_name": _string(60), "last_name": _string(60),
            "device_id": _string(100), "account_id": _string(100),
            "attribute[unit]": {**_or_empty(unit), "description": "Unit code"},
            "attribute[staff]": _string(100, description="Staff public reference"),
            "attribute[publish]": {"type": "string", "enum": ["", "true", "false"]},
            "attribute[idempotency_key]": _string(100, pattern=r"^[\x20-\x7e]*$",
                                                  description="Same as the Idempotency-Key header."),
        },
        "description": "A location is required: lat and long together, address_string, address_id or "
                       "attribute[unit]. Empty fields count as not given; other fields are ignored.",
        "anyOf": [{"required": ["lat", "long"]}, {"required": ["address_string"]}, {"required": ["address_id"]},
                  {"required": ["attribute[unit]"]}],
    }


def openapi_document(base_url, categories=(), units=()):
    service_codes = [c.code for c in categories]
    unit_codes = [u.code for u in units]
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "Open311 GeoReport v2 — Phản ánh, kiến nghị tỉnh Khánh Hòa",
            "version": "2.0",
            "description": (
                "GeoReport v2 (http://wiki.open311.org/GeoReport_v2). Services are feedback categories. "
                "Requests are cases; only public data is returned: status, dates, service, coordinates and, "
                "once the answer is published, the redacted summary, the address, the media URL and the "
                "answering unit. service_request_id is a random public id. Every path exists with a .json "
                "and a .xml suffix; JSON is UTF-8."
            ),
        },
        "servers": [{"url": base_url + "/open311"}],
        "paths": {
            "/discovery.{format}": {"get": {
                "summary": "Service discovery", "parameters": [_fmt_param()],
                "responses": {**_ok("#/components/schemas/Discovery", "Endpoints and formats"), **_errors(404)},
            }},
            "/v2/services.{format}": {"get": {
                "summary": "List services (categories)", "parameters": [_fmt_param(), _jurisdiction_param()],
                "responses": {**_ok("#/components/schemas/ServiceList", "Active categories"), **_errors(404)},
            }},
            "/v2/services/{service_code}.{format}": {"get": {
                "summary": "Service definition: attributes unit, staff, publish",
                "parameters": [{"name": "service_code", "in": "path", "required": True, "schema": _string()},
                               _fmt_param(), _jurisdiction_param()],
                "responses": {**_ok("#/components/schemas/ServiceDefinition", "Attributes"), **_errors(404)},
            }},
            "/v2/requests.{format}": {
                "post": {
                    "summary": "Create a request (a case through the same intake as every channel)",
                    "parameters": [
                        _fmt_param(),
                        {"name": "Idempotency-Key", "in": "header", "required": False,
                         "schema": _string(100, pattern=r"^[\x20-\x7e]*$"),
                         "description": "A retried POST with the same key (and api_key) returns the first request "
                                        "with status 200 instead of creating another."},
                    ],
                    "requestBody": {"required": True, "content": {"application/x-www-form-urlencoded": {
                        "schema": {"$ref": "#/components/schemas/NewRequest"}}}},
                    "responses": {**_ok("#/components/schemas/CreatedList", "Created", status="201"),
                                  **_ok("#/components/schemas/CreatedList", "The request created by an earlier POST "
                                                                            "with the same Idempotency-Key"),
                                  **_errors(400, 403, 404, 429)},
                },
                "get": {
                    "summary": "Query requests (at most 1000, newest first)",
                    "parameters": [
                        _fmt_param(), _jurisdiction_param(),
                        {"name": "service_request_id", "in": "query", "schema": _string(),
                         "description": "Comma-separated ids; when given, the other filters are ignored. "
                                        "At most 1000, and as many as fit the server's 8 KB request line "
                                        "(about 300 ids)."},
                        {"name": "service_code", "in": "query", "schema": _string(),
                         "description": "One or more service codes, comma-separated; an unknown one is 404."},
                        {"name": "start_date", "in": "query", "schema": W3C_DATE,
                         "description": "W3C date or date/time; without offset it is local time (UTC+7). "
                                        "Empty means not given."},
                        {"name": "end_date", "in": "query", "schema": W3C_DATE,
                         "description": "At most 90 days after start_date; default: the last 90 days."},
                        {"name": "status", "in": "query",
                         "schema": {"type": "string", "enum": ["", "open", "closed", "open,closed", "closed,open"]},
                         "description": "open, closed or both (comma-separated or the parameter repeated)."},
                    ],
                    "responses": {**_ok("#/components/schemas/RequestList", "Requests"), **_errors(400, 404)},
                },
            },
            "/v2/requests/{service_request_id}.{format}": {"get": {
                "summary": "One request",
                "parameters": [{"name": "service_request_id", "in": "path", "required": True,
                                "schema": _string()}, _fmt_param(), _jurisdiction_param()],
                "responses": {**_ok("#/components/schemas/RequestList", "The request"), **_errors(404)},
            }},
            "/v2/tokens/{token}.{format}": {"get": {
                "summary": "The service_request_id for a token (POSTs answer with the id itself; tokens exist "
                           "only for requests created before 2026-12)",
                "parameters": [{"name": "token", "in": "path", "required": True, "schema": _string()},
                               _fmt_param(), _jurisdiction_param()],
                "responses": {**_ok("#/components/schemas/TokenList", "The request id"), **_errors(404)},
            }},
        },
        "components": {"schemas": {
            "Errors": {"type": "array", "items": {"type": "object", "required": ["code", "description"],
                       "properties": {"code": {"type": "integer"}, "description": {"type": "string"}}}},
            "Discovery": {"type": "object", "properties": {
                "changeset": {"type": "string"}, "contact": {"type": "string"}, "key_service": {"type": "string"},
                "endpoints": {"type": "array", "items": {"type": "object", "properties": {
                    "specification": {"type": "string"}, "url": {"type": "string"}, "changeset": {"type": "string"},
                    "type": {"type": "string"}, "formats": {"type": "array", "items": {"type": "string"}}}}}}},
            "ServiceList": {"type": "array", "items": {"type": "object", "properties": {
                "service_code": {"type": "string"}, "service_name": {"type": "string"},
                "description": {"type": "string"}, "metadata": {"type": "boolean"},
                "type": {"type": "string", "enum": ["realtime"]}, "keywords": {"type": "string"},
                "group": {"type": "string"}}}},
            "ServiceDefinition": {"type": "object", "properties": {
                "service_code": {"type": "string"},
                "attributes": {"type": "array", "items": {"type": "object", "properties": {
                    "variable": {"type": "boolean"}, "code": {"type": "string"},
                    "datatype": {"type": "string", "enum": ["string", "singlevaluelist"]},
                    "required": {"type": "boolean"}, "datatype_description": {"type": "string"},
                    "order": {"type": "integer"}, "description": {"type": "string"},
                    "values": {"type": "array", "items": {"type": "object", "properties": {
                        "key": {"type": "string"}, "name": {"type": "string"}}}}}}}}},
            "NewRequest": _new_request_schema(service_codes, unit_codes),
            "CreatedList": {"type": "array", "items": {"type": "object", "required": ["service_request_id"],
                                                       "properties": {
                "service_request_id": {"type": "string"}, "service_notice": {"type": "string"},
                "account_id": {"type": "string", "nullable": True}}}},
            "RequestList": {"type": "array", "items": {"type": "object", "properties": {
                "service_request_id": {"type": "string"},
                "status": {"type": "string", "enum": ["open", "closed"]},
                "status_notes": {"type": "string"}, "service_name": {"type": "string", "nullable": True},
                "service_code": {"type": "string", "nullable": True},
                "description": {"type": "string", "description": "Only when the answer is published (redacted)."},
                "agency_responsible": {"type": "string", "nullable": True,
                                       "description": "Only when the answer is published."},
                "service_notice": {"type": "string", "description": "Address of the published answer."},
                "requested_datetime": {"type": "string", "format": "date-time"},
                "updated_datetime": {"type": "string", "format": "date-time"},
                "expected_datetime": {"type": "string", "format": "date-time", "nullable": True},
                "lat": {"type": "number", "nullable": True}, "long": {"type": "number", "nullable": True},
                "address_id": {"type": "string", "nullable": True},
                "address": {"type": "string", "nullable": True, "description": "Only when the answer is published."},
                "media_url": {"type": "string", "nullable": True,
                              "description": "Only when the answer is published."}}}},
            "TokenList": {"type": "array", "items": {"type": "object", "properties": {
                "service_request_id": {"type": "string"}, "token": {"type": "string"}}}},
        }},
    }
