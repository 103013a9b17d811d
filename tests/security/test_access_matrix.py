"""Every route × every identity (anonymous, each role, the named staff member) × object (own unit, other
unit) against one declared policy. A route added without a line in POLICY fails this suite."""
import re

import pytest

from feedback.extensions import db
from feedback.intake.services import create_case
from tests import factories
from tests.conftest import login

ROLES = ("admin", "monitor", "unit_head", "handler", "operator")
EVERYONE = frozenset(("anonymous", *ROLES))
SIGNED_IN = frozenset(ROLES)
PUBLIC, SIGNED, DEVICE, API_KEY = "public", "signed", "device", "api key"
CASE_ROLES = SIGNED_IN
ACTING = frozenset({"unit_head", "handler"})
TRIAGE = frozenset({"admin", "monitor", "operator"})
MONITORS = frozenset({"monitor", "admin"})
VIEWERS = frozenset({"handler", "unit_head", "monitor"})
# (who must get through, who else may: object rules decide), per endpoint.
POLICY = {
    "static": PUBLIC, "main.index": PUBLIC, "main.healthz": PUBLIC, "main.favicon": PUBLIC, "main.set_language": PUBLIC,
    "privacy.notice": PUBLIC,
    **{f"publication.{n}": PUBLIC for n in ("answer", "answers", "feed", "hotlines", "month_pdf", "poster",
                                            "poster_pdf", "rankings", "rankings_csv", "rankings_json", "statistics",
                                            "statistics_csv", "statistics_json")},
    **{f"portal.{n}": PUBLIC for n in ("add_info", "api_unit_staff", "api_units", "decline_review", "dispute",
                                       "late_notice_pdf", "new", "rate", "receipt", "suggest", "track")},
    **{f"api.{n}": PUBLIC for n in ("discovery", "get_request", "get_requests", "get_token", "openapi",
                                    "service_definition", "service_list")},
    "api.post_request": API_KEY,
    "kiosk.activate": PUBLIC, "kiosk.activate_by_path": DEVICE, "kiosk.screen": DEVICE, "kiosk.api_ratings": DEVICE,
    "auth.login": PUBLIC, "auth.logout": PUBLIC, "auth.totp": PUBLIC,
    "auth.account": (SIGNED_IN, frozenset()), "auth.totp_setup": (SIGNED_IN, frozenset()),
    **{f"hotline.{n}": SIGNED for n in ("sms", "sms_status", "voice", "voice_dial_result", "voice_menu",
                                        "voice_recorded", "voice_recording_status", "voice_status")},
    "hotline.outbox": (frozenset({"admin"}), frozenset()),
    "audit_view.index": (MONITORS, frozenset()), "audit_view.verify": (MONITORS, frozenset()),
    "cases.queue": (CASE_ROLES, frozenset()), "cases.notifications": (CASE_ROLES, frozenset()),
    "cases.detail": (CASE_ROLES - {"operator"}, frozenset({"operator"})),
    "cases.download": (frozenset(), CASE_ROLES), "cases.late_notice_pdf": (frozenset(), CASE_ROLES),
    "cases.referral_notice_pdf": (frozenset(), CASE_ROLES), "cases.transfer_notice_pdf": (frozenset(), CASE_ROLES),
    "cases.referrals": (frozenset({"unit_head", "monitor"}), frozenset()),
    "cases.referral_outcome": (frozenset(), frozenset({"unit_head", "monitor"})),
    "cases.escalated": (MONITORS, frozenset()),
    "cases.transfers": (frozenset({"unit_head", "monitor"}), frozenset()),
    "cases.reviews": (frozenset({"monitor"}), frozenset()),
    "cases.ratings": (frozenset({"unit_head", "monitor"}), frozenset()),
    "cases.acknowledge_rating": (frozenset(), frozenset({"unit_head"})),
    "cases.decide_review": (frozenset(), frozenset({"monitor"})),
    "cases.decide_transfer": (frozenset(), frozenset({"unit_head", "monitor"})),
    "cases.triage": (TRIAGE, frozenset()), "cases.route_case": (frozenset(), TRIAGE),
    **{f"cases.{n}": (frozenset(), ACTING) for n in ("accept", "attach", "note")},
    **{f"cases.{n}": (frozenset(), frozenset({"unit_head"})) for n in ("assign", "decline", "extend", "late_notice", "urgency",
                                                                        "request_identity", "transfer")},
    "cases.identity_requests": (frozenset({"monitor"}), frozenset()),
    "cases.decide_identity": (frozenset(), frozenset({"monitor"})),
    **{f"console.{n}": (frozenset({"operator"}), frozenset()) for n in ("index", "queue", "search")},
    **{f"console.{n}": (frozenset(), frozenset({"operator"})) for n in ("case", "dismiss", "item", "item_media", "recording",
                                                                         "suggest", "unit_staff")},
    **{f"monitoring.{n}": (MONITORS, frozenset()) for n in ("dashboard", "escalated", "named_staff", "overdue",
                                                             "reports", "satisfaction")},
    **{f"monitoring.{n}": (frozenset(), MONITORS) for n in ("report_download", "report_preview", "report_status",
                                                             "report_status_page", "staff_detail")},
    "monitoring.decide_flag": (frozenset(), frozenset({"monitor"})),
    "monitoring.settings": (frozenset({"admin"}), frozenset()),
    "monitoring.official_survey": (frozenset({"monitor"}), frozenset()),
    **{f"outcomes.{n}": (VIEWERS, frozenset()) for n in ("verification", "answer", "discipline")},
    **{f"outcomes.{n}": (frozenset(), VIEWERS) for n in ("add_evidence", "close", "discipline_appeal",
                                                          "discipline_appeal_decision", "discipline_decision",
                                                          "discipline_meeting", "discipline_pause", "discipline_review",
                                                          "evidence_file", "publish_answer", "review_answer",
                                                          "review_verification", "start_verification")},
    "staff_history.history": (frozenset(), frozenset({"admin", "unit_head", "monitor"})),
    **{f"admin.{n}": (frozenset(), frozenset({"admin"})) for n in (
        "categories", "category_edit", "category_new", "index", "kiosk_edit", "kiosk_new", "kiosk_reissue",
        "kiosk_revoke", "kiosks", "rule_delete", "rule_edit", "rule_new", "rules", "staff_edit", "staff_import",
        "staff_list", "staff_new", "unit_edit", "unit_new", "units", "user_edit", "user_new", "user_reset_password",
        "user_reset_totp", "user_set_active", "users")},
}


