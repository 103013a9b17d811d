"""Every path a citizen or an official waits on, through gunicorn and wrk, beside two references.

    python -m bench user_paths [--cases=20000] [--ratings=N] [--seconds=3] [--rounds=3]
                               [--connections=2,16] [--only=name,...] [--reuse [--settle]] [--fill-only]

The size `make bench` runs is the default (20,000 cases, ten ratings a case, a few minutes);
the province size is `--cases=1000000` (ten million ratings; filling takes about fifteen
minutes on two cores, and `--fill-only` then `--reuse` keeps it for later runs; `--settle` before a
reused run marks the jobs earlier runs queued as done).

What it builds (INSERT ... SELECT generate_series, not the ORM): the monitoring benchmark's
province (65 communes' one-stop centres, 650 staff, 10 categories), cases with three timeline
lines each, a fifth of them in one centre (its head's queue is the heavy one), answers
published for a tenth of them, a term ("Hòn Chồng") found only in the oldest published
answers and one ("thái độ") spread over all of them, kiosk ratings, the monitoring rollups.

How it measures: the app under gunicorn (-w 2 -k sync) on PostgreSQL and Redis, the rate
limiter in the path (its limits raised by their settings), `flask worker` running beside it;
wrk at 2 and at 16 connections for `--seconds` per run, every path and the two references
(`hello`, a bare Flask endpoint, and `insert`, one that inserts one row and commits) taken in
turn, in `--rounds` interleaved rounds so that whatever else the machine does falls on all of
them alike. Each intake request is new (its own MessageSid, client_uuid, submission key), so
none is answered as a duplicate. Reported per path and connection count: req/s (min, median,
max of the rounds), the median ratio to `insert` of the same round, p50 and p99 (medians of
the rounds; the worst p99 too), and the responses that were not 2xx/3xx.

Environment: BENCH_DATABASE_URL (default postgresql://postgres@127.0.0.1/feedback_bench_paths;
its tables are dropped and re-created: never point it at real data), BENCH_REDIS_URL (default
redis://127.0.0.1:6379/6; flushed).
"""
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import urlencode

from bench import _http
from bench._common import ensure_database, int_arg

DEFAULT_DB = "postgresql://postgres@127.0.0.1/feedback_bench_paths"
DEFAULT_REDIS = "redis://127.0.0.1:6379/6"
PUBLIC = "https://phananh.bench.example"
TWILIO_TOKEN = "bench-auth-token"
SECRET_KEY = "bench-" + "k" * 40
KIOSK_TOKEN = "bench-kiosk-token-0123456789abcdef"
OPEN311_KEY = "o311_bench_key_0123456789abcdefghijklmnop"
OLD_TERM = "Khu vực Hòn Chồng"
TEXT = ("Cán bộ tiếp nhận hồ sơ tại Bộ phận Một cửa yêu cầu nộp thêm giấy tờ không có trong thành phần hồ sơ "
        "theo quy định, đề nghị kiểm tra và chấn chỉnh. Lần {n}.")
LIMIT = "100000 per minute"

# What the issue asks of each path at 16 connections: (p99 ms at most, req/s as a share of insert at least).
AIMS = {
    "portal POST": (150, 0.25), "Open311 POST": (150, 0.25), "kiosk rating -> case": (150, 0.25),
    "SMS webhook -> case": (150, 0.25), "track look-up": (50, None),
    "queue": (150, None), "queue status filter": (150, None), "queue deep page": (150, None),
    "case page": (150, None), "board": (50, None), "board ?q=thai do": (50, None),
    "board ?q=hon chong (old)": (50, None), "dashboard": (300, None), "register": (500, None),
    "satisfaction": (500, None),
}


def _environment(database_url, redis_url):
    env = dict(os.environ)
    env.update({
        "DATABASE_URL": database_url, "REDIS_URL": redis_url, "FLASK_CONFIG": "development",
        "SECRET_KEY": SECRET_KEY, "PUBLIC_BASE_URL": PUBLIC, "TWILIO_AUTH_TOKEN": TWILIO_TOKEN,
        "TWILIO_ACCOUNT_SID": "", "TWILIO_PHONE_NUMBER": "", "PYTHONPATH": str(_http.ROOT),
        "TRIAGE_ENABLED": "0",
    })
    for name in ("PORTAL_SUBMIT_LIMIT", "PORTAL_TRACK_LIMIT", "TRACK_CASE_LIMIT", "OPEN311_POST_LIMIT",
                 "KIOSK_RATING_LIMIT", "PORTAL_SUGGEST_LIMIT"):
        env[name] = LIMIT
    return env


