"""`flask report --period P --format F --out FILE [--unit CODE]` (CONTRACT.md)."""
import click
from flask.cli import with_appcontext
from sqlalchemy import select

from feedback.extensions import db
from feedback.models import Unit


@click.command("report")
@click.option("--period", required=True, help="2026, 2026-Q3 or 2026-07")
@click.option("--format", "fmt", type=click.Choice(["xlsx", "pdf"]), required=True)
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, writable=True))
@click.option("--unit", "unit_code", default=None, help="Unit code: the report covers its subtree.")
@with_appcontext
def report_command(period, fmt, out, unit_code):
    """Write the periodic report of the feedback work as XLSX or PDF."""
    from feedback.monitoring.periods import parse_period
    from feedback.monitoring.reports import build_report
    from feedback.monitoring.rollups import refresh_rollups

    try:
        parsed = parse_period(period)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--period") from exc
    root = None
    if unit_code:
        root = db.session.scalar(select(Unit).where(Unit.code == unit_code))
        if root is None:
            raise click.BadParameter(f"không có đơn vị mã {unit_code}", param_hint="--unit")
    refresh_rollups()
    build_report(root, parsed, fmt, out)
    click.echo(f"{out}: {parsed.label}, {root.name if root else 'toàn tỉnh'}")
