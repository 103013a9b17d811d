"""OpenAPI 3 description of the Open311 GeoReport v2 API, served at /open311/openapi.json."""


def _fmt_param():
    return {"name": "format", "in": "path", "required": True,
            "schema": {"type": "string", "enum": ["json", "xml"]},
            "description": "Response format: json or xml (the path ends in .json or .xml)."}


def _errors(*codes):
    descriptions = {400: "Missing or invalid parameter", 403: "api_key missing or invalid",
                    404: "Unknown service, request or token"}
    return {
        str(code): {
            "description": descriptions[code],
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


def openapi_document(base_url):
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "Open311 GeoReport v2 — Phản ánh, kiến nghị tỉnh Khánh Hòa",
            "version": "2.0",
            "description": (
                "GeoReport v2 (http://wiki.open311.org/GeoReport_v2). Services are feedback categories. "
                "Requests are cases; only public data is returned: status, dates, service and, once the answer "
                "is published, the redacted summary and the answering unit. service_request_id is a random "
                "public id. Every path exists with a .json and a .xml suffix."
            ),
        },
        "servers": [{"url": base_url + "/open311"}],
        "paths": {
            "/discovery.{format}": {"get": {
                "summary": "Service discovery", "parameters": [_fmt_param()],
                "responses": _ok("#/components/schemas/Discovery", "Endpoints and formats"),
            }},
            "/v2/services.{format}": {"get": {
                "summary": "List services (categories)", "parameters": [_fmt_param()],
                "responses": _ok("#/components/schemas/ServiceList", "Active categories"),
            }},
            "/v2/services/{service_code}.{format}": {"get": {
                "summary": "Service definition: attributes unit, staff, publish",
                "parameters": [{"name": "service_code", "in": "path", "required": True, "schema": {"type": "string"}},
                               _fmt_param()],
                "responses": {**_ok("#/components/schemas/ServiceDefinition", "Attributes"), **_errors(404)},
            }},
            "/v2/requests.{format}": {
                "post": {
                    "summary": "Create a request (a case through the same intake as every channel)",
                    "parameters": [_fmt_param()],
                    "requestBody": {"required": True, "content": {"application/x-www-form-urlencoded": {
                        "schema": {"$ref": "#/components/schemas/NewRequest"}}}},
                    "responses": {**_ok("#/components/schemas/CreatedList", "Created", status="201"),
                                  **_errors(400, 403)},
                },
                "get": {
                    "summary": "Query requests (at most 1000, newest first)",
                    "parameters": [
                        _fmt_param(),
                        {"name": "service_request_id", "in": "query", "schema": {"type": "string"},
                         "description": "Comma-separated ids; when given, the other filters are ignored."},
                        {"name": "service_code", "in": "query", "schema": {"type": "string"}},
                        {"name": "start_date", "in": "query", "schema": {"type": "string", "format": "date-time"},
                         "description": "W3C date/time; without offset it is local time (UTC+7)."},
                        {"name": "end_date", "in": "query", "schema": {"type": "string", "format": "date-time"},
                         "description": "At most 90 days after start_date; default: the last 90 days."},
                        {"name": "status", "in": "query", "schema": {"type": "string"},
                         "description": "open, closed or open,closed"},
                    ],
                    "responses": {**_ok("#/components/schemas/RequestList", "Requests"), **_errors(400, 404)},
                },
            },
            "/v2/requests/{service_request_id}.{format}": {"get": {
                "summary": "One request",
                "parameters": [{"name": "service_request_id", "in": "path", "required": True,
                                "schema": {"type": "string"}}, _fmt_param()],
                "responses": {**_ok("#/components/schemas/RequestList", "The request"), **_errors(404)},
            }},
            "/v2/tokens/{token}.{format}": {"get": {
                "summary": "The service_request_id for a token returned by POST requests",
                "parameters": [{"name": "token", "in": "path", "required": True, "schema": {"type": "string"}},
                               _fmt_param()],
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
            "NewRequest": {"type": "object", "required": ["api_key", "service_code", "description"], "properties": {
                "api_key": {"type": "string"}, "service_code": {"type": "string"},
                "description": {"type": "string", "maxLength": 5000},
                "email": {"type": "string"}, "phone": {"type": "string"},
                "first_name": {"type": "string"}, "last_name": {"type": "string"},
                "attribute[unit]": {"type": "string", "description": "Unit code"},
                "attribute[staff]": {"type": "string", "description": "Staff public reference"},
                "attribute[publish]": {"type": "string", "enum": ["true", "false"]}}},
            "CreatedList": {"type": "array", "items": {"type": "object", "properties": {
                "service_request_id": {"type": "string"}, "token": {"type": "string"},
                "service_notice": {"type": "string"}, "account_id": {"type": "string", "nullable": True}}}},
            "RequestList": {"type": "array", "items": {"type": "object", "properties": {
                "service_request_id": {"type": "string"},
                "status": {"type": "string", "enum": ["open", "closed"]},
                "status_notes": {"type": "string"}, "service_name": {"type": "string", "nullable": True},
                "service_code": {"type": "string", "nullable": True},
                "description": {"type": "string", "description": "Only when the answer is published (redacted)."},
                "agency_responsible": {"type": "string", "description": "Only when the answer is published."},
                "service_notice": {"type": "string", "description": "Address of the published answer."},
                "requested_datetime": {"type": "string", "format": "date-time"},
                "updated_datetime": {"type": "string", "format": "date-time"},
                "expected_datetime": {"type": "string", "format": "date-time", "nullable": True}}}},
            "TokenList": {"type": "array", "items": {"type": "object", "properties": {
                "service_request_id": {"type": "string"}, "token": {"type": "string"}}}},
        }},
    }
