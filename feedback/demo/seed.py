"""`flask seed-demo`: Khánh Hòa with its 65 communes, departments, staff, users, kiosks, ratings and cases.

Idempotent: every row is keyed by a code, an e-mail, a badge code, a kiosk token, a rating's
client uuid or a case's submission key, and only what is missing is created. A fixed random
seed makes two runs on two machines produce the same organisation and the same stories.
"""
import base64
import hashlib
import hmac
import random
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, insert, select, update

from feedback import audit
from feedback.calendar import to_local, to_utc, working_calendar
from feedback.cases.workflow import transition
from feedback.demo import data
from feedback.extensions import db
from feedback.intake.services import create_case
from feedback.messaging import notify_complainant
from feedback.models import (
    Answer, CaseEvent, Category, Complaint, DisciplineDecision, Kiosk, Rating, Staff, Unit, User, Verification,
    utcnow,
)

COMMUNE_KINDS = {"phường": "ward", "xã": "commune", "đặc khu": "special_zone"}
COMMUNE_KIND_EN = {"ward": "Ward", "commune": "Commune", "special_zone": "Special Zone"}
COMMUNE_KIND_LABEL = {"ward": "phường", "commune": "xã", "special_zone": "đặc khu"}
RATING_COUNT = 3000
CASE_COUNT = 140
STATES = ("received", "accepted", "declined", "verifying", "concluded", "answered", "published", "closed")


OFFICE_NAMES_EN = {
    ("VP", False): "Office of the People's Council and People's Committee",
    ("VP", True): "Office of the People's Council and People's Committee",
    ("KT", False): "Economic Office", ("KT", True): "Office of Economy, Infrastructure and Urban Affairs",
    ("VHXH", False): "Culture and Social Affairs Office", ("VHXH", True): "Culture and Social Affairs Office",
}


def office_name(office, commune_kind):
    """A commune office's name: some differ in a phường ("Phòng Kinh tế, Hạ tầng và Đô thị")."""
    _suffix, name, ward_name, *_positions = office
    return ward_name if commune_kind == "ward" and ward_name else name


def slug(text):
    """'Phường Nha Trang' -> 'nhatrang' (for e-mail addresses)."""
    text = text.replace("Đ", "D").replace("đ", "d")
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    folded = folded.removeprefix("ubnd ")
    for prefix in ("phuong ", "xa ", "dac khu "):
        if folded.startswith(prefix):
            folded = folded[len(prefix):]
    return "".join(ch for ch in folded if ch.isalnum())


def kiosk_token(unit_code, counter):
    """The demo kiosk's device token, derived from the demo seed (printed by `flask demo-logins`)."""
    digest = hmac.new(data.DEMO_SEED.encode(), f"kiosk:{unit_code}:{counter}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")[:32]


def commune_wards():
    """The province's commune-level units from the `vietnam-provinces` package, by code."""
    from vietnam_provinces import Province, Ward

    province = next(p for p in Province.iter_all() if p.codename == "khanh_hoa")
    wards = [w for w in Ward.iter_all() if w.province_code == province.code]
    return sorted(wards, key=lambda w: w.code.value)


def demo_kiosks():
    """(unit code, counter number) of every demo kiosk: two in the first commune, three at the centre."""
    kiosks = [(f"KH-{data.KIOSK_COMMUNES[0]}-MC", "1"), (f"KH-{data.KIOSK_COMMUNES[0]}-MC", "2")]
    kiosks += [(f"KH-{code}-MC", "1") for code in data.KIOSK_COMMUNES[1:]]
    kiosks += [("KH-TTPVHCC", str(n)) for n in (1, 2, 3)]
    return kiosks


