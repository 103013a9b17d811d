"""The organisation as the matcher reads it: every unit's names and every staff member's handles.

Built from the database (units and staff as they are now) and cached until either table changes.
"""
import re
from dataclasses import dataclass, field

from sqlalchemy import func, select

from feedback.calendar import local_today
from feedback.extensions import db
from feedback.models import Staff, Unit
from feedback.models.org import COMMUNE_KINDS
from feedback.triage.text import tokens

KIND_WORDS = {"commune": ("xa",), "ward": ("phuong",), "special_zone": ("dac khu",)}
# Words that say the text is about the counters of the commune's service centre.
SERVICE_CENTRE_WORDS = ("mot cua", "quay", "trung tam phuc vu", "hanh chinh cong", "trung tam", "ho so", "thu tuc", "nop", "tiep nhan",
                        "tra ket qua", "giay hen", "phieu hen", "bo sung", "chung thuc", "khai sinh", "ho tich",
                        "so do", "dat dai", "dang ky")
# Offices of a commune named by their words (code suffix -> words).
OFFICE_WORDS = {
    "VHXH": ("van hoa xa hoi", "phong van hoa", "chinh sach xa hoi", "bao tro xa hoi"),
    "KT": ("phong kinh te", "ha tang va do thi"),
    "VP": ("van phong hdnd", "van phong ubnd", "chanh van phong"),
}
# Old and short names of departments citizens still use (folded) -> the code suffix of today's unit.
DEPARTMENT_ALIASES = {
    "so tai nguyen": "SNNMT", "so tai nguyen va moi truong": "SNNMT", "so nong nghiep": "SNNMT",
    "so tn mt": "SNNMT", "so tnmt": "SNNMT", "so nn mt": "SNNMT",
    "trung tam hanh chinh cong tinh": "TTPVHCC", "trung tam phuc vu hanh chinh cong tinh": "TTPVHCC",
    "hanh chinh cong tinh": "TTPVHCC",
}
KINSHIP = ("anh", "chi", "co", "chu", "ong", "ba", "bac", "em", "di", "cau", "thim", "mo")
# Words after a kinship word that are not a given name ("chị cán bộ", "anh bảo vệ").
NOT_A_NAME = {"can", "cong", "tiep", "o", "ay", "kia", "do", "nay", "ta", "la", "thi", "voi",
              "noi", "bi", "da", "khong", "chu", "nguoi", "quay", "lanh", "pho", "truong", "giam", "van"}
# Two words that are a job, not a name, though the first is a given name too ("anh Bảo" / "anh bảo vệ").
NOT_A_NAME_PAIRS = {("nhan", "vien"), ("bao", "ve"), ("tai", "xe"), ("thu", "quy"), ("ke", "toan")}


@dataclass
class UnitEntry:
    id: int
    code: str
    name: str
    kind: str
    commune_id: int | None  # the commune-level unit this one belongs to (itself for a commune)


@dataclass
class StaffEntry:
    id: int
    badge: str | None
    unit_id: int
    commune_id: int | None
    full: str  # folded full name
    given: str  # folded given name (last word)
    counter: str | None
    position: str  # folded position


@dataclass
class Directory:
    units: dict = field(default_factory=dict)  # id -> UnitEntry
    aliases: dict = field(default_factory=dict)  # tuple of words -> [(unit id, strength)]
    commune_offices: dict = field(default_factory=dict)  # commune id -> {suffix or kind: unit id}
    staff_by_commune: dict = field(default_factory=dict)  # commune id (or unit id) -> [StaffEntry]
    by_code: dict = field(default_factory=dict)
    by_badge: dict = field(default_factory=dict)
    max_alias_words: int = 1
    # Words of units' and people's names: they say who and where, never what happened.
    name_words: set = field(default_factory=set)

    def add_alias(self, words, unit_id, strength):
        words = tuple(words)
        if not words:
            return
        entries = self.aliases.setdefault(words, [])
        if all(u != unit_id for u, _s in entries):
            entries.append((unit_id, strength))
        self.max_alias_words = max(self.max_alias_words, len(words))


_KIND_PREFIX = re.compile(r"^(?:ubnd )?(?:xa|phuong|dac khu) ")


