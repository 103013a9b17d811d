"""Menu entries that feature packages register; only endpoints that exist are shown."""
from flask import current_app
from flask_login import current_user

_PUBLIC = []  # (order, endpoint, label)
_STAFF = []  # (order, endpoint, label, roles)


def register_public(endpoint, label, order=100):
    if all(e != endpoint for _, e, _l in _PUBLIC):
        _PUBLIC.append((order, endpoint, label))


def register_staff(endpoint, label, roles, order=100):
    if all(e != endpoint for _, e, _l, _r in _STAFF):
        _STAFF.append((order, endpoint, label, frozenset(roles)))


def public_nav_items():
    views = current_app.view_functions
    return [(e, label) for _, e, label in sorted(_PUBLIC, key=lambda x: x[0]) if e in views]


def staff_nav_items():
    if not current_user.is_authenticated:
        return []
    views = current_app.view_functions
    return [
        (e, label)
        for _, e, label, roles in sorted(_STAFF, key=lambda x: x[0])
        if e in views and current_user.role in roles
    ]


def init_app(app):
    app.jinja_env.globals.update(public_nav_items=public_nav_items, staff_nav_items=staff_nav_items)
