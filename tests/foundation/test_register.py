"""One register (issue 14): no page, catalogue entry or outgoing message calls anyone "bạn" — citizens are
Ông/Bà, text for staff is impersonal."""
import pathlib
import re

from babel.messages.pofile import read_po

ROOT = pathlib.Path(__file__).resolve().parents[2]
BAN = re.compile(r"(?i)(?<!\w)bạn(?!\w)")


def test_no_template_or_source_string_says_ban():
    found = []
    for path in [*ROOT.joinpath("templates").rglob("*.html"), *ROOT.joinpath("feedback").rglob("*.py"),
                 *ROOT.joinpath("feedback", "static").rglob("*.js")]:
        if "translations" in path.parts:
            continue
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if BAN.search(line) and not line.lstrip().startswith("#"):
                found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()[:100]}")
    assert not found, "\n".join(found)


def test_no_catalogue_entry_says_ban():
    with open(ROOT / "feedback/translations/en/LC_MESSAGES/messages.po", "rb") as handle:
        catalogue = read_po(handle)
    assert not [m.id for m in catalogue if m.id and BAN.search(str(m.id))]


def test_one_vietnamese_word_with_two_english_meanings_has_a_context(app):
    """Issue 14: "Không thụ lý" was one entry for the button and the status, so the status read "Decline"."""
    from flask_babel import force_locale, gettext

    from feedback.cases.rules import CASE_KINDS
    from feedback.cases.workflow import status_label

    with app.test_request_context(), force_locale("en"):
        assert str(status_label("declined")) == "Declined"
        assert gettext("Không thụ lý") == "Decline"
        assert str(CASE_KINDS["kien_nghi"]) == "Suggestion"  # not "Petition", which reads as a complaint
