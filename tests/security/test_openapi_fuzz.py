"""schemathesis against our own OpenAPI document (Open311), with every check schemathesis has.

Bounded for `make test`. One check is left out where OpenAPI cannot say the rule: whether schema-valid
data is accepted, for the two operations with rules across fields (a query's dates at most 90 days
apart; a POST's staff reference must exist and work in the unit, its phone must be a real number).
Those rules have their own tests (tests/api). The database holds services, units and a valid API key, and most
generated POSTs carry that key, so what is checked is the API's real validation and answers
(status codes, content types, schemas, the Allow header of a 405), not a wall of 403s.
"""
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from feedback import create_app

app = create_app("test", SQLALCHEMY_DATABASE_URI="sqlite://", RATELIMIT_ENABLED=False)
with app.app_context():
    from feedback.api.services import create_key
    from feedback.extensions import db
    from tests import factories

    db.create_all()
    factories.province_tree()
    factories.category("thai-do", name_vi="Thái độ phục vụ")
    factories.category("giay-to", name_vi="Đòi giấy tờ ngoài quy định")
    _key, API_KEY = create_key("schemathesis")
    db.session.commit()

schema = schemathesis.openapi.from_wsgi("/open311/openapi.json", app)


@schema.parametrize()
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
def test_the_api_does_what_its_openapi_document_says(case):
    if isinstance(case.body, dict) and "api_key" in case.body and hash(repr(case.body)) % 5:
        case.body["api_key"] = API_KEY
    cross_field = case.operation.path == "/v2/requests.{format}"
    with app.app_context():
        case.call_and_validate(excluded_checks=[positive_data_acceptance] if cross_field else None)
