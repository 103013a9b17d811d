"""The public answers board and its search at one million published answers.

    python -m bench publication_board [--answers=1000000] [--requests=300] [--reuse]

Fills a separate PostgreSQL database (BENCH_DATABASE_URL, default
postgresql://postgres@127.0.0.1/feedback_bench; created if missing, its tables dropped and
re-created: never point it at real data) with generated complaints, answers and their
published-answer index rows using INSERT ... SELECT generate_series (not the ORM), then
measures in the same process:

- each page through the Flask app, in-process with the test client (the whole request:
  routing, queries, Jinja rendering; no network, no gunicorn), median and 99th percentile;
- the board's main query for the same page run directly with psycopg (the SQL statement and
  parameters the app sent, captured from the engine), median and 99th percentile.

Deep pages follow the keyset cursor: a cursor 900,000 rows down and a walk of 100 pages.
`--reuse` keeps an already filled database.
"""
import os
import random
import statistics
import sys
import time

from bench._common import ensure_database, int_arg

DEFAULT_DB = "postgresql://postgres@127.0.0.1/feedback_bench"

SUBJECTS = ["Công chức một cửa", "Cán bộ địa chính", "Công chức tư pháp - hộ tịch", "Nhân viên tiếp nhận hồ sơ",
            "Công chức văn hóa - xã hội", "Cán bộ thuế", "Viên chức trung tâm y tế", "Cán bộ tiếp dân"]
ISSUES = ["có thái độ hách dịch, nói trống không", "yêu cầu bổ sung giấy tờ nhiều lần",
          "gợi ý đưa tiền bồi dưỡng để làm nhanh", "vắng mặt trong giờ làm việc",
          "dùng điện thoại riêng khi người dân chờ", "trả hồ sơ trễ hẹn mà không xin lỗi",
          "hướng dẫn không rõ ràng, phải đi lại nhiều lần", "đặt thêm thủ tục ngoài quy định",
          "từ chối tiếp nhận mà không có văn bản", "nhận hồ sơ nhưng làm thất lạc"]
PLACES = ["tại Bộ phận Một cửa", "tại Trung tâm Phục vụ hành chính công", "khi làm thủ tục đất đai",
          "khi đăng ký khai sinh cho con", "khi chứng thực bản sao", "khi xin cấp giấy phép xây dựng",
          "khi đăng ký hộ kinh doanh", "ở đường Trần Phú"]
ANSWERS = ["Đơn vị đã xác minh, tổ chức kiểm điểm và chấn chỉnh công chức liên quan.",
           "Qua xác minh, nội dung phản ánh không đúng; đơn vị đã giải thích cho công dân.",
           "Đơn vị đã hướng dẫn công dân hoàn thiện hồ sơ và trả kết quả đúng hẹn.",
           "Đơn vị xin lỗi công dân và hẹn lại thời gian trả kết quả.",
           "Đã nhắc nhở công chức, bố trí thêm người tại quầy vào giờ cao điểm."]
RARE = ["Hồ sơ chuyển từ Đà Nẵng", "Người dân ở Quảng Ngãi", "Gần cầu Xóm Bóng", "Khu vực Hòn Chồng"]
TEXTS = 5000


def _texts():
    from feedback.text import fold

    rng = random.Random(7)
    rows = []
    for k in range(TEXTS):
        summary = f"{rng.choice(SUBJECTS)} {rng.choice(ISSUES)} {rng.choice(PLACES)}."
        if k % 50 == 0:
            summary = rng.choice(RARE) + ": " + summary
        body = rng.choice(ANSWERS) + " " + rng.choice(ANSWERS)
        rows.append((k, summary, body, fold(summary + " " + body)))
    return rows


