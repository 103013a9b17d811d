"""Demo data: `flask seed-demo` loads Khánh Hòa, `flask demo-logins` prints the accounts and kiosk URLs."""
import click
from flask import current_app
from flask.cli import with_appcontext


@click.command("seed-demo")
@click.option("--if-empty", is_flag=True, help="Do nothing when the database already holds any unit.")
@with_appcontext
def seed_demo_command(if_empty):
    """Load the Khánh Hòa demo data (idempotent: a second run creates nothing)."""
    from feedback.demo.seed import has_any_unit, seed_demo

    if if_empty and has_any_unit():
        click.echo("Cơ sở dữ liệu đã có dữ liệu: bỏ qua dữ liệu mẫu.")
        return
    created = seed_demo(echo=click.echo)
    if not created:
        click.echo("Dữ liệu mẫu đã có đủ: không tạo thêm gì.")
        return
    click.echo("Đã tạo dữ liệu mẫu: " + ", ".join(f"{what} {n}" for what, n in created.items()))


def kiosk_url(token):
    """The address that pairs a tablet with its kiosk, from the kiosk feature's routes."""
    base = current_app.config["PUBLIC_BASE_URL"]
    for rule in current_app.url_map.iter_rules():
        if rule.endpoint.startswith("kiosk.") and "token" in rule.arguments and "GET" in rule.methods:
            with current_app.test_request_context(base_url=base):
                from flask import url_for

                return url_for(rule.endpoint, token=token, _external=True)
    return f"{base}/kiosk/{token}"


@click.command("demo-logins")
@with_appcontext
def demo_logins_command():
    """Print the demo accounts (e-mail, role, unit, password) and the demo kiosks' addresses."""
    from sqlalchemy import select

    from feedback.demo import data
    from feedback.demo.seed import demo_kiosks, kiosk_token
    from feedback.extensions import db
    from feedback.models import Kiosk, User
    from feedback.models.org import ROLES

    users = db.session.scalars(
        select(User).where(User.email.like(f"%@{data.DEMO_EMAIL_DOMAIN}")).order_by(User.id)
    ).all()
    if not users:
        click.echo("Chưa có tài khoản mẫu: chạy `flask --app wsgi seed-demo` trước.")
        return
    click.echo(f"Tài khoản mẫu (mật khẩu chung: {data.DEMO_PASSWORD}):")
    width = max(len(u.email) for u in users)
    for user in users:
        unit = user.unit.name if user.unit else "Toàn tỉnh"
        note = " [cần đăng ký TOTP khi đăng nhập]" if user.needs_totp and not user.totp_enabled else ""
        click.echo(f"  {user.email:<{width}}  {user.role:<9}  {ROLES[user.role]} - {unit}{note}")
    kiosks = {k.token_hash: k for k in db.session.scalars(select(Kiosk))}
    lines = []
    for unit_code, counter in demo_kiosks():
        token = kiosk_token(unit_code, counter)
        kiosk = kiosks.get(Kiosk.hash_token(token))
        if kiosk is not None and kiosk.active:
            lines.append(f"  {kiosk.name}: {kiosk_url(token)}")
    if lines:
        click.echo("Máy đánh giá mẫu (mở địa chỉ trên máy tính bảng tại quầy):")
        for line in lines:
            click.echo(line)


def init_app(app):
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(demo_logins_command)
