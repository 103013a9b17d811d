"""A hostile crawl: every route, as an anonymous visitor and as staff, with NUL bytes, invalid UTF-8, huge,
negative, wrong-type and script values in the query and the form. Nothing answers 5xx; no script is echoed."""
import pytest

from tests.conftest import login
from tests.security.test_access_matrix import _url, world  # noqa: F401 (the fixture)

SCRIPT = "<script>alert(1)</script>"
HOSTILE = ["%00", "%ff%fe%fd", "9" * 40, "-1", "abc", "%3Cscript%3Ealert(1)%3C%2Fscript%3E", "x" * 3000,
           "1e309", "%E2%80%AE", "../../etc/passwd"]
PARAMS = ("q", "page", "before", "after", "unit", "category", "status", "code", "period", "lang", "next", "secret",
          "service_code", "service_request_id", "start_date", "end_date", "staff", "due", "channel", "action")
FIELDS = ("description", "unit", "staff", "category", "phone", "email", "full_name", "code", "secret", "score",
          "message", "reason", "body", "email", "password", "service_code", "lat", "long", "api_key", "token")


def _who(app, world_data):
    yield "anonymous", app.test_client()
    for role in ("admin", "monitor", "unit_head", "handler", "operator"):
        client = app.test_client()
        login(client, world_data["users"][role])
        yield role, client


@pytest.mark.parametrize("value", HOSTILE)
def test_no_route_breaks_on_hostile_query_values(app, world, value):
    rules = [r for r in app.url_map.iter_rules() if "GET" in r.methods and r.endpoint not in ("static",)]
    query = "&".join(f"{name}={value}" for name in PARAMS)
    for who, client in _who(app, world):
        for rule in rules:
            response = client.get(f"{_url(rule, world)}?{query}")
            assert response.status_code < 500, (who, rule.rule, value, response.status_code)
            assert SCRIPT.encode() not in response.get_data(), (who, rule.rule, "script echoed")


@pytest.mark.parametrize("value", ["\x00", "9" * 40, "-1", SCRIPT, "x" * 6000, "\udcff".encode("utf-8", "surrogatepass").decode("latin-1")])
def test_no_form_breaks_on_hostile_values(app, world, value):
    rules = [r for r in app.url_map.iter_rules() if "POST" in r.methods and r.endpoint != "auth.logout"]
    data = {name: value for name in FIELDS}
    for who, client in _who(app, world):
        for rule in rules:
            response = client.post(_url(rule, world), data=data)
            assert response.status_code < 500, (who, rule.rule, repr(value[:20]), response.status_code)
            assert SCRIPT.encode() not in response.get_data(), (who, rule.rule, "script echoed")
