"""`flask worker`: an rq worker with its scheduler, the outbox relay and periodic jobs.

It is built to outlive its dependencies: when Redis goes away, rq's work loop ends
(it quits on any Redis error) and a fresh worker is started with back-off until Redis
answers; the relay thread keeps the outbox moving and is restarted if it ever dies;
a database outage only makes passes fail and retry. Periodic jobs are claimed in the
database, so they keep their rhythm whatever Redis does.
"""
import logging
import signal
import threading
import time
from datetime import timedelta

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import insert, update
from sqlalchemy.exc import IntegrityError

from feedback.extensions import db

log = logging.getLogger(__name__)

# name -> (dotted function path, period in seconds). Features register theirs at start-up.
PERIODIC_JOBS = {}
# Seconds between passes of the lost-job recovery, and the longest wait between retries of a dependency.
RECOVER_EVERY = 15
MAX_BACKOFF = 30
# rq's own housekeeping (abandoned jobs, a dead scheduler restarted) every this many seconds.
MAINTENANCE_INTERVAL = 60


def register_periodic(name, func_path, every_seconds):
    """Run `func_path()` every `every_seconds`, once across all workers."""
    PERIODIC_JOBS[name] = (func_path, every_seconds)


def _claim_period(name, every):
    """True for the one worker that may run `name` now (a conditional UPDATE, committed)."""
    from feedback.models import PeriodicRun, utcnow

    now = utcnow()
    claimed = db.session.execute(
        update(PeriodicRun).where(PeriodicRun.name == name, PeriodicRun.last_run_at <= now - timedelta(seconds=every))
        .values(last_run_at=now).execution_options(synchronize_session=False)
    ).rowcount
    if not claimed and db.session.get(PeriodicRun, name) is None:
        try:
            db.session.execute(insert(PeriodicRun).values(name=name, last_run_at=now))
            claimed = 1
        except IntegrityError:  # another worker created it at the same moment
            db.session.rollback()
            return False
    db.session.commit()
    return bool(claimed)


def run_due_periodic(last_try):
    """Queue each periodic job whose period has passed, once across all workers."""
    from feedback.jobs import enqueue

    now = time.monotonic()
    for name, (func_path, every) in PERIODIC_JOBS.items():
        if now - last_try.get(name, -every) < min(every, 60):
            continue
        last_try[name] = now
        if _claim_period(name, every):
            enqueue(func_path)
            db.session.commit()


def _relay_loop(app, stop, interval):
    """Relay the outbox, queue periodic jobs and recover lost ones until `stop`; never raises."""
    from feedback.jobs import recover_lost_jobs, relay_pending

    last_try, last_recovery, backoff = {}, 0.0, interval
    while not stop.is_set():
        with app.app_context():
            try:
                relay_pending()
                run_due_periodic(last_try)
                if time.monotonic() - last_recovery >= RECOVER_EVERY:
                    last_recovery = time.monotonic()
                    recover_lost_jobs()
                backoff = interval
            except Exception as exc:  # a dependency is down: try again, more slowly
                log.warning("relay pass failed (next in %.0f s): %r", backoff, exc)
                backoff = min(max(backoff * 2, 1.0), MAX_BACKOFF)
            finally:
                try:
                    db.session.remove()
                except Exception:
                    pass
        stop.wait(backoff)


def make_worker(app, queues, connection, stop=None):
    """An rq SimpleWorker whose jobs run inside the Flask app context; SIGTERM/SIGINT also set `stop`."""
    from rq import SimpleWorker

    class AppWorker(SimpleWorker):
        def perform_job(self, job, queue):
            with app.app_context():
                try:
                    return super().perform_job(job, queue)
                finally:
                    db.session.remove()

        def request_stop(self, signum, frame):
            # rq ends its loop on a signal; this tells the supervisor it was asked to, not a Redis failure.
            if stop is not None:
                stop.set()
            return super().request_stop(signum, frame)

    return AppWorker(queues, connection=connection, maintenance_interval=MAINTENANCE_INTERVAL)


def supervise(app, queues, burst, relay_interval, stop=None):
    """Keep an rq worker and the relay thread running until asked to stop."""
    from redis import Redis

    stop = stop or threading.Event()
    # The worker's own client: no read time-out, since rq blocks on BLPOP for minutes
    # (a shorter time-out ends rq's loop); a dead server is still seen at once (connection reset).
    connection = Redis.from_url(app.config["REDIS_URL"], socket_connect_timeout=2, socket_keepalive=True,
                                health_check_interval=30)

    def _stop(_signum, _frame):
        stop.set()

    def start_relay():
        thread = threading.Thread(target=_relay_loop, args=(app, stop, relay_interval), daemon=True, name="relay")
        thread.start()
        return thread

    relay = start_relay()
    backoff = 1.0
    try:
        while not stop.is_set():
            if not relay.is_alive():
                log.error("relay thread had stopped: started again")
                relay = start_relay()
            started = time.monotonic()
            try:
                connection.ping()
                worker = make_worker(app, list(queues), connection, stop)
                worker.work(with_scheduler=True, burst=burst)
                if burst or stop.is_set() or worker._stop_requested:
                    break
                log.warning("rq worker loop ended (Redis unreachable?): starting a new one")
            except Exception as exc:
                log.warning("rq worker cannot run now (next try in %.0f s): %r", backoff, exc)
            finally:
                # rq installs its own handlers while it works; between workers a signal stops us.
                if threading.current_thread() is threading.main_thread():
                    signal.signal(signal.SIGTERM, _stop)
                    signal.signal(signal.SIGINT, _stop)
            if time.monotonic() - started > 60:
                backoff = 1.0
            stop.wait(backoff)
            backoff = min(backoff * 2, MAX_BACKOFF)
    finally:
        stop.set()
        relay.join(timeout=10)


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
    if redis_connection() is None:
        click.echo("No REDIS_URL: running jobs in this process (relay, periodic jobs and recovery).")
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        try:
            _relay_loop(app, stop, relay_interval)
        except KeyboardInterrupt:
            pass
        return
    supervise(app, queues, burst, relay_interval, stop)
