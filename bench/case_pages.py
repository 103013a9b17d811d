"""The unit's work queue and the case page at a province's scale, in-process, beside the raw SQL of a
one-row look-up by primary key measured in the same run.

    python -m bench case_pages [--cases=300000] [--reuse]

Fills PostgreSQL (INSERT ... SELECT generate_series) with cases spread over 65 communes' service centres,
a fifth of them in one centre (its head's queue is the heavy one: 60,000 cases at the default size), and
three timeline lines per case; then times `/cases/` (first page, a status filter, page 50) and
`/cases/<code>` as that unit's head, through the Flask app with templates (test client).

Environment: BENCH_DATABASE_URL (default postgresql://postgres@127.0.0.1/feedback_bench_cases; its tables
are dropped and re-created: never point it at real data).
"""
import os
import statistics
import time

from bench._common import ensure_database, int_arg

DEFAULT_DB = "postgresql://postgres@127.0.0.1/feedback_bench_cases"


def _world(db):
    """The monitoring benchmark's province (65 communes' centres, their staff, categories) and the head of
    the first centre."""
    from bench.monitoring_scale import _build_world
    from feedback.models import User

    _monitor, counter_ids, staff_ids, category_ids = _build_world(db)
    head = User(email="head@bench.vn", full_name="Thủ trưởng", role="unit_head", unit_id=counter_ids[0])
    head.set_password("bench")
    db.session.add(head)
    db.session.commit()
    return head, counter_ids, staff_ids, category_ids[0]


def _fill(db, count, unit_ids, staff_ids, category_id):
    from sqlalchemy import text

    units = "(ARRAY[" + ",".join(map(str, unit_ids)) + "])"
    staff = "(ARRAY[" + ",".join(map(str, staff_ids)) + "])"
    db.session.execute(text(f"""
        INSERT INTO complaints (tracking_code, keypad_code, channel, category_id, unit_id, target_unit_id, staff_id,
            description, status, language, consent_publish, extended, escalated, submitted_at, accept_due_at,
            answer_due_at, updated_at, kind, urgency)
        SELECT 'B' || g, '7' || g, 'web', {category_id},
               CASE WHEN g % 5 = 0 THEN {unit_ids[0]} ELSE {units}[1 + g % {len(unit_ids)}] END,
               CASE WHEN g % 5 = 0 THEN {unit_ids[0]} ELSE {units}[1 + g % {len(unit_ids)}] END,
               CASE WHEN g % 3 = 0 THEN {staff}[1 + g % {len(staff_ids)}] END,
               'Phản ánh số ' || g,
               CASE WHEN g % 10 = 0 THEN 'verifying' WHEN g % 10 = 1 THEN 'accepted' WHEN g % 10 = 2 THEN 'received'
                    ELSE 'closed' END,
               'vi', false, false, false, t, t + interval '1 day', t + interval '10 days', t, 'phan_anh', 'normal'
        FROM (SELECT g, now() AT TIME ZONE 'UTC' - ((g::bigint * 7919) % (730 * 86400)) * interval '1 second' AS t
              FROM generate_series(1, {count}) g) s"""))
    db.session.execute(text("""
        INSERT INTO case_events (complaint_id, kind, to_status, actor_label, body, is_public, created_at)
        SELECT c.id, k.kind, CASE WHEN k.kind = 'created' THEN 'received' END, 'system', NULL, k.kind = 'created',
               c.submitted_at + k.n * interval '1 hour'
        FROM complaints c CROSS JOIN (VALUES ('created', 0), ('routing', 0), ('note', 2)) AS k(kind, n)"""))
    db.session.commit()
    db.session.execute(text("ANALYZE"))


def _time(client, path, repeat=15):
    client.get(path)
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        response = client.get(path)
        samples.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (path, response.status_code)
    samples.sort()
    return statistics.median(samples), samples[int(0.95 * (len(samples) - 1))], samples[-1]


def run(argv):
    os.environ.setdefault("BENCH_DATABASE_URL", DEFAULT_DB)
    url = os.environ["BENCH_DATABASE_URL"]
    ensure_database(url)
    from sqlalchemy import select, text

    from config import normalise_database_url
    from feedback import create_app
    from feedback.extensions import db
    from feedback.models import Complaint, User

    count = int_arg(argv, "cases", 300_000)
    app = create_app("test", SQLALCHEMY_DATABASE_URI=normalise_database_url(url), TESTING=False)
    with app.app_context():
        if "--reuse" not in argv:
            db.drop_all()
            db.create_all()
            head, unit_ids, staff_ids, category_id = _world(db)
            started = time.perf_counter()
            _fill(db, count, unit_ids, staff_ids, category_id)
            print(f"filled {count} cases and {3 * count} timeline lines in {time.perf_counter() - started:.0f} s")
        else:
            db.create_all()
            for table in db.metadata.sorted_tables:  # indexes the models gained since the data was filled
                for index in table.indexes:
                    index.create(db.engine, checkfirst=True)
            db.session.execute(text("ANALYZE complaints"))
            db.session.commit()
        head = db.session.scalar(select(User).where(User.email == "head@bench.vn"))
        in_unit = db.session.scalar(select(text("count(*)")).select_from(Complaint).where(Complaint.unit_id == head.unit_id))
        code = db.session.scalar(select(Complaint.tracking_code).where(Complaint.unit_id == head.unit_id,
                                                                      Complaint.status == "verifying").limit(1))
        client = app.test_client()
        with client.session_transaction() as session:
            session["_user_id"] = head.get_id()
            session["_fresh"] = True
            session["signed_in_at"] = session["seen_at"] = time.time()
        reference = []
        for _ in range(50):
            started = time.perf_counter()
            db.session.execute(text("SELECT id FROM complaints WHERE id = 1")).all()
            reference.append((time.perf_counter() - started) * 1000)
        print(f"{count} cases, {in_unit} in the head's unit; reference (one row by id): "
              f"{statistics.median(reference):.2f} ms")
        for path in ("/cases/", "/cases/?status=verifying", "/cases/?page=50", f"/cases/{code}"):
            p50, p95, worst = _time(client, path)
            print(f"{path:28} p50 {p50:7.1f} ms  p95 {p95:7.1f}  max {worst:7.1f}")
