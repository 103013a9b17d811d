"""schemathesis against our own OpenAPI document (Open311): generated requests never get a 5xx.

Bounded for `make test`; the spec-conformance checks (status codes, formats) belong to the Open311 work.
"""
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from feedback import create_app

app = create_app("test", SQLALCHEMY_DATABASE_URI="sqlite://", RATELIMIT_ENABLED=False)
with app.app_context():
    from feedback.extensions import db

    db.create_all()
schema = schemathesis.openapi.from_wsgi("/open311/openapi.json", app)


@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_generated_request_gets_a_server_error(case):
    with app.app_context():
        response = case.call()
        case.validate_response(response, checks=[not_a_server_error])
