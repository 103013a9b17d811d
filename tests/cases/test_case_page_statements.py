"""The case page asks the database each thing once (issue 16: 25 statements a view, several repeated)."""
import collections

from feedback.extensions import db
from feedback.intake.services import create_case
from tests import factories
from tests.conftest import login
from tests.sql import recorded_sql


def _statements(client, path):
    with recorded_sql() as seen:
        response = client.get(path)
    assert response.status_code == 200, path
    return response, [(s.text, repr(s.parameters)) for s in seen]


def test_the_heads_case_page_sends_no_statement_twice_and_none_that_cannot_match(app, client):
    tree = factories.province_tree()
    head = factories.user("unit_head", tree["counter_a"], email="head@example.vn")
    factories.user("handler", tree["counter_a"], email="handler@example.vn")
    clerk = factories.staff(tree["counter_a"], "Lê Thị Hoa", counter_number="3")
    case = create_case(channel="web", description="Cán bộ quát mắng", target_unit=tree["counter_a"],
                       staff=clerk).complaint
    db.session.commit()
    login(client, head)
    response, statements = _statements(client, f"/cases/{case.tracking_code}")
    html = response.get_data(as_text=True)
    # The head's forms are there, the transfer list with the other units of the province among them.
    assert 'name="unit_id"' in html and "Xã Cam Lâm" in html and "Chuyển xử lý" in html
    repeated = [s for s, n in collections.Counter(statements).items() if n > 1]
    assert not repeated, repeated
    never_match = [s for s, _params in statements if "1 != 1" in s]
    assert not never_match, never_match
    # The province's units are read once for the transfer list, not walked up parent by parent.
    unit_by_id = [s for s, _params in statements if s.startswith("select units.") and "where units.id =" in s]
    assert len(unit_by_id) <= 1, unit_by_id
