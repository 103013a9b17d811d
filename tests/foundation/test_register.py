"""One register (issue 14): no page, catalogue entry or outgoing message calls anyone "bạn" — citizens are
Ông/Bà, text for staff is impersonal."""
import pathlib
import re

from babel.messages.pofile import read_po

ROOT = pathlib.Path(__file__).resolve().parents[2]
BAN = re.compile(r"(?i)(?<!\w)bạn(?!\w)")
# One vocabulary (README "Glossary"): the words retired for each thing, with the word now used.
RETIRED = {
    "giám sát": "theo dõi, kiểm tra (giám sát belongs to HĐND and MTTQ)",
    "bị khiếu nại": "người dân không đồng ý (khiếu nại is a legal procedure of its own)",
    "ki-ốt": "máy đánh giá",
    "mã tra cứu": "mã phản ánh",
    "mã hồ sơ": "mã phản ánh (a hồ sơ is the citizen's dossier)",
    "ông/bà": "Ông/Bà, capitalised",
}
RETIRED_PATTERN = re.compile("|".join(re.escape(w) for w in RETIRED), re.IGNORECASE)


def _retired(text):
    """Retired words in `text`; "ông/bà" counts only in lower case, "Ông/Bà" is the word now used."""
    return [m.group(0) for m in RETIRED_PATTERN.finditer(text) if m.group(0) != "Ông/Bà"]


def _sources():
    for path in [*ROOT.joinpath("templates").rglob("*.html"), *ROOT.joinpath("feedback").rglob("*.py"),
                 *ROOT.joinpath("feedback", "static").rglob("*.js")]:
        if "translations" not in path.parts or path.name == "runtime_labels.py":
            yield path


def test_no_template_or_source_string_says_ban():
    found = []
    for path in _sources():
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


def test_one_word_for_each_thing_in_sources_and_catalogue():
    """Issue 14: the tracking code was "mã hồ sơ", "mã phản ánh" and "mã tra cứu"; the Nội vụ office a
    "cơ quan giám sát"; the kiosk a "ki-ốt" elderly citizens do not say; a dispute "bị khiếu nại"."""
    found = []
    for path in _sources():
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if _retired(line) and not line.lstrip().startswith("#"):
                found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()[:100]}")
    with open(ROOT / "feedback/translations/en/LC_MESSAGES/messages.po", "rb") as handle:
        found += [f"catalogue: {m.id}" for m in read_po(handle) if m.id and _retired(str(m.id))]
    assert not found, "\n".join(found)


def test_the_category_is_called_loai_phan_anh_on_every_page():
    """"Lĩnh vực" means đất đai, hộ tịch...; what a case is about is its "Loại phản ánh"."""
    labels = re.compile(r'_\("(?:Lĩnh vực|Theo lĩnh vực|Phản ánh theo lĩnh vực)"\)')
    found = [str(path.relative_to(ROOT)) for path in _sources() if labels.search(path.read_text())]
    assert not found, found
