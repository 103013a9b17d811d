"""Administrator-set monitoring values: satisfaction targets and the repeat-offender rule."""
from flask import current_app

from feedback.extensions import db
from feedback.models import Setting

# The province's targets (Khánh Hòa: 90% in 2025, 95% in 2030); other years set by the administrator.
DEFAULT_TARGETS = {2025: 90.0, 2030: 95.0}
DEFAULT_FLAG_THRESHOLD = 2
DEFAULT_FLAG_WINDOW_MONTHS = 12


def get_setting(key, default=None):
    row = db.session.get(Setting, key)
    return row.value if row is not None else default


def set_setting(key, value):
    row = db.session.get(Setting, key)
    if row is None:
        row = Setting(key=key, value=str(value))
        db.session.add(row)
    else:
        row.value = str(value)
    return row


def satisfaction_target(year):
    """The target (percent) for `year`: set by the administrator, else the nearest earlier default."""
    value = get_setting(f"satisfaction_target:{year}")
    if value is not None:
        return float(value)
    targets = dict(DEFAULT_TARGETS)
    targets.update(current_app.config.get("SATISFACTION_TARGETS", {}) or {})
    earlier = [y for y in targets if y <= year]
    if earlier:
        return float(targets[max(earlier)])
    return float(targets[min(targets)])


def flag_rule():
    """(threshold, window in months) of the repeat-offender rule."""
    threshold = int(get_setting("flag_threshold", DEFAULT_FLAG_THRESHOLD))
    window = int(get_setting("flag_window_months", DEFAULT_FLAG_WINDOW_MONTHS))
    return threshold, window
