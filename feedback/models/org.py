"""The organisation: units, the staff citizens can name, and user accounts."""
from datetime import date, datetime

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, ForeignKey, String, select, true
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from feedback.extensions import db
from feedback.models.base import random_code, utcnow

UNIT_KINDS = {
    "province": "Tỉnh",
    "department": "Sở, ban, ngành",
    "agency": "Cơ quan, đơn vị",
    "commune": "Xã",
    "ward": "Phường",
    "special_zone": "Đặc khu",
    "office": "Phòng, ban chuyên môn",
    "service_centre": "Trung tâm Phục vụ hành chính công",
    "one_stop": "Trung tâm Phục vụ hành chính công",
}

# Kinds of the commune-level units (xã, phường, đặc khu).
COMMUNE_KINDS = ("commune", "ward", "special_zone")

STAFF_KINDS = {
    "can_bo": "Cán bộ",
    "cong_chuc": "Công chức",
    "vien_chuc": "Viên chức",
    "other": "Khác",
}

ROLES = {
    "admin": "Quản trị hệ thống",
    "monitor": "Cơ quan theo dõi, kiểm tra",
    "unit_head": "Thủ trưởng đơn vị",
    "handler": "Chuyên viên xử lý",
    "operator": "Tổng đài viên",
}
# Roles that must use a second factor (TOTP) to sign in.
ROLES_REQUIRING_TOTP = {"admin", "monitor"}


