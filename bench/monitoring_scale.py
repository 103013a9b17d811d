"""The monitoring dashboard and the yearly report at one million cases and ten million ratings.

    python -m bench monitoring_scale [--cases=1000000] [--ratings=10000000] [--reuse]

--reuse measures the full-size data left by an earlier run (after adding any index the
models gained since) instead of dropping and filling the database again (filling takes
about ten minutes on two cores).

Fills a PostgreSQL database with generated data (INSERT ... SELECT generate_series,
not the ORM), builds the rollup tables, then measures in the same process:
- the dashboard, satisfaction and named-staff pages through the Flask app
  (test client, a signed-in monitor, the whole request including templates);
- the yearly report's build time (XLSX and PDF) and the process's peak memory,
  first at a tenth of the data and then at the full size, to show that memory
  does not grow with the number of rows.

Environment: BENCH_DATABASE_URL (default postgresql://postgres@127.0.0.1/feedback_bench_monitoring;
its tables are dropped and re-created: never point it at real data).
"""
import os
import resource
import statistics
import sys
import tempfile
import time

from bench._common import ensure_database, int_arg

DEFAULT_DB = "postgresql://postgres@127.0.0.1/feedback_bench_monitoring"


def _peak_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _build_world(db):
    from feedback.models import Category, Staff, Unit, User

    province = Unit(code="KH", name="Tỉnh Khánh Hòa", kind="province", path="/KH/")
    db.session.add(province)
    office = Unit(code="KH-SNV", name="Sở Nội vụ", kind="department", parent=province, path="/KH/KH-SNV/",
                  is_monitoring_office=True)
    db.session.add(office)
    counters, staff = [], []
    for i in range(65):
        commune = Unit(code=f"X{i:02d}", name=f"Xã số {i}", kind="commune", parent=province, path=f"/KH/X{i:02d}/")
        counter = Unit(code=f"X{i:02d}-MC", name=f"Một cửa xã số {i}", kind="one_stop", parent=commune,
                       path=f"/KH/X{i:02d}/X{i:02d}-MC/")
        db.session.add_all([commune, counter])
        counters.append(counter)
        for j in range(10):
            member = Staff(full_name=f"Cán bộ {i}-{j}", position="Công chức một cửa", unit=counter,
                           counter_number=str(j % 5 + 1))
            db.session.add(member)
            staff.append(member)
    categories = [Category(code=f"C{i}", name_vi=f"Lĩnh vực {i}", name_en=f"Category {i}",
                           kind="staff_complaint" if i < 8 else "compliment", accept_days=1, answer_days=10)
                  for i in range(10)]
    db.session.add_all(categories)
    monitor = User(email="noivu@bench.vn", full_name="Sở Nội vụ", role="monitor", unit=province)
    monitor.set_password("bench")
    db.session.add(monitor)
    db.session.commit()
    return monitor, [c.id for c in counters], [s.id for s in staff], [c.id for c in categories]