def fill(app, count):
    """Tables re-created; `count` published answers inserted with SQL. Returns seconds taken."""
    from sqlalchemy import text

    from feedback.extensions import db
    from feedback.models import Category, Unit
    from feedback.publication.index import ensure_search_index

    started = time.perf_counter()
    with app.app_context():
        db.drop_all()
        db.create_all()
        province = Unit(code="KH", name="Tỉnh Khánh Hòa", kind="province", path="/KH/")
        db.session.add(province)
        for i in range(65):
            commune = Unit(code=f"X{i:02d}", name=f"Xã số {i}", kind="commune", parent=province, path=f"/KH/X{i:02d}/")
            db.session.add(commune)
            db.session.add(Unit(code=f"X{i:02d}-MC", name=f"Một cửa xã số {i}", kind="one_stop", parent=commune,
                                path=f"/KH/X{i:02d}/X{i:02d}-MC/"))
        for i in range(10):
            db.session.add(Category(code=f"loai-{i}", name_vi=f"Lĩnh vực {i}", name_en=f"Category {i}",
                                    kind="staff_complaint", answer_days=10))
        db.session.commit()
        unit_ids = [u for (u,) in db.session.execute(text("SELECT id FROM units WHERE kind = 'one_stop' ORDER BY id"))]
        with db.engine.begin() as conn:
            raw = conn.connection.driver_connection
            with raw.cursor() as cur:
                cur.execute("SET maintenance_work_mem = '256MB'")
                cur.execute("SET synchronous_commit = off")
                cur.execute("CREATE TEMP TABLE bench_texts (k int PRIMARY KEY, summary text, body text, folded text)")
                with cur.copy("COPY bench_texts (k, summary, body, folded) FROM STDIN") as copy:
                    for row in _texts():
                        copy.write_row(row)
                # Foreign keys are checked by triggers: skip them for the bulk load (the ids line up).
                cur.execute("SET session_replication_role = replica")

                def execute(sql, params):
                    cur.execute(sql.replace(" % ", " %% "), params)  # modulo, not a placeholder

                cur.execute("DROP INDEX IF EXISTS ix_published_answers_search_vector")
                # Secondary indexes and unique constraints are built once after the load (much faster).
                rebuild = []
                for table in ("complaints", "answers", "published_answers"):
                    cur.execute("SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                                "WHERE conrelid = %s::regclass AND contype = 'u'", (table,))
                    for name, definition in cur.fetchall():
                        cur.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
                        rebuild.append(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
                    cur.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s AND indexname "
                                "NOT IN (SELECT conname FROM pg_constraint)", (table,))
                    for name, definition in cur.fetchall():
                        cur.execute(f'DROP INDEX "{name}"')
                        rebuild.append(definition)
                base = "timestamp '2026-11-01 03:00:00'"
                moment = f"{base} - g * interval '30 seconds' - (g::bigint * 7919 % 600) * interval '1 second'"
                execute(f"""
                    INSERT INTO complaints (id, tracking_code, channel, category_id, unit_id, target_unit_id, description,
                        consent_publish, status, language, extended, escalated, submitted_at, answer_due_at,
                        answered_at, published_at, updated_at)
                    SELECT g, 'B' || g, 'web', 1 + g % 10, (%(units)s::int[])[1 + g % 65], (%(units)s::int[])[1 + g % 65],
                        '-', true, 'published', 'vi', false, false,
                        {moment} - interval '6 days', {moment} + interval '4 days',
                        {moment} - interval '1 hour', {moment}, {moment}
                    FROM generate_series(1, %(n)s) AS g""", {"units": unit_ids, "n": count})
                execute(f"""
                    INSERT INTO answers (id, complaint_id, body, public_summary, public_body, public_ref, status,
                        published_at, created_at)
                    SELECT g, g, t.body, t.summary, t.body, 'R' || lpad(to_hex(g), 9, '0'), 'sent', {moment}, {moment}
                    FROM generate_series(1, %(n)s) AS g JOIN bench_texts t ON t.k = g % {TEXTS}""", {"n": count})
                execute(f"""
                    INSERT INTO published_answers (id, answer_id, public_ref, unit_id, category_id, conclusion,
                        submitted_at, answered_at, published_at, summary, body, search_text)
                    SELECT g, g, 'R' || lpad(to_hex(g), 9, '0'), (%(units)s::int[])[1 + g % 65], 1 + g % 10,
                        (ARRAY['substantiated', 'partly', 'unsubstantiated', 'unverifiable'])[1 + g % 4],
                        {moment} - interval '6 days', {moment} - interval '1 hour', {moment},
                        t.summary, t.body, t.folded
                    FROM generate_series(1, %(n)s) AS g JOIN bench_texts t ON t.k = g % {TEXTS}""",
                            {"units": unit_ids, "n": count})
                cur.execute("SET session_replication_role = origin")
                for statement in rebuild:
                    cur.execute(statement)
                for table in ("complaints", "answers", "published_answers"):
                    cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), {count})")
        ensure_search_index(backfill=False)  # the GIN index, built once over the filled table
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
    return time.perf_counter() - started


def _percentiles(samples):
    samples = sorted(samples)
    p99 = samples[min(len(samples) - 1, int(round(0.99 * (len(samples) - 1))))]
    return statistics.median(samples) * 1000, p99 * 1000


class Capture:
    """Records the SQL statements the app sends to PostgreSQL."""

    def __init__(self, engine):
        from sqlalchemy import event

        self.statements = []
        self.on = False
        event.listen(engine, "before_cursor_execute", self._record)

    def _record(self, _conn, _cursor, statement, parameters, _context, _many):
        if self.on:
            self.statements.append((statement, parameters))

    def board_query(self, client, url):
        self.statements, self.on = [], True
        client.get(url)
        self.on = False
        found = [s for s in self.statements if "FROM published_answers" in s[0] and "LIMIT" in s[0]]
        return found[0]