# --- the data -----------------------------------------------------------------------------------

def fill(db, cases, ratings):
    """A province with `cases` cases and `ratings` ratings; returns seconds taken."""
    from sqlalchemy import text

    from bench.monitoring_scale import _build_world, fill_ratings
    from bench.publication_board import _texts
    from feedback.models import ApiKey, Kiosk, User
    from feedback.monitoring.rollups import refresh_rollups
    from feedback.publication.index import ensure_search_index
    from feedback.text import fold

    started = time.perf_counter()
    db.drop_all()
    db.create_all()
    with db.engine.begin() as connection:
        connection.execute(text("CREATE EXTENSION IF NOT EXISTS unaccent"))
        _http.create_reference_table(connection)
    _monitor, unit_ids, staff_ids, category_ids = _build_world(db)
    head = User(email="head@bench.vn", full_name="Thủ trưởng", role="unit_head", unit_id=unit_ids[0])
    head.set_password("bench")
    kiosk = Kiosk(name="Ki-ốt quầy 1", unit_id=unit_ids[0], counter_number="1",
                  token_hash=Kiosk.hash_token(KIOSK_TOKEN), token_hint=KIOSK_TOKEN[:6])
    key = ApiKey(name="bench", prefix=OPEN311_KEY[:9], key_hash=ApiKey.hash_key(OPEN311_KEY))
    db.session.add_all([head, kiosk, key])
    db.session.commit()

    units = "(ARRAY[" + ",".join(map(str, unit_ids)) + "])"
    staff = "(ARRAY[" + ",".join(map(str, staff_ids)) + "])"
    complaint_kinds = category_ids[:8]  # the last two are compliments
    cats = "(ARRAY[" + ",".join(map(str, complaint_kinds)) + "])"
    span = 730 * 86400
    raw = db.session.connection().connection.driver_connection
    with raw.cursor() as cur:
        cur.execute("SET synchronous_commit = off")
        cur.execute("SET maintenance_work_mem = '256MB'")
        cur.execute(f"""
            INSERT INTO complaints (tracking_code, keypad_code, channel, category_id, unit_id, target_unit_id,
                staff_id, description, status, language, consent_publish, extended, escalated, submitted_at,
                accept_due_at, answer_due_at, answered_at, published_at, updated_at, kind, urgency)
            SELECT 'B' || g, '7' || g, (ARRAY['web','kiosk','sms','voice','operator','counter','api'])[1 + g % 7],
                   {cats}[1 + g % {len(complaint_kinds)}],
                   CASE WHEN g % 5 = 0 THEN {unit_ids[0]} ELSE {units}[1 + g % {len(unit_ids)}] END,
                   CASE WHEN g % 5 = 0 THEN {unit_ids[0]} ELSE {units}[1 + g % {len(unit_ids)}] END,
                   CASE WHEN g % 3 = 0 THEN {staff}[1 + g % {len(staff_ids)}] END,
                   'Phản ánh số ' || g, s.status, 'vi', s.status = 'published', false, g % 97 = 0, t,
                   t + interval '1 day', t + interval '10 days',
                   CASE WHEN s.status IN ('closed', 'published') THEN t + (g % 9) * interval '1 day' END,
                   CASE WHEN s.status = 'published' THEN t + interval '12 days' END, t, 'phan_anh', 'normal'
            FROM (SELECT g, t, CASE WHEN g % 10 = 3 AND t < now() AT TIME ZONE 'UTC' - interval '15 days'
                                         THEN 'published'
                                    -- open cases are the last six weeks' (older ones were answered long ago)
                                    WHEN t < now() AT TIME ZONE 'UTC' - interval '42 days' THEN 'closed'
                                    WHEN g % 10 = 0 THEN 'verifying' WHEN g % 10 = 1 THEN 'accepted'
                                    WHEN g % 10 = 2 THEN 'received'
                                    ELSE 'closed' END AS status
                  FROM (SELECT g, now() AT TIME ZONE 'UTC' - ((g::bigint * 2654435761) % {span}) * interval '1 second' AS t
                        FROM generate_series(1, {cases}) g) a) s""")
        cur.execute("""
            INSERT INTO case_events (complaint_id, kind, to_status, actor_label, body, is_public, created_at)
            SELECT c.id, k.kind, CASE WHEN k.kind = 'created' THEN 'received' END, 'system', NULL, k.kind = 'created',
                   c.submitted_at + k.n * interval '1 hour'
            FROM complaints c CROSS JOIN (VALUES ('created', 0), ('routing', 0), ('note', 2)) AS k(kind, n)""")
        cur.execute("CREATE TEMP TABLE bench_texts (k int PRIMARY KEY, summary text, body text, folded text)")
        texts = _texts()
        with cur.copy("COPY bench_texts (k, summary, body, folded) FROM STDIN") as copy:
            for row in texts:
                copy.write_row(row)
        old_prefix, old_folded = OLD_TERM + ": ", fold(OLD_TERM) + " "
        cur.execute(f"""
            INSERT INTO answers (complaint_id, body, public_summary, public_body, public_ref, status, published_at,
                                 created_at, sent_at)
            SELECT c.id, t.body, t.summary, t.body, 'R' || lpad(to_hex(c.id), 9, '0'), 'sent', c.published_at,
                   c.answered_at, c.answered_at
            FROM complaints c JOIN bench_texts t ON t.k = c.id % {len(texts)} WHERE c.status = 'published'""")
        # The old term: only in answers to cases more than 700 days old (the oldest few per cent).
        cur.execute("""
            INSERT INTO published_answers (answer_id, public_ref, unit_id, category_id, conclusion, submitted_at,
                answered_at, published_at, summary, body, search_text)
            SELECT a.id, a.public_ref, c.unit_id, c.category_id,
                   (ARRAY['substantiated', 'partly', 'unsubstantiated', 'unverifiable'])[1 + c.id %% 4],
                   c.submitted_at, c.answered_at, c.published_at,
                   CASE WHEN old THEN %s ELSE '' END || t.summary, t.body,
                   CASE WHEN old THEN %s ELSE '' END || t.folded
            FROM answers a JOIN complaints c ON c.id = a.complaint_id JOIN bench_texts t ON t.k = c.id %% %s,
                 LATERAL (SELECT c.submitted_at < now() AT TIME ZONE 'UTC' - interval '700 days' AS old) o""",
                    (old_prefix, old_folded, len(texts)))
    db.session.commit()
    fill_ratings(db, 1, ratings, unit_ids, staff_ids)
    ensure_search_index(backfill=False)
    _set_secrets(db)
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM ANALYZE"))
    refresh_rollups()
    db.session.commit()
    settle(db)
    return time.perf_counter() - started