def _fill(db, first, count_cases, first_rating, count_ratings, unit_ids, staff_ids, category_ids):
    from sqlalchemy import text

    units = "(ARRAY[" + ",".join(map(str, unit_ids)) + "])"
    staff = "(ARRAY[" + ",".join(map(str, staff_ids)) + "])"
    cats = "(ARRAY[" + ",".join(map(str, category_ids)) + "])"
    span = 730 * 86400  # two years back from now
    started = time.perf_counter()
    db.session.execute(text(f"""
        INSERT INTO complaints (tracking_code, channel, category_id, unit_id, target_unit_id, staff_id, description,
            status, language, consent_publish, extended, escalated, submitted_at, accept_due_at, answer_due_at,
            answered_at, updated_at)
        SELECT 'B' || g,
               (ARRAY['web','kiosk','sms','voice','operator','counter','api'])[1 + g % 7],
               {cats}[1 + g % {len(category_ids)}],
               {units}[1 + g % {len(unit_ids)}], {units}[1 + g % {len(unit_ids)}],
               CASE WHEN g % 3 = 0 THEN {staff}[1 + g % {len(staff_ids)}] END,
               'Phản ánh số ' || g,
               CASE WHEN g % 40 = 0 THEN 'verifying' WHEN g % 41 = 0 THEN 'accepted' ELSE 'closed' END,
               'vi', false, false, g % 97 = 0, t, t + interval '1 day', t + interval '10 days',
               CASE WHEN g % 40 <> 0 AND g % 41 <> 0 THEN t + (g % 14) * interval '1 day' END, t
        FROM (SELECT g, now() AT TIME ZONE 'UTC' - ((g::bigint * 7919) % {span}) * interval '1 second' AS t
              FROM generate_series({first}, {first + count_cases - 1}) g) s
    """))
    db.session.commit()
    cases_s = time.perf_counter() - started
    started = time.perf_counter()
    fill_ratings(db, first_rating, count_ratings, unit_ids, staff_ids)
    return cases_s, time.perf_counter() - started


def fill_ratings(db, first, count, unit_ids, staff_ids):
    """`count` kiosk ratings over the last two years, most of them good, in chunks of two million."""
    from sqlalchemy import text

    units = "(ARRAY[" + ",".join(map(str, unit_ids)) + "])"
    staff = "(ARRAY[" + ",".join(map(str, staff_ids)) + "])"
    span = 730 * 86400
    chunk = 2_000_000
    for start in range(first, first + count, chunk):
        end = min(start + chunk, first + count) - 1
        db.session.execute(text(f"""
            INSERT INTO ratings (unit_id, staff_id, counter_number, score, reasons, source, created_at)
            SELECT {units}[1 + (g % {len(unit_ids)})],
                   {staff}[1 + (g % {len(staff_ids)})],
                   ((g % 5) + 1)::text,
                   CASE WHEN g % 100 < 62 THEN 5 WHEN g % 100 < 90 THEN 4 WHEN g % 100 < 95 THEN 3
                        WHEN g % 100 < 98 THEN 2 ELSE 1 END,
                   '', 'kiosk',
                   now() AT TIME ZONE 'UTC' - ((g * 104729::bigint) % {span}) * interval '1 second'
            FROM generate_series({start}, {end}) g
        """))
        db.session.commit()


def _time_pages(client, paths, repeat):
    results = {}
    for path in paths:
        client.get(path)  # warm the template cache
        samples = []
        for _ in range(repeat):
            started = time.perf_counter()
            response = client.get(path)
            samples.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (path, response.status_code)
        samples.sort()
        results[path] = (statistics.median(samples), samples[int(0.95 * (len(samples) - 1))], samples[-1])
    return results


def _report(app, db, year):
    from feedback.monitoring.periods import parse_period
    from feedback.monitoring.reports import build_report

    figures = {}
    for fmt in ("xlsx", "pdf"):
        before = _peak_mb()
        started = time.perf_counter()
        with tempfile.NamedTemporaryFile(suffix="." + fmt) as out:
            build_report(None, parse_period(str(year)), fmt, out.name)
            size = os.path.getsize(out.name)
        figures[fmt] = (time.perf_counter() - started, _peak_mb() - before, size)
    return figures


