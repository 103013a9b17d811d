"""CSV import of a staff list: good rows saved, bad rows reported by line with a Vietnamese reason."""
import io

from sqlalchemy import func, select

from feedback.admin.services import import_staff_csv
from feedback.extensions import db
from feedback.models import AuditEvent, Staff
from tests import factories

HEADER = "full_name,position,staff_kind,unit_code,counter_number,badge_code,is_leader\n"


def _upload(client, content, name="can-bo.csv"):
    data = content.encode("utf-8") if isinstance(content, str) else content
    return client.post("/admin/staff/import", data={"file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def _count():
    return db.session.scalar(select(func.count(Staff.id)))


def test_good_and_bad_rows(app, as_province_admin, tree):
    factories.staff(tree["b"], "Đã có", badge_code="OLD-1")
    db.session.commit()
    content = HEADER + (
        "Nguyễn Thị Lan,Công chức một cửa,cong_chuc,XA-A-MC,3,NT-0001,0\n"   # line 2: good
        "Trần Văn Hùng,Chủ tịch UBND,Cán bộ,xa-a,,NT-0002,có\n"               # line 3: good (label, lower-case code)
        ",Văn thư,vien_chuc,XA-A,,,0\n"                                       # line 4: missing name
        "Lê Thị Mai,Kế toán,giam_doc,XA-A,,,0\n"                              # line 5: bad kind
        "Phạm Văn Nam,Địa chính,cong_chuc,XA-ZZ,,,0\n"                        # line 6: unknown unit
        "Võ Thị Oanh,Tư pháp,cong_chuc,XA-B,,NT-0001,0\n"                     # line 7: badge duplicate in file
        "Đặng Văn Phú,Tư pháp,cong_chuc,XA-B,,OLD-1,0\n"                      # line 8: badge already in DB
        "\n"                                                                  # line 9: blank, skipped
        "Bùi Thị Quyên,Viên chức,viên chức,XA-B,2,,1\n"                       # line 10: good
    )
    response = _upload(as_province_admin, "\ufeff" + content)
    text = response.get_data(as_text=True)
    assert response.status_code == 200
    assert '<strong id="imported-count">3</strong>' in text
    assert '<strong id="rejected-count">5</strong>' in text
    for line, reason in [(4, "thiếu họ tên"), (5, "loại cán bộ không hợp lệ “giam_doc”"),
                         (6, "không có đơn vị mã “XA-ZZ”"), (7, "mã thẻ “NT-0001” trùng với dòng 2"),
                         (8, "mã thẻ “OLD-1” đã có trong danh bạ")]:
        assert f"<tr><td>{line}</td><td>{reason}" in text, (line, reason)
    db.session.expire_all()
    names = set(db.session.scalars(select(Staff.full_name)))
    assert names == {"Đã có", "Nguyễn Thị Lan", "Trần Văn Hùng", "Bùi Thị Quyên"}
    hung = db.session.scalar(select(Staff).where(Staff.badge_code == "NT-0002"))
    assert hung.staff_kind == "can_bo" and hung.is_leader and hung.unit_id == tree["a"].id
    quyen = db.session.scalar(select(Staff).where(Staff.full_name == "Bùi Thị Quyên"))
    assert quyen.staff_kind == "vien_chuc" and quyen.counter_number == "2" and quyen.badge_code is None
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "admin.staff_imported"))
    assert event.data["imported"] == 3 and event.data["lines_rejected"] == [4, 5, 6, 7, 8]


def test_without_bom_and_with_semicolons(app, as_province_admin, tree):
    content = HEADER.replace(",", ";") + "Nguyễn Văn Sơn;Công chức;cong_chuc;XA-B;1;S-1;0\n"
    text = _upload(as_province_admin, content).get_data(as_text=True)
    assert '<strong id="imported-count">1</strong>' in text
    assert db.session.scalar(select(Staff.full_name).where(Staff.badge_code == "S-1")) == "Nguyễn Văn Sơn"


def test_whole_file_refused_for_bad_encoding_or_missing_columns(app, as_province_admin, tree):
    latin = (HEADER + "Nguyễn Văn Tú,Công chức,cong_chuc,XA-B,,,0\n").encode("cp1258", errors="replace")
    assert "bảng mã UTF-8" in _upload(as_province_admin, latin + b"\xff").get_data(as_text=True)
    text = _upload(as_province_admin, "ho_ten,chuc_vu\nA,B\n").get_data(as_text=True)
    assert "Thiếu cột bắt buộc: full_name, position, staff_kind, unit_code" in text
    assert "Vui lòng chọn tệp CSV." in as_province_admin.post(
        "/admin/staff/import", data={}, content_type="multipart/form-data").get_data(as_text=True)
    assert _count() == 0


def test_scoped_admin_imports_only_into_the_own_subtree(app, admin_a, tree):
    report = import_staff_csv(admin_a, (HEADER + "A,Công chức,cong_chuc,XA-A-MC,,,0\nB,Công chức,cong_chuc,XA-B,,,0\n").encode())
    assert [m.full_name for m in report.imported] == ["A"]
    assert report.errors == [(3, "không có đơn vị mã “XA-B” trong phạm vi quản lý")]


def test_a_row_failing_in_the_database_saves_nothing_and_the_rest_go_in(app, province_admin, tree, monkeypatch):
    """Even a failure the checks do not foresee leaves no half-saved row behind."""
    from sqlalchemy.exc import IntegrityError

    original_flush = db.session.flush
    calls = {"n": 0}

    def flaky_flush(*args, **kwargs):
        pending = [o for o in db.session.new if isinstance(o, Staff)]
        if pending and pending[0].full_name == "Hỏng":
            raise IntegrityError("INSERT", {}, Exception("boom"))
        calls["n"] += 1
        return original_flush(*args, **kwargs)

    monkeypatch.setattr(db.session, "flush", flaky_flush)
    report = import_staff_csv(province_admin, (HEADER + "Tốt 1,CC,cong_chuc,XA-B,,,0\nHỏng,CC,cong_chuc,XA-B,,,0\n"
                                                        "Tốt 2,CC,cong_chuc,XA-B,,,0\n").encode())
    monkeypatch.undo()
    db.session.commit()
    assert [line for line, _r in report.errors] == [3]
    assert set(db.session.scalars(select(Staff.full_name))) == {"Tốt 1", "Tốt 2"}