def settle(db):
    """The steady state of a running system: the deadline sweep has seen the overdue cases, what it queued has
    run, and no periodic job is due as the measuring starts (each still runs at its interval)."""
    from sqlalchemy import text

    from feedback.cases.jobs import check_deadlines
    from feedback.jobs.worker import PERIODIC_JOBS
    from feedback.models import PeriodicRun, utcnow

    check_deadlines()
    db.session.execute(text("UPDATE job_outbox SET enqueued_at = coalesce(enqueued_at, now()), started_at = "
                            "coalesce(started_at, now()), finished_at = now() WHERE finished_at IS NULL"))
    db.session.execute(text("DELETE FROM periodic_runs"))
    db.session.add_all(PeriodicRun(name=name, last_run_at=utcnow()) for name in PERIODIC_JOBS)
    db.session.commit()
    # What autovacuum does within a minute of the sweep on a migrated database (complaints vacuums after 1%
    # of its rows change): the sweep's updates had cleared the visibility map on most pages, and the
    # index-only scans of the register and the counts read the table again.
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM ANALYZE complaints"))


def _secret(complaint_id):
    return f"S{complaint_id:011d}"


def _set_secrets(db):
    """A secret for every 97th case, so /track has cases to open (the keyed hash the app stores)."""
    from sqlalchemy import text

    digest = "'hmac$' || encode(hmac('S' || lpad(id::text, 11, '0'), :key, 'sha256'), 'hex')"
    db.session.execute(text("CREATE EXTENSION IF NOT EXISTS pgcrypto"))
    db.session.execute(text(f"UPDATE complaints SET secret_hash = {digest} WHERE id % 97 = 5 AND tracking_code LIKE 'B%'"),
                       {"key": SECRET_KEY})
    db.session.commit()