@pytest.fixture
def world(app):
    tree = factories.province_tree()
    category = factories.category("thai-do", name_vi="Thái độ phục vụ")
    clerk = factories.staff(tree["counter_a"], full_name="Lê Thị Hoa", position="Công chức một cửa")
    head_staff = factories.staff(tree["a"], full_name="Nguyễn Văn Trưởng", position="Chủ tịch UBND phường")
    tree["a"].head_staff_id = head_staff.id
    users = {
        "admin": factories.user("admin", None, email="qt@example.vn", totp_secret="JBSWY3DPEHPK3PXP", totp_enabled=True),
        "monitor": factories.user("monitor", tree["monitor"], email="snv@example.vn"),
        "unit_head": factories.user("unit_head", tree["a"], email="head.a@example.vn"),
        "handler": factories.user("handler", tree["a"], email="cv.a@example.vn"),
        "operator": factories.user("operator", None, email="tdv@example.vn"),
        "named": factories.user("handler", tree["counter_a"], email="hoa@example.vn"),
        "other_head": factories.user("unit_head", tree["b"], email="head.b@example.vn"),
        "other_handler": factories.user("handler", tree["b"], email="cv.b@example.vn"),
    }
    head_staff.user_id = users["unit_head"].id
    clerk.user_id = users["named"].id
    case = create_case(channel="web", description="Cán bộ quầy 3 yêu cầu giấy tờ ngoài quy định.", category=category,
                       target_unit=tree["a"], staff=clerk, contact={"phone": "+84905123456"}, send_ack=False).complaint
    db.session.commit()
    return {"tree": tree, "users": users, "case": case, "clerk": clerk}


def _url(rule, world):
    """The rule's path with every parameter filled: the world's case, unit and staff, or ids that do not exist."""
    values = {"tracking_code": world["case"].tracking_code, "code": world["case"].tracking_code,
              "unit_code": world["tree"]["a"].code, "public_ref": world["clerk"].public_ref, "fmt": "json",
              "period": "2026-11", "ref": "KHONGCO", "token": "khong-co", "public_id": "999999",
              "filename": "css/site.css"}
    path = rule.rule
    if rule.endpoint.startswith("publication.") and "<code>" in path:
        path = path.replace("<code>", world["tree"]["a"].code)
    if rule.endpoint == "main.set_language":
        path = path.replace("<code>", "en")

    def fill(match):
        converter, _colon, name = match.group(1).rpartition(":")
        return values.get(name, "999999") if not converter.startswith("int") else "999999"

    return re.sub(r"<([^>]+)>", fill, path)


def _identities(app, world):
    yield "anonymous", app.test_client()
    for role in ROLES:
        client = app.test_client()
        login(client, world["users"][role])
        yield role, client


def _refused(response):
    if response.status_code in (401, 403):
        return True
    return response.status_code == 302 and "/auth/login" in response.headers.get("Location", "")


def test_every_route_has_a_rule_in_the_policy(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert endpoints - POLICY.keys() == set(), "routes without an access rule: add them to POLICY"
    assert POLICY.keys() - endpoints == set(), "rules for routes that no longer exist"


def test_every_route_answers_every_identity_as_the_policy_says(app, world):
    problems = []
    # Signing out last: it ends the identity's session for the routes after it.
    rules = sorted((r for r in app.url_map.iter_rules() if r.endpoint != "static"),
                   key=lambda r: r.endpoint == "auth.logout")
    for who, client in _identities(app, world):
        for rule in rules:
            method = "GET" if "GET" in rule.methods else "POST"
            response = client.open(_url(rule, world), method=method)
            assert response.status_code < 500, (who, rule.rule, response.status_code)
            policy = POLICY[rule.endpoint]
            refused = _refused(response)
            if policy == PUBLIC:
                expected_refused = rule.endpoint in ("auth.totp",) and refused  # needs a pending sign-in
            elif policy in (SIGNED, DEVICE, API_KEY):  # without a signature, a device or a key
                expected_refused = True
            else:
                must, may = policy
                if who in must:
                    expected_refused = False
                elif who in may:
                    continue  # allowed by role; the object decides (tested below)
                else:
                    expected_refused = True
            if refused != expected_refused:
                problems.append(f"{who} {method} {rule.rule}: {response.status_code}")
    assert not problems, "\n".join(problems)


CASE_PAGES = ("/cases/{code}", "/cases/{code}/verification", "/cases/{code}/answer", "/cases/{code}/discipline")


def test_case_pages_by_object_own_unit_other_unit_and_the_named_staff_member(app, world):
    code = world["case"].tracking_code
    for key, allowed in (("handler", True), ("unit_head", True), ("monitor", True), ("other_head", False),
                         ("other_handler", False), ("named", False)):
        client = app.test_client()
        login(client, world["users"][key])
        for page in CASE_PAGES:
            response = client.get(page.format(code=code))
            assert (response.status_code == 200) is allowed and (response.status_code in (403, 404)) is not allowed, \
                (key, page, response.status_code)