@dataclass
class Seeder:
    now: datetime
    rng: random.Random
    echo: callable = print
    units: dict = field(default_factory=dict)
    staff: dict = field(default_factory=dict)
    users: dict = field(default_factory=dict)
    categories: dict = field(default_factory=dict)
    created: dict = field(default_factory=dict)
    # unit code -> {"unit_head": User, "handler": User}
    unit_users: dict = field(default_factory=dict)
    # The case being told: its Verification and Answer rows.
    outcomes: dict = field(default_factory=dict)

    def count(self, what, n=1):
        if n:
            self.created[what] = self.created.get(what, 0) + n

    # --- people -------------------------------------------------------------------------------

    def person_name(self, cham=False):
        female = self.rng.random() < 0.55
        surname = self.rng.choice(data.CHAM_SURNAMES if cham and self.rng.random() < 0.4 else data.SURNAMES)
        middle = self.rng.choice(data.FEMALE_MIDDLE if female else data.MALE_MIDDLE)
        given = self.rng.choice(data.FEMALE_GIVEN if female else data.MALE_GIVEN)
        return f"{surname} {middle} {given}"

    def hotline(self, area="0258"):
        return f"{area} {self.rng.randint(3500, 3899)} {self.rng.randint(100, 999)}"

    # --- units --------------------------------------------------------------------------------

    def unit(self, code, name, kind, parent=None, **fields):
        existing = self.units.get(code)
        if existing is not None:
            return existing
        unit = Unit(code=code, name=name, kind=kind, parent=parent, path=Unit.path_for(code, parent), **fields)
        db.session.add(unit)
        self.units[code] = unit
        self.count("units")
        return unit

    def load_units(self):
        self.units = {u.code: u for u in db.session.scalars(select(Unit))}
        province = self.unit(
            data.PROVINCE_CODE, data.PROVINCE_NAME, "province", name_en="Khánh Hòa Province",
            hotline="0258 3822 661", email=f"ubnd@{data.DEMO_EMAIL_DOMAIN}",
            address="Số 1 Trần Phú, phường Nha Trang, tỉnh Khánh Hòa", opening_hours=data.OFFICE_HOURS,
            active_from=date(2025, 7, 1),
        )
        db.session.flush()
        for suffix, name, kind, address, hotline, mail, monitors in data.DEPARTMENTS:
            self.unit(f"KH-{suffix}", name, kind, province, hotline=hotline, email=f"{mail}@{data.DEMO_EMAIL_DOMAIN}",
                      address=f"{address}, tỉnh Khánh Hòa", is_monitoring_office=monitors,
                      opening_hours=data.OFFICE_HOURS_SATURDAY if kind == "service_centre" else data.OFFICE_HOURS,
                      active_from=date(2025, 7, 1))
        db.session.flush()
        for ward in commune_wards():
            number = str(ward.code.value)
            kind = COMMUNE_KINDS[ward.division_type.value]
            ninh_thuan = ward.code.value >= data.NINH_THUAN_FIRST_WARD
            area = "0259" if ninh_thuan else "0258"
            if kind == "ward":
                streets = data.STREETS_PHAN_RANG if ninh_thuan else data.STREETS_NHA_TRANG
                street = f"Số {self.rng.randint(1, 250)} đường {self.rng.choice(streets)}"
            else:
                street = self.rng.choice(data.VILLAGES)
            address = f"{street}, {ward.name[0].lower()}{ward.name[1:]}, tỉnh Khánh Hòa"
            mail = slug(ward.name)
            commune_hotline, one_stop_hotline = self.hotline(area), self.hotline(area)
            saturday = self.rng.random() < 0.3
            commune = self.unit(
                f"KH-{number}", f"UBND {ward.name[0].lower()}{ward.name[1:]}", kind, province,
                name_en=f"{ward.name.split(' ', 1 if kind != 'special_zone' else 2)[-1]} {COMMUNE_KIND_EN[kind]}",
                hotline=commune_hotline, email=f"ubnd.{mail}@{data.DEMO_EMAIL_DOMAIN}",
                address=address, opening_hours=data.OFFICE_HOURS, active_from=date(2025, 7, 1),
            )
            place = f"{ward.name[0].lower()}{ward.name[1:]}"
            # The commune's one-stop counters: its Trung tâm Phục vụ hành chính công (code -MC kept).
            self.unit(
                f"KH-{number}-MC", f"Trung tâm Phục vụ hành chính công {place}", "one_stop", commune,
                name_en=f"Public Administrative Service Centre, {commune.name_en}",
                hotline=one_stop_hotline, email=f"ttpvhcc.{mail}@{data.DEMO_EMAIL_DOMAIN}",
                address=f"Tầng 1, trụ sở UBND, {address}", active_from=date(2025, 7, 1),
                opening_hours=data.OFFICE_HOURS_SATURDAY if saturday else data.OFFICE_HOURS,
            )
            for suffix, name, ward_name, *_positions in data.COMMUNE_OFFICES:
                self.unit(
                    f"KH-{number}-{suffix}", f"{office_name((suffix, name, ward_name), kind)} {place}",
                    "office", commune, hotline=self.hotline(area),
                    name_en=f"{OFFICE_NAMES_EN[(suffix, kind == 'ward')]}, {commune.name_en}",
                    email=f"{suffix.lower()}.{mail}@{data.DEMO_EMAIL_DOMAIN}",
                    address=f"Tầng 2, trụ sở UBND, {address}", is_monitoring_office=suffix == "VHXH",
                    opening_hours=data.OFFICE_HOURS, active_from=date(2025, 7, 1),
                )
        db.session.flush()

    # --- staff --------------------------------------------------------------------------------

    def person(self, unit, number, position, kind, leader=False, counter=None, head=False):
        """One staff member keyed by badge code '<unit code>-NN'; set as the unit's head if asked."""
        cham = unit.code.split("-")[1].isdigit() and int(unit.code.split("-")[1]) >= data.NINH_THUAN_FIRST_WARD
        name = self.person_name(cham)
        badge = f"{unit.code}-{number:02d}"
        person = self.staff.get(badge)
        if person is None:
            person = Staff(full_name=name, position=position, staff_kind=kind, is_leader=leader, unit=unit,
                           counter_number=counter, badge_code=badge, active=True)
            db.session.add(person)
            self.staff[badge] = person
            self.count("staff")
        if head and unit.head_staff_id is None:
            db.session.flush()
            unit.head_staff_id = person.id
        return person

    def load_staff(self):
        self.staff = {s.badge_code: s for s in db.session.scalars(select(Staff).where(Staff.badge_code.is_not(None)))}
        for suffix, *_rest in data.DEPARTMENTS:
            unit = self.units[f"KH-{suffix}"]
            counter = 0
            for n, (position, kind, leader) in enumerate(data.DEPARTMENT_STAFF[suffix], start=1):
                at_counter = suffix == "TTPVHCC" and not leader
                counter += at_counter
                self.person(unit, n, position, kind, leader, counter=str(counter) if at_counter else None,
                            head=(n == 1))
        for ward in commune_wards():
            number = str(ward.code.value)
            commune = self.units[f"KH-{number}"]
            label = COMMUNE_KIND_LABEL[commune.kind]
            self.person(commune, 1, f"Chủ tịch UBND {label}", "can_bo", True, head=True)
            self.person(commune, 2, f"Phó Chủ tịch UBND {label}", "can_bo", True)
            one_stop = self.units[f"KH-{number}-MC"]
            economy = office_name(data.COMMUNE_OFFICES[1], commune.kind)
            for n, (position, kind, leader) in enumerate(data.SERVICE_CENTRE_STAFF, start=1):
                counter = None if leader else str(n - 1)
                self.person(one_stop, n, position.format(kt=economy), kind, leader, counter=counter, head=leader)
            for suffix, _name, _ward_name, head, officer in data.COMMUNE_OFFICES:
                office = self.units[f"KH-{number}-{suffix}"]
                self.person(office, 1, head, "cong_chuc", True, head=True)
                self.person(office, 2, officer, "cong_chuc", False)
        db.session.flush()

    # --- categories ---------------------------------------------------------------------------

    def load_categories(self):
        self.categories = {c.code: c for c in db.session.scalars(select(Category))}
        for order, (code, name_vi, name_en, kind, misconduct, accept, answer, template) in enumerate(data.CATEGORIES):
            if code in self.categories:
                continue
            category = Category(code=code, name_vi=name_vi, name_en=name_en, kind=kind, is_misconduct=misconduct,
                                accept_days=accept, answer_days=answer, answer_template=template,
                                sort_order=(order + 1) * 10, active=True)
            db.session.add(category)
            self.categories[code] = category
            self.count("categories")
        db.session.flush()

    # --- users --------------------------------------------------------------------------------

    def demo_users(self):
        """(email local part, role, unit code or None, full name source badge or None)."""
        users = [
            ("admin", "admin", None, None),
            ("theodoi", "monitor", data.PROVINCE_CODE, "KH-SNV-04"),
            ("cchc.snv", "monitor", data.PROVINCE_CODE, "KH-SNV-03"),
            ("tongdai", "operator", data.PROVINCE_CODE, None),
            ("tongdai2", "operator", data.PROVINCE_CODE, None),
            ("lanhdao.stp", "unit_head", "KH-STP", "KH-STP-01"),
            ("chuyenvien.stp", "handler", "KH-STP", "KH-STP-03"),
            ("lanhdao.ttpvhcc", "unit_head", "KH-TTPVHCC", "KH-TTPVHCC-01"),
            ("chuyenvien.ttpvhcc", "handler", "KH-TTPVHCC", None),
            ("lanhdao.snnmt", "unit_head", "KH-SNNMT", "KH-SNNMT-01"),
        ]
        for number in data.FOCUS_COMMUNES:
            name = slug(self.units[f"KH-{number}"].name)
            # The commune's Phòng Văn hóa - Xã hội watches the commune's subtree.
            users.append((f"theodoi.{name}", "monitor", f"KH-{number}-VHXH", f"KH-{number}-VHXH-01"))
            users.append((f"lanhdao.{name}", "unit_head", f"KH-{number}", f"KH-{number}-02"))
            users.append((f"chuyenvien.{name}", "handler", f"KH-{number}", None))
        return users

    def load_users(self):
        emails = {f"{local}@{data.DEMO_EMAIL_DOMAIN}" for local, *_ in self.demo_users()}
        self.users = {u.email: u for u in db.session.scalars(select(User).where(User.email.in_(emails)))}
        password_hash = None
        for local, role, unit_code, badge in self.demo_users():
            email = f"{local}@{data.DEMO_EMAIL_DOMAIN}"
            person = self.staff.get(badge) if badge else None
            user = self.users.get(email)
            if user is None:
                user = User(email=email, full_name=person.full_name if person else self.person_name(), role=role,
                            unit=self.units[unit_code] if unit_code else None, is_active_account=True,
                            totp_enabled=False, must_change_password=False)
                if password_hash is None:
                    user.set_password(data.DEMO_PASSWORD)
                    password_hash = user.password_hash
                user.password_hash = password_hash
                db.session.add(user)
                self.users[email] = user
                self.count("users")
            if person is not None and person.user_id is None:
                db.session.flush()
                if db.session.scalar(select(Staff.id).where(Staff.user_id == user.id)) is None:
                    person.user_id = user.id
            if role in ("unit_head", "handler") and unit_code:
                self.unit_users.setdefault(unit_code, {}).setdefault(role, user)
        db.session.flush()

    def user(self, local):
        return self.users[f"{local}@{data.DEMO_EMAIL_DOMAIN}"]

    # --- kiosks -------------------------------------------------------------------------------

    def load_kiosks(self):
        existing = set(db.session.scalars(select(Kiosk.token_hash)))
        for unit_code, counter in demo_kiosks():
            token = kiosk_token(unit_code, counter)
            if Kiosk.hash_token(token) in existing:
                continue
            unit = self.units[unit_code]
            kiosk = Kiosk(name=f"Máy đánh giá quầy {counter} - {unit.name}", unit=unit, counter_number=counter,
                          token_hash=Kiosk.hash_token(token), token_hint=token[:6], active=True)
            db.session.add(kiosk)
            self.count("kiosks")
        db.session.flush()

    # --- ratings ------------------------------------------------------------------------------

    def office_moment(self, days_ago_max, days_ago_min=0):
        """A random working-hours moment between the given days ago (naive UTC)."""
        calendar = working_calendar()
        for _ in range(20):
            day = to_local(self.now).date() - timedelta(days=self.rng.randint(days_ago_min, days_ago_max))
            if calendar.is_working_day(day):
                break
        local = datetime.combine(day, time(7, 30)) + timedelta(minutes=self.rng.randint(0, 9 * 60 + 20))
        if time(11, 30) <= local.time() < time(13, 30):
            local += timedelta(hours=2)
        return min(to_utc(local), self.now - timedelta(minutes=5))

    def load_ratings(self):
        existing = set(db.session.scalars(select(Rating.client_uuid).where(Rating.client_uuid.like("demo-r-%"))))
        rng = random.Random(data.RANDOM_SEED + 1)  # its own stream: ratings never shift the cases
        kiosks = {(k.unit_id, k.counter_number): k.id for k in db.session.scalars(select(Kiosk))}
        counters = {}
        for person in self.staff.values():
            if person.counter_number and (person.unit.kind in ("one_stop", "service_centre")):
                counters.setdefault(person.unit_id, []).append(person)
        unit_ids = sorted(counters)
        # Every counter has its own level of service; a few are clearly worse.
        quality = {unit_id: rng.uniform(0.8, 0.97) for unit_id in unit_ids}
        focus = [self.units[f"KH-{n}-MC"].id for n in data.KIOSK_COMMUNES] + [self.units["KH-TTPVHCC"].id]
        weak = self.weak_staff()
        rows = []
        for i in range(RATING_COUNT):
            client_uuid = f"demo-r-{i:05d}"
            unit_id = rng.choice(focus) if rng.random() < 0.6 else rng.choice(unit_ids)
            person = rng.choice(counters[unit_id])
            level = quality[unit_id] - (0.35 if person.badge_code == weak else 0)
            roll = rng.random()
            if roll < level:
                score = 5 if rng.random() < 0.6 else 4
            elif roll < level + (1 - level) * 0.5:
                score = 3
            else:
                score = 2 if rng.random() < 0.6 else 1
            reasons = ""
            if score <= 2:
                reasons = ",".join(rng.sample(["attitude", "waiting", "unclear_guidance", "extra_papers",
                                               "repeated_supplements", "absent"], rng.randint(1, 2)))
            elif score == 5 and rng.random() < 0.4:
                reasons = rng.choice(["good_attitude", "fast", "good_attitude,fast"])
            comment = rng.choice(data.RATING_COMMENTS[score]) if rng.random() < 0.25 else None
            day = to_local(self.now).date() - timedelta(days=rng.randint(0, 364))
            day -= timedelta(days=max(0, day.weekday() - 4))  # weekends -> the Friday before
            moment = to_utc(datetime.combine(day, time(7, 30)) + timedelta(minutes=rng.randint(0, 560)))
            moment = min(moment, self.now - timedelta(minutes=rng.randint(1, 600)))
            if client_uuid in existing:
                continue
            rows.append(dict(
                unit_id=unit_id, staff_id=person.id, kiosk_id=kiosks.get((unit_id, person.counter_number)),
                counter_number=person.counter_number, score=score, reasons=reasons, comment=comment,
                source="kiosk" if rng.random() < 0.8 else "survey", client_uuid=client_uuid, created_at=moment,
            ))
        for start in range(0, len(rows), 1000):
            db.session.execute(insert(Rating), rows[start:start + 1000])
        self.count("ratings", len(rows))

    def weak_staff(self):
        """The counter clerk named again and again in the demo (the monitoring office's register)."""
        return f"KH-{data.FOCUS_COMMUNES[0]}-MC-04"

    # --- cases --------------------------------------------------------------------------------

    def load_cases(self):
        keys = set(db.session.scalars(select(Complaint.submission_key).where(
            Complaint.submission_key.like("demo-case-%"))))
        if len(keys) >= CASE_COUNT:
            return
        for number, spec in enumerate(self.case_specs()):
            key = f"demo-case-{number:03d}"
            if key in keys:
                continue
            self.make_case(key, spec)
            self.count("cases")
            if number % 40 == 39:
                db.session.flush()

    def case_specs(self):
        """The list of cases to tell: category, unit, named staff, final state and its details."""
        rng = self.rng
        misconduct = [c for c in self.categories.values() if c.is_misconduct]
        others = [self.categories[c] for c in ("khen_ngoi", "kien_nghi", "khac")]
        one_stops = [self.units[f"KH-{n}-MC"] for n in data.FOCUS_COMMUNES]
        busy = one_stops + [self.units["KH-TTPVHCC"], self.units["KH-STP"], self.units["KH-SNNMT"]]
        all_one_stops = [u for u in self.units.values() if u.kind == "one_stop"]
        specs = []
        # The clerk named again and again: five cases in the last three months, three substantiated.
        weak = self.staff[self.weak_staff()]
        for state, conclusion, days in (("closed", "substantiated", 80), ("published", "substantiated", 50),
                                        ("answered", "partly", 30), ("concluded", "substantiated", 12),
                                        ("verifying", None, 5)):
            specs.append(dict(category=self.categories[rng.choice(["thai_do", "nhung_nhieu", "bo_sung_nhieu_lan"])],
                              unit=weak.unit, staff=weak, state=state, conclusion=conclusion, age=days))
        # A case naming a commune chairman goes up to the province; one naming the one-stop head, to the commune.
        chairman = self.staff[f"KH-{data.FOCUS_COMMUNES[1]}-01"]
        specs.append(dict(category=self.categories["thai_do"], unit=chairman.unit, staff=chairman, state="accepted",
                          age=2))
        head = self.staff[f"KH-{data.FOCUS_COMMUNES[2]}-MC-01"]
        specs.append(dict(category=self.categories["tu_choi_khong_van_ban"], unit=head.unit, staff=head,
                          state="verifying", age=6))
        # A disputed answer, re-opened and escalated to the monitoring office.
        specs.append(dict(category=self.categories["giay_to_ngoai_quy_dinh"], unit=one_stops[0],
                          staff=self.staff[f"KH-{data.FOCUS_COMMUNES[0]}-MC-03"], state="verifying", disputed=True,
                          conclusion="unsubstantiated", age=25))
        # An extended case, and overdue ones for the deadline screens.
        specs.append(dict(category=self.categories["dat_them_thu_tuc"], unit=self.units["KH-SNNMT"], staff=None,
                          state="verifying", extended=True, age=14))
        specs.append(dict(category=self.categories["tre_hen"], unit=one_stops[1], staff=None, state="received",
                          age=4))
        specs.append(dict(category=self.categories["vang_mat"], unit=one_stops[2],
                          staff=self.staff[f"KH-{data.FOCUS_COMMUNES[2]}-MC-02"], state="verifying", age=20))
        for i in range(CASE_COUNT - len(specs)):
            state = STATES[i % len(STATES)] if i < 3 * len(STATES) else rng.choice(
                ("received", "accepted", "verifying", "answered", "published", "published", "closed", "closed"))
            category = rng.choice(misconduct) if rng.random() < 0.7 else rng.choice(others)
            unit = rng.choice(busy) if rng.random() < 0.75 else rng.choice(all_one_stops)
            counter_staff = [s for s in self.staff.values() if s.unit_id == unit.id and s.counter_number]
            named = None
            if category.kind in ("staff_complaint", "compliment") and counter_staff and rng.random() < 0.8:
                named = rng.choice(counter_staff)
            if category.kind in ("suggestion", "other", "compliment") and state in ("verifying", "concluded"):
                state = "answered"
            conclusion = rng.choice(("substantiated", "partly", "unsubstantiated", "unsubstantiated",
                                     "unverifiable")) if category.kind == "staff_complaint" else None
            specs.append(dict(category=category, unit=unit, staff=named, state=state, conclusion=conclusion))
        return specs

    def steps_for(self, spec):
        """The path through the state machine to the spec's final state."""
        state, direct = spec["state"], spec["category"].kind != "staff_complaint"
        if state == "received":
            return []
        if state == "declined":
            return ["declined"]
        path = ["accepted"]
        if state == "accepted":
            return path
        if direct:
            path += ["answered"]
        else:
            path += ["verifying"]
            if state == "verifying" and not spec.get("disputed"):
                return path
            path += ["concluded"]
            if state == "concluded":
                return path
            path += ["answered"]
        if spec.get("disputed"):
            return path + ["verifying"]
        if state == "answered":
            return path
        if state == "published":
            return path + ["published"]
        # Closed: most after publication, some answered without consent to publish.
        return path + (["published", "closed"] if spec.get("publish", self.rng.random() < 0.6) else ["closed"])

    def contact(self):
        rng = self.rng
        roll = rng.random()
        if roll < 0.3:
            return None
        contact = {"full_name": self.person_name(),
                   "phone": f"+849{rng.choice('01346789')}{rng.randint(1000000, 9999999)}"}
        if roll > 0.85:
            contact["email"] = f"{slug(contact['full_name'])}{rng.randint(10, 99)}@gmail.com"
        return contact

    def actors_for(self, unit):
        """(unit head user, handler user) responsible for `unit`, from the nearest unit with demo accounts."""
        for candidate in [unit] + unit.ancestors():
            found = self.unit_users.get(candidate.code)
            if found:
                return found.get("unit_head"), found.get("handler") or found.get("unit_head")
        return None, None

    def make_case(self, key, spec):
        rng, calendar = self.rng, working_calendar()
        category, unit, person = spec["category"], spec["unit"], spec.get("staff")
        steps = self.steps_for(spec)
        texts = data.CASE_TEXTS[category.code]
        description, summary = rng.choice(texts)
        counter = person.counter_number if person and person.counter_number else str(rng.randint(1, 3))
        description, summary = description.format(counter=counter), summary.format(counter=counter)
        channel = rng.choice(("web", "web", "web", "kiosk", "voice", "sms", "operator", "counter"))
        contact = self.contact()
        if channel == "sms" and contact is None:
            contact = {"phone": f"+8490{rng.randint(1000000, 9999999)}"}
        publish = "published" in steps
        gaps = [timedelta(hours=rng.randint(2, 20))]  # received -> first step
        gaps += [timedelta(hours=rng.randint(20, 120)) for _ in steps[1:]]
        if "age" in spec:
            start = self.office_moment(spec["age"], spec["age"])
        else:
            extra = {"received": 1, "accepted": 4, "declined": 120, "verifying": 8, "concluded": 10,
                     "answered": 40, "published": 250, "closed": 330}[spec["state"]]
            start = self.office_moment(extra + 1, 0) - sum(gaps[:len(steps)], timedelta())
        start = min(start, self.now - sum(gaps[:len(steps)], timedelta()) - timedelta(hours=1))
        operator = self.user("tongdai") if channel in ("voice", "operator") else None
        result = create_case(
            channel=channel, description=description, category=category, target_unit=unit, staff=person,
            incident_date=to_local(start).date() - timedelta(days=rng.randint(0, 3)),
            incident_place=unit.address, contact=contact, consent_publish=publish or (
                contact is not None and rng.random() < 0.5),
            submission_key=key, created_by=operator, actor_label="kiosk" if channel == "kiosk" else None,
            send_ack=contact is not None, with_secret=False,
        )
        case = result.complaint
        case.submitted_at = start
        case.accept_due_at = calendar.add_working_days(start, category.accept_days)
        case.answer_due_at = calendar.add_working_days(start, category.answer_days)
        with db.session.no_autoflush:  # create_case flushed its events; backdate them to the submission
            db.session.execute(update(CaseEvent).where(CaseEvent.complaint_id == case.id).values(created_at=start))
        self.outcomes = {}
        handling = case.unit or unit
        head, handler = self.actors_for(handling)
        moment = start
        conclusion = spec.get("conclusion") or "substantiated"
        for index, to_status in enumerate(steps):
            moment = moment + gaps[index]
            self.step(case, to_status, moment, head, handler, spec, conclusion, summary)
        if spec.get("extended"):
            case.extended, case.extension_count = True, 1
            case.extension_reason = "Cần lấy ý kiến của Sở Xây dựng về hiện trạng công trình."
            case.answer_due_at = calendar.add_working_days(case.answer_due_at, 5)
            self.event(case, "extension", moment + timedelta(hours=1), head,
                       "Gia hạn thời hạn trả lời thêm 05 ngày làm việc: " + case.extension_reason, public=True)

    def event(self, case, kind, moment, actor, body, public=False):
        db.session.add(CaseEvent(complaint=case, kind=kind, actor_id=getattr(actor, "id", None),
                                 actor_label=None if actor else "system", body=body, is_public=public,
                                 created_at=moment))

    def step(self, case, to_status, moment, head, handler, spec, conclusion, summary):
        from feedback.cases.workflow import _STAMPS

        actor = head if to_status in ("accepted", "declined", "concluded", "answered", "published", "closed") \
            else handler
        note = None
        if to_status == "declined":
            reason = self.rng.choice(sorted(data.DECLINE_NOTES))
            case.decline_reason, note = reason, data.DECLINE_NOTES[reason]
            if reason == "out_of_scope":  # sent to the competent body, as the workflow requires
                case.referred_to, case.referred_at = "Tòa án nhân dân khu vực 1 - Khánh Hòa", moment
        if to_status == "verifying" and case.status in ("answered", "published"):
            note = "Công dân không đồng ý với nội dung trả lời; chuyển cơ quan theo dõi xem xét."
            case.escalated, case.escalation_reason = True, "disputed"
        event = transition(case, to_status, actor=actor, actor_label=None if actor else "Lãnh đạo đơn vị",
                           note=note)
        event.created_at = moment
        if _STAMPS.get(to_status):
            setattr(case, _STAMPS[to_status], moment)
        if to_status == "accepted" and handler is not None:
            case.assigned_to = handler
            self.event(case, "assignment", moment, head, f"Giao {handler.full_name} xử lý.")
        elif to_status == "verifying" and "verification" not in self.outcomes:
            self.outcomes["verification"] = Verification(
                complaint=case, handler_id=getattr(handler, "id", None), methods="interview,camera,counter_log",
                findings="Đang làm việc với công chức liên quan, trích xuất camera khu vực quầy.", status="draft",
                created_at=moment, updated_at=moment,
            )
            db.session.add(self.outcomes["verification"])
        elif to_status == "concluded":
            verification = self.outcomes["verification"]
            verification.findings = data.FINDINGS[conclusion]
            verification.conclusion = conclusion
            verification.status = "approved"
            verification.approved_by_id = getattr(head, "id", None)
            verification.approved_at = moment
            self.event(case, "verification", moment, head,
                       f"Kết luận: {data.CONCLUSION_TEXT[conclusion]}. {data.FINDINGS[conclusion]}")
            if conclusion == "substantiated" and case.staff is not None:
                self.discipline(case, moment, head, decided=spec["state"] in ("answered", "published", "closed"))
        elif to_status == "answered":
            self.answer(case, moment, head, handler, conclusion)
        elif to_status == "published":
            answer = self.outcomes["answer"]
            answer.public_summary = summary
            answer.public_body = answer.body
            answer.published_at = moment
            case.consent_publish = True

    def discipline(self, case, moment, head, decided):
        person = case.staff
        decision = DisciplineDecision(complaint=case, staff=person, status="proposed", proposed_form="khien_trach",
                                      started_on=to_local(moment).date(),
                                      created_by_id=getattr(head, "id", None), created_at=moment, updated_at=moment,
                                      legal_basis="Nghị định số 172/2025/NĐ-CP" if person.staff_kind != "vien_chuc"
                                      else "Nghị định số 112/2020/NĐ-CP")
        if decided:
            decision_day = to_local(moment).date()
            decision.status = "decided"
            decision.form = "khien_trach"
            decision.review_date = decision_day - timedelta(days=2)
            decision.review_participants = "Cán bộ bị phản ánh; tập thể bộ phận; lãnh đạo đơn vị"
            decision.review_minutes = "Cuộc họp kiểm điểm thống nhất đề nghị hình thức khiển trách."
            decision.decision_number = f"{self.rng.randint(10, 399)}/QĐ-UBND"
            decision.decision_date = decision_day
            commune = person.unit.parent if person.unit.kind == "one_stop" else person.unit
            decision.signer = f"Chủ tịch {commune.name}" if commune.kind != "province" else "Chủ tịch UBND tỉnh"
        db.session.add(decision)
        self.event(case, "discipline", moment, head, "Đề xuất hình thức kỷ luật: Khiển trách."
                   + (f" Quyết định số {decision.decision_number}." if decided else ""))

    def answer(self, case, moment, head, handler, conclusion):
        template = case.category.answer_template or "{ket_luan}"
        unit_name = (case.unit or case.target_unit).name
        if case.category.kind == "staff_complaint":
            text = template.format(don_vi=unit_name, ket_luan=data.CONCLUSION_TEXT[conclusion],
                                   bien_phap=data.MEASURE_TEXT[conclusion])
        else:
            reply = data.SUGGESTION_REPLY if case.category.kind == "suggestion" else data.OTHER_REPLY
            text = template.format(don_vi=unit_name, ket_luan=reply, bien_phap="")
        answer = Answer(complaint=case, body=text, status="sent", drafted_by_id=getattr(handler, "id", None),
                        approved_by_id=getattr(head, "id", None), approved_at=moment, sent_at=moment,
                        created_at=moment)
        db.session.add(answer)
        self.outcomes["answer"] = answer
        self.event(case, "answer", moment, head, "Lãnh đạo đơn vị phê duyệt và gửi văn bản trả lời.", public=True)
        notify_complainant(case, f"Phản ánh {case.tracking_code} đã có trả lời. Tra cứu tại cổng PAKN.", "answer",
                           dedupe_key=f"answer:{case.id}")

    # --- all ----------------------------------------------------------------------------------

    def run(self):
        self.load_units()
        self.load_staff()
        self.load_categories()
        self.load_users()
        self.load_kiosks()
        self.load_ratings()
        self.load_cases()
        if self.created:
            audit.record("demo.seeded", actor_label="flask seed-demo", **self.created)
        db.session.commit()
        return self.created


def seed_demo(now=None, echo=print):
    """Load the demo data; returns {kind: rows created} (empty when everything was already there)."""
    seeder = Seeder(now=now or utcnow(), rng=random.Random(data.RANDOM_SEED), echo=echo)
    return seeder.run()


def has_any_unit():
    return db.session.scalar(select(func.count()).select_from(Unit)) > 0