def _place(unit_name):
    """'UBND xã Vạn Ninh' -> ['van', 'ninh']."""
    return _KIND_PREFIX.sub("", " ".join(tokens(unit_name))).split()


def _acronym(words):
    return "".join(w[0] for w in words if w not in ("va",))


def build_directory():
    """Read units and staff into a Directory (the matcher's index)."""
    directory = Directory()
    today = local_today()
    units = [u for u in db.session.scalars(select(Unit).order_by(Unit.path)).all() if u.is_active_on(today)]
    by_id = {u.id: u for u in units}

    def commune_of(unit):
        node = unit
        while node is not None and node.kind not in COMMUNE_KINDS:
            node = by_id.get(node.parent_id)
        return node.id if node is not None else None

    for unit in units:
        entry = UnitEntry(unit.id, unit.code, unit.name, unit.kind, commune_of(unit))
        directory.units[unit.id] = entry
        directory.by_code[unit.code] = unit.id
        words = tokens(unit.name)
        directory.name_words.update(words)
        if unit.kind in COMMUNE_KINDS:
            place = _place(unit.name)
            directory.add_alias(place, unit.id, 0.9)
            for kind_word in KIND_WORDS[unit.kind]:
                directory.add_alias(kind_word.split() + place, unit.id, 1.0)
            directory.add_alias(["ubnd"] + place, unit.id, 1.0)
            directory.commune_offices.setdefault(unit.id, {})["UBND"] = unit.id
        elif entry.commune_id is not None:
            suffix = "MC" if unit.kind == "one_stop" else unit.code.rsplit("-", 1)[-1]
            directory.commune_offices.setdefault(entry.commune_id, {})[suffix] = unit.id
        elif unit.kind != "province":
            directory.add_alias(words, unit.id, 1.0)
            name_words = [w for w in words if w not in ("tinh", "khanh", "hoa")]
            if name_words and name_words[0] == "so" and len(name_words) > 1:
                directory.add_alias(["so"] + name_words[1:], unit.id, 1.0)
                directory.add_alias(["so", _acronym(name_words[1:])], unit.id, 0.95)
                directory.add_alias([_acronym(name_words)], unit.id, 0.95)
    for alias, suffix in DEPARTMENT_ALIASES.items():
        unit_id = next((i for i, u in directory.units.items() if u.code.endswith("-" + suffix)
                        and u.commune_id is None), None)
        if unit_id is not None:
            directory.add_alias(alias.split(), unit_id, 0.95)

    rows = db.session.execute(select(Staff.id, Staff.badge_code, Staff.unit_id, Staff.full_name, Staff.counter_number,
                                     Staff.position).where(Staff.active.is_(True))).all()
    for staff_id, badge, unit_id, full_name, counter, position in rows:
        unit = directory.units.get(unit_id)
        if unit is None:
            continue
        full = " ".join(tokens(full_name))
        directory.name_words.update(full.split())
        entry = StaffEntry(staff_id, badge, unit_id, unit.commune_id, full, full.split()[-1] if full else "",
                           (counter or "").strip() or None, " ".join(tokens(position)))
        directory.staff_by_commune.setdefault(unit.commune_id or unit_id, []).append(entry)
        if badge:
            directory.by_badge[badge.upper()] = entry
    return directory


_cache = {}


def current_directory():
    """The Directory, rebuilt when units or staff changed; checked at most every TRIAGE_DIRECTORY_TTL
    seconds (the check reads the staff table: at 100,000 staff it costs more than a suggestion)."""
    from time import monotonic

    from flask import current_app

    ttl = current_app.config.get("TRIAGE_DIRECTORY_TTL", 30)
    cached = _cache.get("directory")
    if cached is not None and ttl and cached[2] > monotonic() and cached[0][0] == str(db.engine.url):
        return cached[1]
    units = db.session.execute(select(func.count(Unit.id), func.max(Unit.id), func.sum(Unit.head_staff_id))).one()
    staff = db.session.execute(select(func.count(Staff.id), func.max(Staff.id),
                                      func.sum(func.length(Staff.full_name) + Staff.unit_id)).where(
        Staff.active.is_(True))).one()
    key = (str(db.engine.url), tuple(units), tuple(staff))
    directory = cached[1] if cached is not None and cached[0] == key else build_directory()
    _cache["directory"] = (key, directory, monotonic() + (ttl or 0))
    return directory
