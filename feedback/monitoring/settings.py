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
    """The target (percent) for `year`.

    A value the administrator set for that year wins; otherwise the configured
    milestones (SATISFACTION_TARGETS, default 90% in 2025 and 95% in 2030) give it:
    on a straight line between two milestones, the nearest one before the first or
    after the last.
    """
    value = get_setting(f"satisfaction_target:{year}")
    if value is not None:
        return float(value)
    targets = {int(y): float(v) for y, v in (current_app.config.get("SATISFACTION_TARGETS") or DEFAULT_TARGETS).items()}
    years = sorted(targets)
    if year <= years[0]:
        return targets[years[0]]
    if year >= years[-1]:
        return targets[years[-1]]
    low = max(y for y in years if y <= year)
    high = min(y for y in years if y >= year)
    if low == high:
        return targets[low]
    return round(targets[low] + (targets[high] - targets[low]) * (year - low) / (high - low), 2)


def flag_rule():
    """(threshold, window in months) of the repeat-offender rule."""
    threshold = int(get_setting("flag_threshold", DEFAULT_FLAG_THRESHOLD))
    window = int(get_setting("flag_window_months", DEFAULT_FLAG_WINDOW_MONTHS))
    return threshold, window