class Unit(db.Model):
    __tablename__ = "units"
    __table_args__ = (CheckConstraint(f"kind IN ({', '.join(repr(k) for k in UNIT_KINDS)})", name="kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str | None] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    # Materialised path of unit codes ("/KH/KH-SNV/"): a subtree is a prefix match on an index.
    path: Mapped[str] = mapped_column(String(500), index=True)
    hotline: Mapped[str | None] = mapped_column(String(40))
    email: Mapped[str | None] = mapped_column(String(200))
    address: Mapped[str | None] = mapped_column(String(300))
    opening_hours: Mapped[str | None] = mapped_column(String(200))
    head_staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id", use_alter=True))
    # A deputy acting as head while the head is away is treated as the head for routing.
    acting_head_staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id", use_alter=True))
    is_monitoring_office: Mapped[bool] = mapped_column(default=False)
    active_from: Mapped[date | None] = mapped_column(db.Date)
    active_to: Mapped[date | None] = mapped_column(db.Date)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    parent: Mapped["Unit | None"] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list["Unit"]] = relationship(back_populates="parent", order_by="Unit.name")
    head: Mapped["Staff | None"] = relationship(foreign_keys=[head_staff_id], post_update=True)
    acting_head: Mapped["Staff | None"] = relationship(foreign_keys=[acting_head_staff_id], post_update=True)

    def __repr__(self):
        return f"<Unit {self.code}>"

    @staticmethod
    def path_for(code, parent=None):
        """The materialised path of a unit with this code under this parent."""
        return (parent.path if parent else "/") + code + "/"

    def is_within(self, other):
        """True when this unit is `other` or lies in its subtree."""
        return other is not None and self.path.startswith(other.path)

    @property
    def root_path(self):
        """The path of the unit at the top of this one's tree ("/KH/" for "/KH/KH-SNV/")."""
        return "/" + self.path.strip("/").split("/")[0] + "/"

    def ancestors(self):
        """Parents from the nearest up to the root."""
        unit, found = self.parent, []
        while unit is not None:
            found.append(unit)
            unit = unit.parent
        return found

    def monitoring_office(self):
        """The nearest monitoring office whose subtree holds this unit (or None)."""
        codes = [c for c in self.path.strip("/").split("/") if c]
        prefixes = ["/" + "/".join(codes[: i + 1]) + "/" for i in range(len(codes))]
        offices = db.session.scalars(
            select(Unit).where(Unit.is_monitoring_office.is_(True))
        ).all()
        best = None
        for office in offices:
            scope = office.parent if office.parent else office
            if scope.path in prefixes and (best is None or len(scope.path) > len(best[0])):
                best = (scope.path, office)
        return best[1] if best else None

    def is_active_on(self, day):
        return (self.active_from is None or self.active_from <= day) and (
            self.active_to is None or day <= self.active_to
        )

    @classmethod
    def subtree_clause(cls, root):
        """WHERE clause selecting `root` and every unit below it."""
        return cls.path_subtree_clause(root.path)

    @classmethod
    def path_subtree_clause(cls, path):
        """WHERE clause selecting the unit with this materialised path and every unit below it."""
        return cls.path.startswith(path, autoescape=True)

    @classmethod
    def top(cls):
        """The unit at the top of the tree (the province), or None in an empty directory."""
        return db.session.scalar(select(cls).where(cls.parent_id.is_(None)).order_by(cls.id).limit(1))

    @classmethod
    def currently_active(cls, day):
        return (cls.active_from.is_(None) | (cls.active_from <= day)) & (
            cls.active_to.is_(None) | (cls.active_to >= day)
        )


class Staff(db.Model):
    __tablename__ = "staff"
    __table_args__ = (
        CheckConstraint(f"staff_kind IN ({', '.join(repr(k) for k in STAFF_KINDS)})", name="staff_kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    full_name: Mapped[str] = mapped_column(String(120))
    position: Mapped[str] = mapped_column(String(120))
    staff_kind: Mapped[str] = mapped_column(String(20), default="cong_chuc")
    # Leaders can be removed from office (cách chức); it changes the discipline forms that apply.
    is_leader: Mapped[bool] = mapped_column(default=False)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    counter_number: Mapped[str | None] = mapped_column(String(20))
    badge_code: Mapped[str | None] = mapped_column(String(40), unique=True)
    # Random public reference, used in the public directory and Open311 instead of the id.
    public_ref: Mapped[str] = mapped_column(String(12), unique=True, default=lambda: random_code(8))
    photo_path: Mapped[str | None] = mapped_column(String(300))
    active: Mapped[bool] = mapped_column(default=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    unit: Mapped[Unit] = relationship(foreign_keys=[unit_id])
    user: Mapped["User | None"] = relationship(back_populates="staff")

    def __repr__(self):
        return f"<Staff {self.full_name}>"

    @property
    def kind_label(self):
        return STAFF_KINDS.get(self.staff_kind, self.staff_kind)


class User(UserMixin, db.Model):
    __tablename__ = "users"
    __table_args__ = (CheckConstraint(f"role IN ({', '.join(repr(r) for r in ROLES)})", name="role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(200), unique=True)
    full_name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(300))
    role: Mapped[str] = mapped_column(String(20))
    # The subtree this user may see and act on; None only for province-wide admins.
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    is_active_account: Mapped[bool] = mapped_column("is_active", default=True)
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_enabled: Mapped[bool] = mapped_column(default=False)
    totp_last_counter: Mapped[int | None] = mapped_column()
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None] = mapped_column()
    last_login_at: Mapped[datetime | None] = mapped_column()
    must_change_password: Mapped[bool] = mapped_column(default=False)
    # Part of every session's id: raising it (sign-out, password change) ends all of this user's sessions.
    session_version: Mapped[int] = mapped_column(default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    unit: Mapped[Unit | None] = relationship()
    staff: Mapped["Staff | None"] = relationship(back_populates="user", uselist=False)

    def __repr__(self):
        return f"<User {self.email} {self.role}>"

    @property
    def is_active(self):
        return self.is_active_account

    def get_id(self):
        """What the session cookie holds: the id and the session version (see `end_sessions`)."""
        return f"{self.id}.{self.session_version}"

    def end_sessions(self):
        """Every session signed in so far stops working at its next request."""
        self.session_version = (self.session_version or 0) + 1

    def set_password(self, password):
        from flask import current_app, has_app_context

        method = current_app.config.get("PASSWORD_HASH_METHOD", "scrypt") if has_app_context() else "scrypt"
        self.password_hash = generate_password_hash(password, method=method)

    def check_password(self, password):
        return check_password_hash(self.password_hash, password)

    @property
    def needs_totp(self):
        return self.role in ROLES_REQUIRING_TOTP

    @property
    def role_label(self):
        return ROLES.get(self.role, self.role)

    def can_see_unit(self, unit):
        """Role scoping: a user sees their unit and everything below it."""
        if self.unit is None:
            return True
        return unit is not None and unit.is_within(self.unit)

    def unit_scope_clause(self, unit_id_column):
        """WHERE clause limiting a unit-id column to this user's subtree."""
        if self.unit is None:
            return true()
        return unit_id_column.in_(select(Unit.id).where(Unit.subtree_clause(self.unit)))


class LoginThrottle(db.Model):
    """Failed sign-ins of one account from one place (a known device, else an address), with its lock.

    Keyed by account *and* place, so wrong passwords typed by a stranger slow the stranger down
    and never lock the owner out of their own device or office.
    """

    __tablename__ = "login_throttles"

    key: Mapped[str] = mapped_column(String(120), primary_key=True)
    failures: Mapped[int] = mapped_column(default=0)
    locks: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None] = mapped_column()
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
