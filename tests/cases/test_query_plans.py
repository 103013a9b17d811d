"""No page people open all day reads a whole big table (issue 16): every statement the case page and the
unit's queue issue is EXPLAINed on PostgreSQL with sequential scans discouraged. A plan that still scans
`complaints`, `case_events`, `ratings` or `published_answers` (a Seq Scan, or an index walked end to end
with no condition and no LIMIT above it) means no index serves the query."""
import json

import pytest
from feedback.extensions import db
from feedback.intake.services import create_case
from tests import factories
from tests.conftest import login
from tests.sql import recorded_sql

BIG_TABLES = ("complaints", "case_events", "ratings", "published_answers")


def _statements(client, path):
    with recorded_sql() as seen:
        response = client.get(path)
    assert response.status_code == 200, path
    return [(s.sql, s.parameters) for s in seen if s.sql.lstrip().upper().startswith("SELECT")]


def _full_reads(node, limited=False):
    """Scans of a big table in a JSON plan that read all of it."""
    limited = limited or node.get("Node Type") == "Limit"
    found = []
    if node.get("Relation Name") in BIG_TABLES:
        kind = node["Node Type"]
        if kind == "Seq Scan" or (kind in ("Index Scan", "Index Only Scan") and "Index Cond" not in node
                                  and not limited):
            found.append(f"{kind} on {node['Relation Name']}")
    for child in node.get("Plans", []):
        found += _full_reads(child, limited)
    return found


def _scans(statements):
    found = []
    with db.engine.connect() as conn:
        conn.exec_driver_sql("SET enable_seqscan = off")
        for statement, parameters in statements:
            plan = conn.exec_driver_sql("EXPLAIN (FORMAT JSON) " + statement, parameters).scalar()
            plan = plan if isinstance(plan, list) else json.loads(plan)
            for problem in _full_reads(plan[0]["Plan"]):
                found.append(f"{problem}: {statement[:300]}")
    return found


@pytest.fixture
def populated(app, postgres):
    tree = factories.province_tree()
    head = factories.user("unit_head", tree["counter_a"], email="head@example.vn")
    clerk = factories.staff(tree["counter_a"], "Lê Thị Hoa", counter_number="3")
    category = factories.category("thai-do", name_vi="Thái độ")
    cases = [create_case(channel="web", description=f"Phản ánh số {i}", target_unit=tree["counter_a"],
                         staff=clerk if i % 2 else None, category=category).complaint for i in range(30)]
    db.session.commit()
    return {"head": head, "case": cases[5]}


def test_the_case_page_and_the_queue_read_through_indexes(client, populated):
    login(client, populated["head"])
    statements = _statements(client, f"/cases/{populated['case'].tracking_code}")
    statements += _statements(client, "/cases/")
    # A deep page of the queue (keyset cursor) and its status filter: index seeks, not a read up to the cursor.
    from feedback.cases.routes import _cursor

    statements += _statements(client, f"/cases/?after={_cursor(populated['case'])}")
    statements += _statements(client, f"/cases/?status=received&after={_cursor(populated['case'])}")
    assert statements
    assert not _scans(statements), "\n".join(_scans(statements))


def test_the_answers_board_and_the_dashboard_read_through_indexes(client, populated):
    from tests.publication.helpers import publish

    monitor = factories.user("monitor", db.session.get(type(populated["case"].unit), populated["case"].unit_id).parent
                             or populated["case"].unit, email="theodoi@example.vn")
    category = populated["case"].category
    for i in range(5):
        publish(populated["case"].unit, category, f"Công chức quát người dân lần {i}", "Đã nhắc nhở.")
    db.session.commit()
    from feedback.publication.index import ensure_search_index_once

    ensure_search_index_once()  # once per process (its backfill reads every answer on purpose), not per view
    statements = _statements(client, "/answers")
    statements += _statements(client, "/answers?q=quat+nguoi+dan")
    login(client, monitor)
    statements += _statements(client, "/monitoring/")
    assert not _scans(statements), "\n".join(_scans(statements))