def _time_app(client, url, n):
    samples = []
    for _ in range(n):
        start = time.perf_counter()
        response = client.get(url)
        samples.append(time.perf_counter() - start)
        assert response.status_code == 200, (url, response.status_code)
    return samples


def _time_sql(conn, statement, parameters, n, timeout_ms):
    samples = []
    with conn.cursor() as cur:
        for _ in range(n):
            start = time.perf_counter()
            cur.execute("BEGIN")
            if timeout_ms:
                cur.execute(f"SET LOCAL statement_timeout = {timeout_ms}")
            cur.execute(statement, parameters)
            cur.fetchall()
            cur.execute("COMMIT")
            samples.append(time.perf_counter() - start)
    return samples


def _next_url(html):
    import re
    from html import unescape

    match = re.search(r'rel="next" href="([^"]+)"', html)
    return unescape(match.group(1)) if match else None


def run(argv):
    from config import normalise_database_url

    from feedback import create_app
    from feedback.extensions import db
    from feedback.publication.search import encode_cursor

    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DB)
    count = int_arg(argv, "answers", 1_000_000)
    n = int_arg(argv, "requests", 300)
    ensure_database(url)
    app = create_app("test", SQLALCHEMY_DATABASE_URI=normalise_database_url(url), TESTING=False,
                     PUBLICATION_CHOICES_TTL=60, SQLALCHEMY_ENGINE_OPTIONS={"pool_size": 5})
    if "--reuse" not in argv:
        seconds = fill(app, count)
        print(f"filled {count:,} published answers (complaints, answers, index) in {seconds:.0f} s", flush=True)
    import psycopg

    with app.app_context():
        total = db.session.execute(db.text("SELECT count(*) FROM published_answers")).scalar()
        deep = db.session.execute(db.text(
            "SELECT published_at, id FROM published_answers ORDER BY published_at DESC, id DESC OFFSET :o LIMIT 1"),
            {"o": int(total * 0.9)}).one()
        db.session.remove()
        deep_cursor = encode_cursor(deep.published_at, deep.id)
        client = app.test_client()
        capture = Capture(db.engine)
        scenarios = [
            ("board, first page", "/answers"),
            (f"board, page at row {int(total * 0.9):,} (keyset)", f"/answers?cursor={deep_cursor}"),
            ("board, one commune's subtree", "/answers?unit=X07"),
            ("board, category + conclusion", "/answers?category=loai-3&conclusion=partly"),
            ("search 'thai do' (common), newest", "/answers?q=thai+do"),
            ("search 'thai do', deep page (keyset)", f"/answers?q=thai+do&cursor={deep_cursor}"),
            ("search 'da nang' (rare), newest", "/answers?q=da+nang"),
            ("search 'duong tran phu' (3 words)", "/answers?q=duong+tran+phu"),
            ("search 'thai do', by relevance", "/answers?q=thai+do&sort=relevance"),
        ]
        timeout = app.config["PUBLICATION_SEARCH_TIMEOUT_MS"]
        for _name, target in scenarios:  # warm caches and plans
            _time_app(client, target, 5)
        print(f"load average before measuring: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
        print(f"{total:,} published answers; {n} requests per row; app = Flask test client in-process "
              f"(whole request incl. templates); SQL = the board query alone via psycopg", flush=True)
        print(f"{'page':46} {'app median':>10} {'app p99':>8} {'SQL median':>10} {'SQL p99':>8} {'p99 ratio':>9}")
        with psycopg.connect(url, autocommit=True) as raw:
            for name, target in scenarios:
                app_med, app_p99 = _percentiles(_time_app(client, target, n))
                statement, parameters = capture.board_query(client, target)
                sql_med, sql_p99 = _percentiles(_time_sql(raw, statement, parameters, n,
                                                          timeout if "q=" in target else 0))
                print(f"{name:46} {app_med:8.1f}ms {app_p99:6.1f}ms {sql_med:8.1f}ms {sql_p99:6.1f}ms "
                      f"{app_p99 / sql_p99:8.1f}x", flush=True)
        # Following the cursor: 100 pages from the top, each timed.
        walk, target = [], "/answers"
        for _ in range(100):
            start = time.perf_counter()
            response = client.get(target)
            walk.append(time.perf_counter() - start)
            target = _next_url(response.get_data(as_text=True))
            if target is None:
                break
        med, p99 = _percentiles(walk)
        print(f"load average after measuring: {os.getloadavg()[0]:.1f}")
        print(f"walk of {len(walk)} pages by the 'next' link: median {med:.1f} ms, p99 {p99:.1f} ms")


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    run(sys.argv[1:])
