"""`make soak`: a mixed load through gunicorn with faults injected, then a check that nothing was lost.

    python -m tests.faults.soak [--minutes 5] [--clients 16]

Starts its own PostgreSQL and Redis (private instances on free ports), the Twilio stand-in,
gunicorn -w 2 and one `flask worker`. Sixteen clients send portal submissions, kiosk ratings,
signed SMS, tracking look-ups, board searches and unit-queue views. At a third of the time
Redis is stopped for 20 s and comes back empty; at a half the worker is SIGKILLed and started
again; at two thirds PostgreSQL is restarted (fast). At the end it prints per-route throughput,
p50/p99 and errors, the worker's memory, and asserts from the database and the stand-in that
every case, rating and message exists exactly once.
"""
import argparse
import random
import re
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections import defaultdict

import requests

from tests.faults import harness
from tests.twilio_standin import TwilioStandIn

TEXTS = ["Cán bộ một cửa thái độ thiếu tôn trọng, nói trống không với người dân",
         "Yêu cầu nộp thêm giấy tờ không có trong thành phần hồ sơ theo quy định",
         "Hẹn trả kết quả nhiều lần nhưng không có phiếu xin lỗi và hẹn lại"]
PASSWORD = "soak horse battery staple"


def seed(database_url):
    """Schema by migration, then a small province, a kiosk and a handler with a password."""
    from config import normalise_database_url
    from feedback import create_app
    from feedback.extensions import db
    from tests import factories

    env = harness.app_environment(database_url, "", "http://127.0.0.1")
    subprocess.run([harness.executable("flask"), "--app", "wsgi", "db", "upgrade"], cwd=harness.ROOT, env=env,
                   check=True, capture_output=True)
    app = create_app("test", SQLALCHEMY_DATABASE_URI=normalise_database_url(database_url))
    with app.app_context():
        tree = factories.province_tree()
        _kiosk, token = factories.kiosk(tree["counter_a"], name="Quầy 3", counter_number="3")
        handler = factories.user("handler", tree["a"], email="soak@example.vn", password=PASSWORD)
        db.session.commit()
        seeded = {"unit_code": tree["a"].code, "kiosk_token": token, "email": handler.email}
        db.session.remove()
        db.engine.dispose()
    return seeded


class Recorder:
    def __init__(self):
        self.lock = threading.Lock()
        self.times = defaultdict(list)
        self.errors = defaultdict(list)
        self.accepted = defaultdict(list)

    def add(self, route, seconds, ok, detail=None, accepted=None):
        with self.lock:
            self.times[route].append(seconds)
            if not ok:
                self.errors[route].append((time.strftime("%H:%M:%S"), detail))
            if accepted:
                self.accepted[route].append(accepted)


