"""Search over published answers, accents optional, and keyset paging (runs on SQLite and PostgreSQL)."""
from datetime import timedelta

import pytest
from sqlalchemy import text

from feedback.extensions import db
from feedback.models import PublishedAnswer, utcnow
from feedback.publication.search import BoardQuery, board_page
from tests import factories
from tests.publication.helpers import publish


@pytest.fixture
def corpus(app):
    tree = factories.province_tree()
    category = factories.category("thai-do", name_vi="Thái độ phục vụ")
    now = utcnow()
    answers = {
        "attitude": publish(tree["a"], category, "Công chức có thái độ hách dịch với người dân",
                            "Đơn vị đã chấn chỉnh.", published_at=now - timedelta(hours=1)),
        "road": publish(tree["b"], category, "Đường vào xã bị sạt lở, đi lại khó khăn",
                        "Đã sửa đường.", published_at=now - timedelta(hours=2)),
        "danang": publish(tree["a"], None, "Hồ sơ chuyển từ Đà Nẵng bị trả lại",
                          "Đã hướng dẫn công dân.", published_at=now - timedelta(hours=3)),
        "other": publish(tree["b"], None, "Kiến nghị thêm ghế chờ", "Đã bổ sung ghế.",
                         published_at=now - timedelta(hours=4)),
    }
    db.session.commit()
    return answers


def refs(page):
    return [row.public_ref for row in page.rows]


@pytest.mark.parametrize("query, key", [
    ("thai do", "attitude"),
    ("thái độ", "attitude"),
    ("THAI ĐỘ hach dich", "attitude"),
    ("duong", "road"),
    ("đường sạt lở", "road"),
    ("da nang", "danang"),
    ("Đà Nẵng", "danang"),
    ("DA NANG", "danang"),
])
def test_accents_are_optional(corpus, query, key):
    page = board_page(BoardQuery(q=query))
    assert refs(page) == [corpus[key].public_ref]


def test_search_every_word_must_match_and_nothing_found_is_empty(corpus):
    assert refs(board_page(BoardQuery(q="duong ghe"))) == []
    assert refs(board_page(BoardQuery(q="xyzzy"))) == []


def test_relevance_order_and_its_cursor(corpus, app):
    category = corpus["road"].complaint.category
    unit = corpus["road"].complaint.unit
    # More occurrences of the word rank higher even though it is older.
    strong = publish(unit, category, "Đường đường đường: đường xuống cấp", "Sửa đường ngay.",
                     published_at=utcnow() - timedelta(days=2))
    db.session.commit()
    first = board_page(BoardQuery(q="duong", sort="relevance", limit=1))
    assert refs(first) == [strong.public_ref]
    second = board_page(BoardQuery(q="duong", sort="relevance", limit=1, cursor=first.next_cursor))
    assert refs(second) == [corpus["road"].public_ref]
    assert second.next_cursor is None


def test_board_through_http_accepts_unaccented_query(client, corpus):
    page = client.get("/answers?q=thai+do")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "thái độ hách dịch" in html
    assert "sạt lở" not in html


def test_paging_is_stable_while_answers_are_published(corpus, app):
    tree_unit = corpus["other"].complaint.unit
    base = utcnow() - timedelta(days=1)
    # 7 more answers: 11 in all, pages of 4.
    for i in range(7):
        publish(tree_unit, None, f"Phản ánh số {i}", "Trả lời.", published_at=base - timedelta(minutes=i))
    db.session.commit()
    expected = [r.public_ref for r in db.session.scalars(
        db.select(PublishedAnswer).order_by(PublishedAnswer.published_at.desc(), PublishedAnswer.id.desc()))]
    first = board_page(BoardQuery(limit=4))
    assert refs(first) == expected[:4]
    # Two answers are published between page 1 and page 2 (newer than everything).
    publish(tree_unit, None, "Mới công khai 1", "Trả lời.", published_at=utcnow())
    publish(tree_unit, None, "Mới công khai 2", "Trả lời.", published_at=utcnow() + timedelta(seconds=1))
    db.session.commit()
    seen, cursor = refs(first), first.next_cursor
    while cursor:
        page = board_page(BoardQuery(limit=4, cursor=cursor))
        seen += refs(page)
        cursor = page.next_cursor
    assert seen == expected  # no duplicates, no gaps, same order


def test_http_next_link_walks_the_whole_board(client, corpus):
    html = client.get("/answers?unit=XA-A").get_data(as_text=True)
    assert 'rel="next"' not in html
    assert html.count('class="card answer-item"') == 2  # subtree of XA-A: attitude + danang


def test_malformed_cursor_starts_from_the_top(client, corpus):
    page = client.get("/answers?cursor=not-a-cursor")
    assert page.status_code == 200
    assert "thái độ hách dịch" in page.get_data(as_text=True)


def test_postgres_uses_tsvector_gin_and_a_timeout(postgres, corpus):
    with postgres.connect() as connection:
        index = connection.execute(text(
            "SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_published_answers_search_vector'")).scalar()
        folded = connection.execute(text(
            "SELECT search_vector::text FROM published_answers WHERE public_ref = :ref"),
            {"ref": corpus["road"].public_ref}).scalar()
    assert "gin" in index.lower() and "search_vector" in index
    assert "'duong'" in folded and "'sat'" in folded
    board_page(BoardQuery(q="duong"))
    assert db.session.execute(text("SHOW statement_timeout")).scalar() == "3s"


def test_sqlite_fts5_index(make_app, tmp_path):
    """The embedded default: FTS5 over folded text, created with the table and by ensure_search_index()."""
    app = make_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'fts.sqlite3'}")
    with app.app_context():
        db.create_all()
        tree = factories.province_tree()
        answer = publish(tree["a"], None, "Cán bộ Đội thuế đòi tiền", "Đã xử lý.")
        db.session.commit()
        assert refs(board_page(BoardQuery(q="doi tien"))) == [answer.public_ref]
        assert refs(board_page(BoardQuery(q="đòi tiền"))) == [answer.public_ref]
        count = db.session.execute(text(
            "SELECT count(*) FROM published_answers_fts WHERE published_answers_fts MATCH 'doi'")).scalar()
        assert count == 1
        # A database migrated from the models has the table but no FTS structures yet: the first search
        # creates them and indexes the rows already there.
        from feedback.publication import index

        for name in ("published_answers_fts_ai", "published_answers_fts_ad", "published_answers_fts_au"):
            db.session.execute(text(f"DROP TRIGGER {name}"))
        db.session.execute(text("DROP TABLE published_answers_fts"))
        db.session.commit()
        later = publish(tree["b"], None, "Thái độ cửa khẩu", "Đã xử lý.")
        db.session.commit()
        index._ready.clear()
        assert refs(board_page(BoardQuery(q="thai do"))) == [later.public_ref]
        assert refs(board_page(BoardQuery(q="doi tien"))) == [answer.public_ref]
        db.session.remove()
        db.drop_all()
