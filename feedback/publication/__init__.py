"""The public face: published answers (board, search, feeds), notice-board PDFs and posters,
the hotline directory and public statistics."""
import click
from flask import Blueprint
from flask.cli import AppGroup
from flask_babel import lazy_gettext as _l

bp = Blueprint("publication", __name__)

publication_cli = AppGroup("publication", help="Công khai: chỉ mục tìm kiếm câu trả lời.")


@publication_cli.command("reindex")
def reindex_command():
    """Create the full-text structures if missing and rebuild the index of published answers."""
    from feedback.publication.index import reindex

    count = reindex()
    click.echo(f"{count} published answers indexed")


def init_app(app):
    from feedback import navigation
    from feedback.publication import index, routes  # noqa: F401

    app.config.setdefault("PUBLICATION_SEARCH_TIMEOUT_MS", 3000)
    # Seconds the board's unit and category lists are cached per process (0: no cache).
    app.config.setdefault("PUBLICATION_CHOICES_TTL", 0 if app.testing else 60)
    index.install_hook()
    app.register_blueprint(bp)
    app.cli.add_command(publication_cli)
    navigation.register_public("publication.answers", _l("Câu trả lời đã công khai"), order=30)
    navigation.register_public("publication.hotlines", _l("Đường dây nóng"), order=40)
    navigation.register_public("publication.statistics", _l("Thống kê"), order=50)
    navigation.register_public("publication.rankings", _l("Xếp hạng đơn vị"), order=55)
