"""Triage: time to suggest unit, staff and category for one text, at the demo's size and at 3,500 units
with 100,000 staff, beside the time to fold the same text (the cheapest thing done to every text).

    python -m bench triage_suggest [--units=3500] [--staff=100000] [--texts=300]

Each size runs in its own SQLite file; the model is trained once per size before timing (as the
retraining job does), and the directory is built before timing (it is cached between suggestions).
"""
import json
import os
import random
import statistics
import tempfile
import time

from bench._common import int_arg

SYLLABLES = ["an", "binh", "cam", "dien", "hoa", "khanh", "lam", "my", "ninh", "phuoc", "son", "tan", "thanh",
             "trung", "van", "vinh", "xuan", "dong", "tay", "nam", "bac", "hai", "long", "phu", "quang", "ha"]
GIVEN = ["Lan", "Hùng", "Mai", "Dũng", "Hoa", "Nam", "Thảo", "Sơn", "Linh", "Tuấn", "Hạnh", "Phúc"]


def _timed(func, texts):
    samples = []
    for text in texts:
        start = time.perf_counter()
        func(text)
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.95) - 1], samples[-1]


def _report(label, suggest_times, fold_times):
    print(f"{label:28} suggest p50 {suggest_times[0]:6.2f} ms  p95 {suggest_times[1]:6.2f}  max {suggest_times[2]:6.2f}"
          f"   | fold p50 {fold_times[0]:.3f} ms")


def _app(path):
    from feedback import create_app
    from feedback.extensions import db

    app = create_app("development", SQLALCHEMY_DATABASE_URI=f"sqlite:///{path}", TRIAGE_MODEL_PATH=path + ".model",
                     REDIS_URL="", TRIAGE_DIRECTORY_TTL=3600)
    with app.app_context():
        db.create_all()
    return app


def _measure(app, texts, label):
    from feedback.text import fold
    from feedback.triage.directory import current_directory
    from feedback.triage.model import retrain
    from feedback.triage.services import suggest

    with app.app_context():
        model = retrain()
        current_directory()
        suggest(texts[0], model=model)  # warm
        _report(label, _timed(lambda t: suggest(t, model=model), texts), _timed(fold, texts))


def demo(texts_count):
    with tempfile.TemporaryDirectory() as folder:
        app = _app(os.path.join(folder, "demo.db"))
        with app.app_context():
            app.test_cli_runner().invoke(args=["seed-demo"])
        labelled = os.path.join(os.path.dirname(__file__), "..", "tests", "triage", "labelled.jsonl")
        with open(labelled, encoding="utf-8") as handle:
            texts = [json.loads(line)["text"] for line in handle][:texts_count]
        _measure(app, texts, "demo (332 units, 806 staff)")


def large(units_count, staff_count, texts_count):
    from sqlalchemy import insert

    from feedback.extensions import db
    from feedback.models import Category, Staff, Unit

    rng = random.Random(7)
    with tempfile.TemporaryDirectory() as folder:
        app = _app(os.path.join(folder, "large.db"))
        with app.app_context():
            db.session.add(Unit(code="P", name="Tỉnh Thử", kind="province", path="/P/"))
            db.session.add(Category(code="thai_do", name_vi="Thái độ", name_en="Attitude", kind="staff_complaint",
                                    is_misconduct=True, accept_days=1, answer_days=10, sort_order=1, active=True))
            db.session.add(Category(code="nhung_nhieu", name_vi="Nhũng nhiễu, đòi tiền", name_en="Bribes",
                                    kind="staff_complaint", is_misconduct=True, accept_days=1, answer_days=7,
                                    sort_order=2, active=True))
            db.session.flush()
            province_id = db.session.scalar(db.select(Unit.id).where(Unit.code == "P"))
            communes, names, rows = units_count // 5, set(), []
            while len(names) < communes:
                names.add(" ".join(rng.sample(SYLLABLES, 3)).title())
            for i, name in enumerate(sorted(names)):
                code = f"P-{i:05d}"
                rows.append(dict(code=code, name=f"UBND xã {name}", kind="commune", parent_id=province_id,
                                 path=f"/P/{code}/"))
            db.session.execute(insert(Unit), rows)
            ids = dict(db.session.execute(db.select(Unit.code, Unit.id).where(Unit.kind == "commune")).all())
            children = []
            for code, commune_id in ids.items():
                name = next(r["name"] for r in rows if r["code"] == code)[9:]
                for suffix, label, kind in (("MC", "Trung tâm Phục vụ hành chính công xã", "one_stop"),
                                            ("VP", "Văn phòng HĐND và UBND xã", "office"),
                                            ("KT", "Phòng Kinh tế xã", "office"),
                                            ("VHXH", "Phòng Văn hóa - Xã hội xã", "office")):
                    children.append(dict(code=f"{code}-{suffix}", name=f"{label} {name}", kind=kind,
                                         parent_id=commune_id, path=f"/P/{code}/{code}-{suffix}/"))
            db.session.execute(insert(Unit), children)
            unit_ids = [i for (i,) in db.session.execute(db.select(Unit.id).where(Unit.kind != "province"))]
            staff = [dict(full_name=f"Nguyễn Văn {rng.choice(GIVEN)} {n}", position="Công chức", staff_kind="cong_chuc",
                          unit_id=rng.choice(unit_ids), counter_number=str(rng.randint(1, 6)), badge_code=f"S-{n:06d}",
                          active=True, is_leader=False) for n in range(staff_count)]
            for start in range(0, len(staff), 5000):
                db.session.execute(insert(Staff), staff[start:start + 5000])
            db.session.commit()
            sample = rng.sample(sorted(names), min(texts_count, len(names)))
            texts = [f"cán bộ quầy {rng.randint(1, 6)} trung tâm hành chính công xã {n} quát tôi, đòi tiền"
                     for n in sample[: texts_count * 2 // 3]]
            texts += ["chị cán bộ nói năng cộc lốc, bắt bổ sung giấy tờ ba lần"] * (texts_count - len(texts))
        _measure(app, texts, f"{units_count} units, {staff_count} staff")


def run(argv):
    texts = int_arg(argv, "texts", 300)
    demo(texts)
    large(int_arg(argv, "units", 3500), int_arg(argv, "staff", 100_000), texts)
    print("aims: under 20 ms at the demo's size, under 50 ms at 3,500 units and 100,000 staff")