def client_loop(base, seeded, stop, rec):
    citizen = harness.Citizen(base)
    staff = requests.Session()
    page = staff.get(base + "/auth/login", timeout=30)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.text)
    staff.post(base + "/auth/login", data={"email": seeded["email"], "password": PASSWORD,
                                           "csrf_token": token.group(1) if token else ""}, timeout=30)
    codes = []
    while not stop.is_set():
        route = random.choices(["portal", "kiosk", "sms", "track", "board", "queue"], [2, 3, 3, 2, 3, 1])[0]
        phone = f"+8490{random.randrange(10**7):07d}"
        started = time.monotonic()
        try:
            if route == "portal":
                status, code = citizen.portal(random.choice(TEXTS), seeded["unit_code"], phone)
                ok, accepted = status == 200 and code, code
            elif route == "kiosk":
                key = str(uuid.uuid4())
                status = citizen.kiosk(seeded["kiosk_token"], random.randint(1, 5), key)
                ok, accepted = status == 200, key if status == 200 else None
            elif route == "sms":
                status, reply, _sid = citizen.sms(random.choice(TEXTS) + f" ({uuid.uuid4().hex[:6]})", phone)
                found = harness.CODE.search(reply) if "Đã nhận phản ánh" in reply else None
                ok, accepted = status == 200 and found, found.group(0) if found else None
            elif route == "track":
                code = random.choice(codes) if codes else "PA00000000"
                status = requests.get(f"{base}/track", params={"code": code}, timeout=30).status_code
                ok, accepted = status == 200, None
            elif route == "board":
                status = requests.get(f"{base}/answers", params={"q": random.choice(["thai do", "giấy tờ", "hẹn"])},
                                      timeout=30).status_code
                ok, accepted = status == 200, None
            else:
                status = staff.get(f"{base}/cases/", timeout=30).status_code
                ok, accepted = status == 200, None
            if accepted and route in ("portal", "sms"):
                codes.append(accepted)
            rec.add(route, time.monotonic() - started, bool(ok), status, accepted)
        except requests.RequestException as exc:
            rec.add(route, time.monotonic() - started, False, repr(exc)[:120])


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * p))] if values else 0


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=5)
    parser.add_argument("--clients", type=int, default=16)
    args = parser.parse_args(argv)
    duration = args.minutes * 60

    pg, redis, standin = harness.PrivatePostgres().start(), harness.PrivateRedis().start(), None
    web = worker = None
    try:
        seeded = seed(pg.url)
        standin = TwilioStandIn(harness.TWILIO_SID, harness.TWILIO_TOKEN).start()
        standin.latency = 0.02
        port = harness.free_port()
        base = f"http://127.0.0.1:{port}"
        env = harness.app_environment(pg.url, redis.url, base, standin.url, JOBS_RETRY_INTERVALS="1,2,5,10,30",
                                      JOB_STALE_SECONDS=20, SMS_SENDING_STALE_SECONDS=20, SMS_REQUEUE_SECONDS=10)
        web = harness.web(env, port)
        worker = harness.worker(env)
        rec, stop = Recorder(), threading.Event()
        clients = [threading.Thread(target=client_loop, args=(base, seeded, stop, rec), daemon=True)
                   for _ in range(args.clients)]
        began = time.monotonic()
        for client in clients:
            client.start()
        memory = []
        events = [(duration / 3, "redis"), (duration / 2, "worker"), (2 * duration / 3, "postgres")]
        log = []
        while time.monotonic() - began < duration:
            elapsed = time.monotonic() - began
            if events and elapsed >= events[0][0]:
                _at, what = events.pop(0)
                if what == "redis":
                    redis.stop(keep_data=False)
                    log.append(f"{elapsed:5.0f} s  Redis stopped (its data lost)")
                    time.sleep(20)
                    redis.start()
                    log.append(f"{time.monotonic() - began:5.0f} s  Redis started again, empty")
                elif what == "worker":
                    worker.kill(signal.SIGKILL)
                    worker = harness.worker(env)
                    log.append(f"{elapsed:5.0f} s  worker SIGKILLed and started again")
                else:
                    pg.restart("fast")
                    log.append(f"{elapsed:5.0f} s  PostgreSQL restarted (fast)")
            if worker.alive() and time.monotonic() - began > 5:  # once the app is loaded
                memory.append(worker.rss_kib())
            time.sleep(1)
        stop.set()
        for client in clients:
            client.join(timeout=60)
        wall = time.monotonic() - began
        drained = wait_until_sent(pg.url)

        print(f"\nSoak: {args.clients} clients, {wall:.0f} s, gunicorn -w 2 + one flask worker, private PostgreSQL"
              " and Redis")
        print("\n".join("  " + line for line in log))
        print(f"\n{'route':8} {'requests':>9} {'req/s':>7} {'p50 ms':>7} {'p99 ms':>7} {'errors':>7}")
        for route in sorted(rec.times):
            times = rec.times[route]
            print(f"{route:8} {len(times):9d} {len(times) / wall:7.1f} {percentile(times, .5) * 1000:7.0f}"
                  f" {percentile(times, .99) * 1000:7.0f} {len(rec.errors[route]):7d}")
        for route, errors in sorted(rec.errors.items()):
            if errors:
                print(f"  {route} errors, first ones: {errors[:3]}")
        print(f"all queued SMS sent {drained:.0f} s after the load stopped" if drained is not None
              else "NOT all queued SMS were sent within 120 s of the load stopping")
        if memory:
            print(f"worker memory (resident): {memory[0] // 1024} MiB after start-up, {max(memory) // 1024} MiB at"
                  f" most, {memory[-1] // 1024} MiB at the end")
        return verify(pg.url, rec, standin)
    finally:
        for process in (worker, web):
            if process is not None:
                process.stop()
        if standin is not None:
            standin.stop()
        redis.close()
        pg.close()


def wait_until_sent(database_url, timeout=120):
    """Seconds until no SMS waits to be sent, or None after `timeout`."""
    from sqlalchemy import create_engine, text

    from config import normalise_database_url

    engine = create_engine(normalise_database_url(database_url), pool_pre_ping=True)
    started = time.monotonic()
    try:
        while time.monotonic() - started < timeout:
            with engine.connect() as connection:
                waiting = connection.execute(text(
                    "SELECT count(*) FROM outbound_messages WHERE status IN ('queued', 'sending', 'held')")).scalar()
            if not waiting:
                return time.monotonic() - started
            time.sleep(1)
        return None
    finally:
        engine.dispose()


def verify(database_url, rec, standin):
    """Every accepted case and rating exists once; every message is sent once (waiting up to 2 minutes)."""
    from sqlalchemy import create_engine, text

    from config import normalise_database_url

    engine = create_engine(normalise_database_url(database_url))
    codes = rec.accepted["portal"] + rec.accepted["sms"]
    with engine.connect() as connection:
        cases = connection.execute(text("SELECT count(*), count(DISTINCT tracking_code) FROM complaints "
                                        "WHERE tracking_code = ANY(:codes)"), {"codes": codes}).one()
        ratings = connection.execute(text("SELECT count(*) FROM ratings WHERE client_uuid = ANY(:keys)"),
                                     {"keys": rec.accepted["kiosk"]}).scalar()
        messages = connection.execute(text("SELECT count(*) FROM outbound_messages")).scalar()
    sent_once = len({m["body"] for m in standin.created}) == len(standin.created)
    problems = []
    if cases != (len(codes), len(codes)):
        problems.append(f"cases: {cases} for {len(codes)} tracking codes given")
    if ratings != len(rec.accepted["kiosk"]):
        problems.append(f"ratings: {ratings} stored of {len(rec.accepted['kiosk'])} accepted")
    if not sent_once:
        problems.append("an SMS was sent twice")
    print(f"accepted: {len(codes)} cases (all stored once: {cases[0] == len(codes)}), {ratings} ratings;"
          f" {messages} messages queued, {len(standin.created)} sent, none twice: {sent_once}")
    engine.dispose()
    if problems:
        print("LOST OR DUPLICATED:", "; ".join(problems))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
