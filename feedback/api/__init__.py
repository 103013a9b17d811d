"""Open311 GeoReport v2 under /open311/ (JSON and XML), with API keys for POST requests."""
import click
from flask import Blueprint
from flask.cli import AppGroup

bp = Blueprint("api", __name__, url_prefix="/open311")

open311_cli = AppGroup("open311", help="Open311 GeoReport v2 API.")


@open311_cli.command("create-key")
@click.argument("name")
def create_key_command(name):
    """Create an API key for NAME and print it (it is shown only once)."""
    from feedback import audit
    from feedback.api.services import create_key
    from feedback.extensions import db

    key, clear = create_key(name.strip()[:120])
    audit.record("open311.key_created", actor_label="cli", obj=key, name=key.name, prefix=key.prefix)
    db.session.commit()
    click.echo(clear)


def init_app(app):
    from feedback.api import routes
    from feedback.extensions import csrf

    # Clients post with an API key, not a browser session: the only view exempt from CSRF here.
    csrf.exempt(routes.post_request)
    app.register_blueprint(bp)
    app.cli.add_command(open311_cli)
