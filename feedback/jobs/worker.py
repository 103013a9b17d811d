"""`flask worker`: an rq worker with its scheduler, the outbox relay and periodic jobs."""
import logging
import threading
import time

import click
from flask import current_app
from flask.cli import with_appcontext

from feedback.extensions import db

log = logging.getLogger(__name__)

# name -> (dotted function path, period in seconds). Features register theirs at start-up.
PERIODIC_JOBS = {}


def register_periodic(name, func_path, every_seconds):
    """Run `func_path()` every `every_seconds`, once across all workers."""
    PERIODIC_JOBS[name] = (func_path, every_seconds)


def run_due_periodic(connection, last_run):
    """Queue each periodic job whose period has passed; Redis SET NX keeps it to one worker."""
    from feedback.jobs import enqueue, jobs_inline, resolve

    now = time.monotonic()
    for name, (func_path, every) in PERIODIC_JOBS.items():
        if now - last_run.get(name, -every) < every:
            continue
        last_run[name] = now
        if jobs_inline():
            try:
                resolve(func_path)()
                db.session.commit()
            except Exception:
                db.session.rollback()
                log.exception("periodic job %s failed", name)
            continue
        if connection.set(f"feedback:periodic:{name}", "1", nx=True, ex=max(1, every - 1)):
            enqueue(func_path)
            db.session.commit()


def _relay_loop(app, stop, interval):
    from feedback.jobs import redis_connection, relay_pending

    last_run = {}
    while not stop.is_set():
        with app.app_context():
            try:
                relay_pending()
                run_due_periodic(redis_connection(), last_run)
            except Exception:
                log.exception("relay loop")
            finally:
                db.session.remove()
        stop.wait(interval)


def make_worker(app, queues, connection):
    """An rq SimpleWorker whose jobs run inside the Flask app context."""
    from rq import SimpleWorker

    class AppWorker(SimpleWorker):
        def perform_job(self, job, queue):
            with app.app_context():
                try:
                    return super().perform_job(job, queue)
                finally:
                    db.session.remove()

    return AppWorker(queues, connection=connection)


@click.command("worker")
@click.option("--queue", "queues", multiple=True, default=["default"], help="Queues to listen on.")
@click.option("--burst", is_flag=True, help="Stop when the queues are empty.")
@click.option("--relay-interval", default=1.0, help="Seconds between outbox relay passes.")
@with_appcontext
def worker_command(queues, burst, relay_interval):
    """Run an rq worker with its scheduler, the outbox relay and periodic jobs."""
    from feedback.jobs import redis_connection

    app = current_app._get_current_object()
    logging.basicConfig(level=logging.INFO)
    stop = threading.Event()
    connection = redis_connection()
    if connection is None:
        click.echo("No REDIS_URL: running jobs in-process (relay and periodic jobs only).")
        try:
            _relay_loop(app, stop, relay_interval)
        except KeyboardInterrupt:
            pass
        return
    relay = threading.Thread(target=_relay_loop, args=(app, stop, relay_interval), daemon=True)
    relay.start()
    try:
        make_worker(app, list(queues), connection).work(with_scheduler=True, burst=burst)
    finally:
        stop.set()