# --- the requests ---------------------------------------------------------------------------------

class Requests:
    """Builds each path's requests: signed-in cookies, CSRF tokens, Twilio signatures, new intake every time."""

    def __init__(self, app, db):
        from sqlalchemy import select, text

        from feedback.models import Complaint, User

        self.app, self.db = app, db
        with app.app_context():
            self.head = db.session.scalar(select(User).where(User.email == "head@bench.vn"))
            self.monitor = db.session.scalar(select(User).where(User.role == "monitor"))
            unit_id = self.head.unit_id
            self.unit_code = db.session.scalar(text("SELECT code FROM units WHERE id = :u"), {"u": unit_id})
            self.case_codes = db.session.scalars(
                select(Complaint.tracking_code).where(Complaint.unit_id == unit_id)
                .order_by(Complaint.id.desc()).limit(3000)).all()
            self.tracked = db.session.execute(
                text("SELECT id, tracking_code FROM complaints WHERE secret_hash LIKE 'hmac$%' AND tracking_code LIKE 'B%' "
                     "ORDER BY id DESC LIMIT 3000")).all()
            self.category = db.session.scalar(text("SELECT code FROM categories ORDER BY id LIMIT 1"))
            self.in_unit = db.session.scalar(text("SELECT count(*) FROM complaints WHERE unit_id = :u"), {"u": unit_id})
            self.year = time.gmtime().tm_year
        self.base = int(time.time()) * 10**10

    def _signed_in(self, user):
        """A test client holding `user`'s session (as the login would leave it)."""
        client = self.app.test_client()
        with client.session_transaction() as session:
            session["_user_id"] = user.get_id()
            session["_fresh"] = True
            session["signed_in_at"] = session["seen_at"] = time.time()
        return client

    def _cookie_for(self, user):
        client = self._signed_in(user)
        client.get("/healthz")
        name = self.app.config["SESSION_COOKIE_NAME"]
        return f"{name}={client.get_cookie(name).value}"

    def _portal_form(self):
        with self.app.app_context():
            client = self.app.test_client()
            html = client.get("/gui-phan-anh").get_data(as_text=True)
            token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
            name = self.app.config["SESSION_COOKIE_NAME"]
            return token, f"{name}={client.get_cookie(name).value}"

    def build(self, name, offset, count):
        """The requests of path `name`: (method, path, headers, body) tuples.

        Numbers start from this run's own base (the clock), so no MessageSid or client_uuid of an earlier
        run on a reused database comes back as a (much cheaper) duplicate.
        """
        with self.app.app_context():
            return getattr(self, "_" + re.sub(r"\W+", "_", name).strip("_").lower())(self.base + offset, count)

    # references
    def _hello(self, offset, count):
        return [("GET", "/bench/hello", {}, "")]

    def _insert(self, offset, count):
        form = {"Content-Type": "application/x-www-form-urlencoded"}
        return [("POST", "/bench/insert", form, urlencode({"Body": TEXT.format(n=n)}))
                for n in range(offset, offset + count)]

    # intake
    def _portal_post(self, offset, count):
        token, cookie = self._portal_form()
        headers = {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie}
        return [("POST", "/gui-phan-anh", headers, urlencode({
            "csrf_token": token, "submission_key": uuid.uuid4().hex, "description": TEXT.format(n=n),
            "unit": self.unit_code, "category": self.category, "contact_mode": "anonymous", "submit": "Gửi phản ánh",
        })) for n in range(offset, offset + count)]

    def _open311_post(self, offset, count):
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        return [("POST", "/open311/v2/requests.json", headers, urlencode({
            "api_key": OPEN311_KEY, "service_code": self.category, "description": TEXT.format(n=n),
            "attribute[unit]": self.unit_code,
        })) for n in range(offset, offset + count)]

    def _kiosk(self, offset, count, low):
        headers = {"Content-Type": "application/json", "X-Kiosk-Token": KIOSK_TOKEN}
        rows = []
        for n in range(offset, offset + count):
            data = {"client_uuid": str(uuid.UUID(int=n + 1)), "score": 1 if low else 5}
            if low:
                data.update(reasons=["attitude"], comment=f"Cán bộ quầy 1 nói trống không, lần {n}.")
            rows.append(("POST", "/kiosk/api/ratings", headers, _http.dumps(data)))
        return rows

    def _kiosk_rating(self, offset, count):
        return self._kiosk(offset, count, low=False)

    def _kiosk_rating_case(self, offset, count):
        return self._kiosk(offset + 10**8, count, low=True)

    def _sms_webhook_case(self, offset, count):
        from twilio.request_validator import RequestValidator

        validator = RequestValidator(TWILIO_TOKEN)
        rows = []
        for n in range(offset, offset + count):
            params = {"MessageSid": f"SMbench{n:026d}", "AccountSid": "AC" + "b" * 32,
                      "From": f"+8490{n % 10**7:07d}", "To": "+18005550100", "Body": TEXT.format(n=n), "NumMedia": "0"}
            signature = validator.compute_signature(PUBLIC + "/hotline/sms", params)
            rows.append(("POST", "/hotline/sms", {"Content-Type": "application/x-www-form-urlencoded",
                                                  "X-Twilio-Signature": signature}, urlencode(params)))
        return rows

    def _track_look_up(self, offset, count):
        return [("GET", "/track?" + urlencode({"code": code, "secret": _secret(case_id)}), {}, "")
                for case_id, code in self.tracked]

    # the unit's work
    def _as_head(self, paths):
        cookie = self._cookie_for(self.head)
        return [("GET", path, {"Cookie": cookie}, "") for path in paths]

    def _queue(self, offset, count):
        return self._as_head(["/cases/"])

    def _queue_status_filter(self, offset, count):
        return self._as_head(["/cases/?status=verifying"])

    def _queue_deep_page(self, offset, count):
        if not hasattr(self, "deep_page"):
            self.deep_page = self._walk_queue()
        return self._as_head([self.deep_page])

    def _walk_queue(self):
        """The queue's page about a third of the way down (at most 400 pages), reached by its own 'next' links."""
        client = self._signed_in(self.head)
        target = "/cases/"
        pages = max(1, self.in_unit // 50 // 3)
        for _ in range(min(pages, 400)):
            html = client.get(target).get_data(as_text=True)
            match = re.search(r'href="([^"]+)" rel="next"', html)
            if not match:
                break
            from html import unescape

            target = unescape(match.group(1))
        assert "after=" in target, "the queue has no next page to walk to"
        return target

    def _case_page(self, offset, count):
        return self._as_head([f"/cases/{code}" for code in self.case_codes])

    # the public board
    def _board(self, offset, count):
        return [("GET", "/answers", {}, "")]

    def _board_q_thai_do(self, offset, count):
        return [("GET", "/answers?q=thai+do", {}, "")]

    def _board_q_hon_chong_old(self, offset, count):
        return [("GET", "/answers?q=hon+chong", {}, "")]

    # monitoring
    def _as_monitor(self, path):
        return [("GET", path, {"Cookie": self._cookie_for(self.monitor)}, "")]

    def _dashboard(self, offset, count):
        return self._as_monitor(f"/monitoring/?period={self.year}")

    def _register(self, offset, count):
        return self._as_monitor("/monitoring/staff")

    def _satisfaction(self, offset, count):
        return self._as_monitor(f"/monitoring/satisfaction?period={self.year}")


PATHS = ["portal POST", "Open311 POST", "kiosk rating", "kiosk rating -> case", "SMS webhook -> case",
         "track look-up", "queue", "queue status filter", "queue deep page", "case page", "board",
         "board ?q=thai do", "board ?q=hon chong (old)", "dashboard", "register", "satisfaction"]
REFERENCES = ["hello", "insert"]
# What a user gets when the path works (wrk only tells 2xx/3xx from the rest, so each path is checked first:
# a page answered with a redirect to the login would otherwise be timed as a success).
EXPECTED = {"portal POST": 302, "Open311 POST": 201, "track look-up": 302}


# --- running ----------------------------------------------------------------------------------------

def _check_paths(port, requests, names):
    """Every path answers as a user would see it (2xx/3xx) through gunicorn before anything is timed."""
    import http.client

    for name in names:
        method, path, headers, body = requests.build(name, 9 * 10**8, 1)[0]
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        connection.request(method, path, body=body.encode() or None, headers=headers)
        response = connection.getresponse()
        text = response.read().decode(errors="replace")
        if response.status != EXPECTED.get(name, 200):
            words = re.sub(r"<[^>]+>|\s+", " ", text)[:400]
            raise SystemExit(f"{name}: {method} {path} answered {response.status} before the load: {words}")


def _start_worker(env):
    flask = str(Path(sys.executable).parent / "flask")
    return subprocess.Popen([flask, "--app", "wsgi", "worker"], env=env, cwd=_http.ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _summary(per_round, insert_rounds):
    rps = [r["rps"] for r in per_round]
    ratios = [r["rps"] / i["rps"] for r, i in zip(per_round, insert_rounds)]
    return {"min": min(rps), "median": statistics.median(rps), "max": max(rps), "ratio": statistics.median(ratios),
            "p50": statistics.median(r["p50"] for r in per_round), "p99": statistics.median(r["p99"] for r in per_round),
            "p99max": max(r["p99"] for r in per_round), "bad": sum(r["bad"] for r in per_round),
            "requests": sum(r["requests"] for r in per_round), "errors": "; ".join(r["errors"] for r in per_round
                                                                                  if r["errors"])}


def _verdict(name, connections, figures):
    aim = AIMS.get(name)
    if aim is None or connections != 16:
        return ""
    p99, share = aim
    ok = figures["p99"] <= p99 and (share is None or figures["ratio"] >= share) and not figures["bad"]
    wanted = f"p99<={p99}" + (f", >={share}x" if share else "")
    return ("met " if ok else "MISSED ") + wanted


def run(argv):
    if not _http.have_wrk():
        raise SystemExit("wrk is needed (apt-get install wrk)")
    options = dict(a.lstrip("-").split("=", 1) for a in argv if "=" in a)
    cases = int_arg(argv, "cases", 20_000)
    ratings = int_arg(argv, "ratings", cases * 10)
    seconds = int_arg(argv, "seconds", 3)
    rounds = int_arg(argv, "rounds", 3)
    connection_counts = [int(c) for c in options.get("connections", "2,16").split(",")]
    only = [p for p in PATHS if p in options["only"].split(",")] if "only" in options else PATHS
    database_url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DB)
    redis_url = os.environ.get("BENCH_REDIS_URL", DEFAULT_REDIS)
    ensure_database(database_url)
    env = _environment(database_url, redis_url)
    os.environ.update({k: env[k] for k in ("SECRET_KEY", "PUBLIC_BASE_URL", "TWILIO_AUTH_TOKEN", "TRIAGE_ENABLED")})
    from config import normalise_database_url
    from feedback import create_app
    from feedback.extensions import db

    app = create_app("development", DEBUG=False, SQLALCHEMY_DATABASE_URI=normalise_database_url(database_url),
                     REDIS_URL="", JOBS_INLINE=True, SECRET_KEY=SECRET_KEY, RATELIMIT_ENABLED=False,
                     SESSION_COOKIE_SECURE=False)
    with app.app_context():
        if "--reuse" in argv:
            db.create_all()
            for table in db.metadata.sorted_tables:  # indexes the models gained since the data was filled
                for index in table.indexes:
                    index.create(db.engine, checkfirst=True)
            with db.engine.begin() as connection:
                _http.create_reference_table(connection)
        else:
            took = fill(db, cases, ratings)
            print(f"filled {cases:,} cases (three timeline lines each) and {ratings:,} ratings in {took:.0f} s",
                  flush=True)
        from sqlalchemy import text

        counts = {t: db.session.scalar(text(f"SELECT count(*) FROM {t}")) for t in
                  ("complaints", "case_events", "ratings", "published_answers", "staff", "units")}
        old = db.session.scalar(text("SELECT count(*) FROM published_answers WHERE search_text LIKE :t"),
                                {"t": "%hon chong%"})
        db.session.remove()
    if "--settle" in argv:
        with app.app_context():
            settle(db)
    if "--fill-only" in argv:
        return None
    import redis

    redis.Redis.from_url(redis_url).flushdb()
    requests = Requests(app, db)
    port = _http.free_port()
    base = f"http://127.0.0.1:{port}"
    results = {name: {c: [] for c in connection_counts} for name in REFERENCES + only}
    with tempfile.TemporaryDirectory() as folder:
        server = _http.start_gunicorn(env, port)
        worker = _start_worker(env)
        try:
            _check_paths(port, requests, only)
            for number in range(rounds):
                for connections in connection_counts:
                    for name in REFERENCES + only:
                        offset = (number * len(connection_counts) + connection_counts.index(connections)) * 10**6
                        lines = requests.build(name, offset, 6000)
                        path = _http.write_requests(Path(folder) / "requests.tsv", lines)
                        if number == 0:  # connections, caches, plans
                            warm = requests.build(name, offset + 500_000, 300)
                            _http.run_wrk(base, _http.write_requests(Path(folder) / "warm.tsv", warm), 1,
                                          connections, folder)
                        _http.wait_until_idle(port)
                        figures = _http.run_wrk(base, path, seconds, connections, folder)
                        if len(lines) > 1 and figures["requests"] > len(lines):
                            figures["errors"] += f" {figures['requests'] - len(lines)} requests were repeats"
                        results[name][connections].append(figures)
                        print(f"  round {number + 1} c{connections:<3} {name:<28} {figures['rps']:8.1f} req/s  "
                              f"p50 {figures['p50']:7.1f}  p99 {figures['p99']:7.1f} ms  bad {figures['bad']}",
                              flush=True)
        finally:
            _http.stop(worker)
            _http.stop(server)
    with app.app_context():
        stranded = db.session.scalar(text("SELECT count(*) FROM inbound_sms WHERE complaint_id IS NULL"))
        sms = db.session.scalar(text("SELECT count(*) FROM inbound_sms"))
        db.session.remove()
    print()
    print(f"machine: {_http.machine()}; load average now {os.getloadavg()[0]:.1f}")
    print(f"data: {counts['complaints']:,} cases ({requests.in_unit:,} in the head's unit), "
          f"{counts['case_events']:,} timeline lines, {counts['ratings']:,} ratings, "
          f"{counts['published_answers']:,} published answers ({old:,} with the old term), {counts['units']} units, "
          f"{counts['staff']} staff")
    print(f"gunicorn -w 2 -k sync + flask worker, PostgreSQL + Redis, rate limiter on; wrk, {seconds} s a run, "
          f"{rounds} interleaved rounds; req/s min/median/max of the rounds; x insert, p50, p99 = medians of the rounds")
    header = (f"{'path':<28}{'conn':>5}{'req/s min':>10}{'median':>8}{'max':>8}{'x insert':>9}{'p50 ms':>8}"
              f"{'p99 ms':>8}{'worst p99':>10}{'bad':>5}  aim (16 connections)")
    print(header)
    for name in REFERENCES + only:
        for connections in connection_counts:
            f = _summary(results[name][connections], results["insert"][connections])
            print(f"{name:<28}{connections:>5}{f['min']:>10.1f}{f['median']:>8.1f}{f['max']:>8.1f}{f['ratio']:>9.2f}"
                  f"{f['p50']:>8.1f}{f['p99']:>8.1f}{f['p99max']:>10.1f}{f['bad']:>5}  {_verdict(name, connections, f)}"
                  + (f"  [{f['errors'].strip()}]" if f["errors"].strip() else ""))
    print(f"SMS: {sms:,} messages taken, {stranded} without their case (each case is stored in the webhook's "
          f"own request, so the figure above is the time until the case exists)")
    return results


if __name__ == "__main__":
    run(sys.argv[1:])
