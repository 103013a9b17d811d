"""roles_required and require_unit_access, the helpers every feature uses for scoping."""
import pytest
from flask import Blueprint
from werkzeug.exceptions import Forbidden

from feedback.auth.access import require_unit_access, roles_required, tree_order, units_in_scope
from feedback.extensions import db
from tests import factories
from tests.conftest import login


@pytest.fixture
def probe_client(make_app, app):
    """A second app with a probe route guarded by roles_required (the session app is already set up)."""
    probe_app = make_app()
    probe = Blueprint("probe", __name__)

    @probe.route("/probe")
    @roles_required("unit_head", "handler")
    def guarded():
        return "inside"

    probe_app.register_blueprint(probe)
    return probe_app.test_client()


def test_roles_required(app, probe_client):
    units = factories.province_tree()
    handler = factories.user("handler", units["a"])
    operator = factories.user("operator", units["a"])
    db.session.commit()
    response = probe_client.get("/probe")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
    login(probe_client, operator)
    assert probe_client.get("/probe").status_code == 403
    login(probe_client, handler)
    assert probe_client.get("/probe").get_data(as_text=True) == "inside"


def test_require_unit_access(app):
    units = factories.province_tree()
    user_a = factories.user("handler", units["a"])
    province_admin = factories.user("admin", None)
    db.session.commit()
    assert require_unit_access(units["counter_a"], user_a) is units["counter_a"]
    with pytest.raises(Forbidden):
        require_unit_access(units["b"], user_a)
    with pytest.raises(Forbidden):
        require_unit_access(units["province"], user_a)
    assert require_unit_access(units["b"], province_admin) is units["b"]


def test_units_in_scope_is_the_subtree_in_tree_order(app):
    units = factories.province_tree()
    user_a = factories.user("admin", units["a"])
    db.session.commit()
    assert [(u.code, d) for u, d in units_in_scope(user_a)] == [("XA-A", 0), ("XA-A-MC", 1)]
    everything = tree_order([units[k] for k in ("counter_a", "b", "a", "monitor", "province")])
    assert [(u.code, d) for u, d in everything] == [
        ("KH", 0), ("XA-A", 1), ("XA-A-MC", 2), ("KH-SNV", 1), ("XA-B", 1)]
