"""Small builders for test data; each commits nothing, the caller does."""
import itertools

from feedback.extensions import db
from feedback.models import Category, Staff, Unit, User

_seq = itertools.count(1)


def unit(code=None, name=None, kind="commune", parent=None, **kw):
    code = code or f"U{next(_seq)}"
    obj = Unit(code=code, name=name or f"Đơn vị {code}", kind=kind, parent=parent,
               path=Unit.path_for(code, parent), **kw)
    db.session.add(obj)
    db.session.flush()
    return obj


def staff(unit_obj, full_name=None, position="Công chức một cửa", **kw):
    obj = Staff(full_name=full_name or f"Nguyễn Văn {next(_seq)}", position=position, unit=unit_obj, **kw)
    db.session.add(obj)
    db.session.flush()
    return obj


def user(role="handler", unit_obj=None, email=None, password="correct horse battery", **kw):
    obj = User(email=email or f"user{next(_seq)}@example.vn", full_name=kw.pop("full_name", "Người dùng thử"),
               role=role, unit=unit_obj, **kw)
    obj.set_password(password)
    db.session.add(obj)
    db.session.flush()
    return obj


def category(code=None, kind="staff_complaint", **kw):
    code = code or f"C{next(_seq)}"
    kw.setdefault("accept_days", 1)
    kw.setdefault("answer_days", 10)
    obj = Category(code=code, name_vi=kw.pop("name_vi", f"Loại {code}"), name_en=kw.pop("name_en", f"Category {code}"),
                   kind=kind, **kw)
    db.session.add(obj)
    db.session.flush()
    return obj


def province_tree():
    """A province with a monitoring office and two communes, each with a one-stop counter."""
    province = unit("KH", "Tỉnh Khánh Hòa", kind="province")
    monitor = unit("KH-SNV", "Sở Nội vụ", kind="department", parent=province, is_monitoring_office=True)
    commune_a = unit("XA-A", "Phường Nha Trang", kind="ward", parent=province)
    commune_b = unit("XA-B", "Xã Cam Lâm", kind="commune", parent=province)
    counter_a = unit("XA-A-MC", "Bộ phận Một cửa phường Nha Trang", kind="one_stop", parent=commune_a)
    return {"province": province, "monitor": monitor, "a": commune_a, "b": commune_b, "counter_a": counter_a}


def kiosk(unit_obj, name=None, counter_number=None, **kw):
    """A registered kiosk; returns (kiosk, device token in clear)."""
    from feedback.models import Kiosk

    obj = Kiosk(name=name or f"Máy đánh giá {next(_seq)}", unit=unit_obj, counter_number=counter_number, **kw)
    token = obj.issue_token()
    db.session.add(obj)
    db.session.flush()
    return obj, token


def intake_item(kind="voicemail", **kw):
    """An item waiting in the operator queue (as the hotline webhooks create them)."""
    from feedback.models import IntakeItem

    n = next(_seq)
    kw.setdefault("from_phone", "+84905000%03d" % (n % 1000))
    if kind == "voicemail":
        kw.setdefault("recording_url", f"https://api.twilio.com/recordings/RE{n:032d}")
        kw.setdefault("recording_sid", f"RE{n:032d}")
    obj = IntakeItem(kind=kind, **kw)
    db.session.add(obj)
    db.session.flush()
    return obj
