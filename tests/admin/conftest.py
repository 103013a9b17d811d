import pytest

from feedback.extensions import db
from tests import factories
from tests.conftest import login

# Admins always have a second factor (the admin area insists on it).
TOTP = {"totp_secret": "JBSWY3DPEHPK3PXP", "totp_enabled": True}


@pytest.fixture
def tree(app):
    units = factories.province_tree()
    db.session.commit()
    return units


@pytest.fixture
def province_admin(tree):
    user = factories.user("admin", None, email="admin@example.vn", full_name="Quản trị tỉnh", **TOTP)
    db.session.commit()
    return user


@pytest.fixture
def admin_a(tree):
    """An admin of commune A only."""
    user = factories.user("admin", tree["a"], email="admin.a@example.vn", full_name="Quản trị phường", **TOTP)
    db.session.commit()
    return user


@pytest.fixture
def as_province_admin(client, province_admin):
    login(client, province_admin)
    return client


@pytest.fixture
def as_admin_a(client, admin_a):
    login(client, admin_a)
    return client