def run(argv):
    from sqlalchemy import text

    from feedback import create_app
    from feedback.calendar import local_today
    from feedback.extensions import db
    from feedback.monitoring.rollups import refresh_rollups

    total_cases = int_arg(argv, "cases", 1_000_000)
    total_ratings = int_arg(argv, "ratings", 10_000_000)
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DB)
    ensure_database(url)
    from config import normalise_database_url

    app = create_app("development", DEBUG=False, SQLALCHEMY_DATABASE_URI=normalise_database_url(url),
                     REDIS_URL="", JOBS_INLINE=True, WTF_CSRF_ENABLED=False)
    year = local_today().year
    with app.app_context():
        if "--reuse" in argv:
            return _measure_existing(app, db, year)
        db.drop_all()
        db.create_all()
        monitor, unit_ids, staff_ids, category_ids = _build_world(db)
        client = app.test_client()
        with client.session_transaction() as session:
            session["_user_id"] = str(monitor.id)
        print(f"{'rows (cases / ratings)':<34}{'fill s':>10}{'rollup s':>10}")
        stages = [(total_cases // 10, total_ratings // 10), (total_cases, total_ratings)]
        done_cases = done_ratings = 0
        rows = []
        for cases, ratings in stages:
            fill_cases, fill_ratings = _fill(db, done_cases + 1, cases - done_cases, done_ratings + 1,
                                             ratings - done_ratings, unit_ids, staff_ids, category_ids)
            done_cases, done_ratings = cases, ratings
            db.session.execute(text("ANALYZE"))
            db.session.commit()
            db.session.execute(text("DELETE FROM rollup_state"))
            db.session.commit()
            started = time.perf_counter()
            refresh_rollups()
            full_rollup = time.perf_counter() - started
            started = time.perf_counter()
            refresh_rollups()
            incremental = time.perf_counter() - started
            print(f"{cases:>12,} / {ratings:>12,}{' ':8}{fill_cases + fill_ratings:>10.1f}{full_rollup:>10.1f}"
                  f"   (incremental refresh {incremental:.2f} s)", flush=True)
            pages = _time_pages(client, [f"/monitoring/?period={year}", f"/monitoring/satisfaction?period={year}",
                                         "/monitoring/staff", "/monitoring/overdue"], repeat=15)
            report = _report(app, db, year)
            rows.append((cases, ratings, pages, report))
        print()
        print(f"{'page (ms)':<40}{'scale':>14}{'median':>9}{'p95':>9}{'max':>9}")
        for cases, ratings, pages, _report_figures in rows:
            for path, (median, p95, worst) in pages.items():
                print(f"{path:<40}{cases:>14,}{median:>9.1f}{p95:>9.1f}{worst:>9.1f}")
        print()
        print(f"{'yearly report':<14}{'cases':>12}{'ratings':>14}{'build s':>10}{'peak +MB':>10}{'file KB':>10}")
        for cases, ratings, _pages, report in rows:
            for fmt, (seconds, grown, size) in report.items():
                print(f"{fmt:<14}{cases:>12,}{ratings:>14,}{seconds:>10.2f}{grown:>10.1f}{size / 1024:>10.0f}")
        print(f"\npeak RSS of the whole run: {_peak_mb():.0f} MB")


def _measure_existing(app, db, year):
    from sqlalchemy import func, select

    from feedback.models import Complaint, Rating, User

    for table in db.metadata.sorted_tables:
        for index in table.indexes:
            index.create(db.engine, checkfirst=True)
    cases = db.session.scalar(select(func.count()).select_from(Complaint))
    ratings = db.session.scalar(select(func.count()).select_from(Rating))
    monitor = db.session.scalar(select(User).where(User.role == "monitor"))
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = str(monitor.id)
    pages = _time_pages(client, [f"/monitoring/?period={year}", f"/monitoring/satisfaction?period={year}",
                                 "/monitoring/staff", "/monitoring/overdue"], repeat=15)
    print(f"{'page (ms)':<40}{'cases':>12}{'ratings':>14}{'median':>9}{'p95':>9}{'max':>9}")
    for path, (median, p95, worst) in pages.items():
        print(f"{path:<40}{cases:>12,}{ratings:>14,}{median:>9.1f}{p95:>9.1f}{worst:>9.1f}")
    print()
    print(f"{'yearly report':<14}{'build s':>10}{'peak +MB':>10}{'file KB':>10}")
    for fmt, (seconds, grown, size) in _report(app, db, year).items():
        print(f"{fmt:<14}{seconds:>10.2f}{grown:>10.1f}{size / 1024:>10.0f}")


if __name__ == "__main__":
    run(sys.argv[1:])
