"""Removing personal data from free text before it is published.

Public answers never carry personal data (DESIGN.md, "Privacy and trust"): this
module takes a text written by a citizen or a handler and replaces with
``[đã ẩn]``

- e-mail addresses;
- Vietnamese vehicle plates (``79A-123.45``, ``79-A1 123.45``, ``51F12345``);
- phone numbers, mobile and landline, in the ways people write them
  (``0905 123 456``, ``0905.123.456``, ``+84 905123456``, ``0258 3822 123``);
- citizen ID numbers: CCCD (12 digits) and the old CMND (9 digits);
- the names the complainant gave: their full name and any run of two or more of
  its words (``Thị Lan`` of ``Nguyễn Thị Lan``), the given name after a form of
  address (``chị Lan``), and whatever follows "tôi tên là", "tên tôi là",
  "họ và tên"...; matching ignores case and accents (``nguyen thi lan``).

The staff member a case names appears by position, not by name, unless the
``PUBLISH_STAFF_NAMES`` setting says otherwise.

Everything works on NFC text and is idempotent: redacting a redacted text
changes nothing, so an approver's edits can be redacted again safely.
"""
import re
import unicodedata

from flask import current_app, has_app_context

PLACEHOLDER = "[đã ẩn]"

EMAIL_RE = re.compile(r"(?<![\w.+-])[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+")

# Plates: 2-digit province code, series (1-2 letters, maybe a digit), then 4-5 digits ("123.45" or "12345").
PLATE_RE = re.compile(
    r"(?<![\w.])\d{2}\s?-?\s?[A-Z]{1,2}\d?(?:\s?[-.]\s?|\s)?(?:\d{3}\.\d{2}|\d{4,5})(?![\w])"
)

# A leading 0, +84, 0084 or (84), then 8 to 10 digits with optional separators between them;
# `_phone` keeps only numbers whose national part has 9 (mobile) or 10 (landline) digits.
PHONE_RE = re.compile(
    r"(?<![\w+])(?:\(?\+\s?84\)?|\(?0084\)?|\(0|0)(?:[\s.\-)]{0,2}\d){8,10}(?![\w])"
)

ID_RES = (
    re.compile(r"(?<![\w.,])\d{12}(?![\w])"),  # CCCD
    re.compile(r"(?<![\w.,])\d{3} \d{3} \d{3} \d{3}(?![\w])"),  # CCCD written in groups
    re.compile(r"(?<![\w.,])\d{4} \d{4} \d{4}(?![\w])"),
    re.compile(r"(?<![\w.,])\d{9}(?![\w])"),  # CMND
)

# Forms of address placed before a given name ("chị Lan", "anh Minh"), folded (no accents).
HONORIFICS = ("anh", "chi", "em", "co", "chu", "bac", "ba", "ong", "chau", "di", "thim", "mo")

# Phrases after which a person gives their own name, folded; the flag says whether a single
# capitalised word is enough (False: at least two, "tôi là" is too common for one).
NAME_TRIGGERS = (
    ("toi ten la", True), ("ten toi la", True), ("ten cua toi la", True), ("em ten la", True),
    ("chau ten la", True), ("minh ten la", True), ("toi ten", True), ("ho va ten", True),
    ("ho ten", True), ("nguoi phan anh", False), ("toi la", False),
)
_TRIGGER_RE = re.compile(
    r"(?<!\w)(" + "|".join(re.escape(t) for t, _ in NAME_TRIGGERS) + r")\s*[:\-]?\s*"
)
_WORD_RE = re.compile(r"[^\W\d_]+")
MAX_NAME_WORDS = 5

_FOLD_CACHE = {}


def _fold_char(char):
    folded = _FOLD_CACHE.get(char)
    if folded is None:
        if char in "đĐ":
            folded = "d"
        else:
            base = "".join(c for c in unicodedata.normalize("NFD", char) if not unicodedata.combining(c))
            base = base.lower()
            folded = base if len(base) == 1 else char
        _FOLD_CACHE[char] = folded
    return folded


def fold(text):
    """Lower-case, accent-free copy of `text` with exactly the same length (one char per char)."""
    return "".join(_fold_char(c) for c in text)


def _nfc(text):
    return unicodedata.normalize("NFC", text or "")


def _replace_spans(text, spans, replacement):
    """Replace the (start, end) spans of `text` (non-overlapping after merging) with `replacement`."""
    if not spans:
        return text
    merged = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    out, last = [], 0
    for start, end in merged:
        out.append(text[last:start])
        out.append(replacement)
        last = end
    out.append(text[last:])
    return "".join(out)


def _phone(match):
    raw = match.group(0)
    digits = re.sub(r"\D", "", raw)
    if raw.lstrip("(").startswith("+") or raw.lstrip("(").startswith("0084") or raw.startswith("(84"):
        national = digits[4:] if digits.startswith("0084") else digits[2:]
    else:
        national = digits[1:]
    if len(national) in (9, 10) and national[0] != "0":
        return PLACEHOLDER
    return raw


def redact_patterns(text):
    """Remove e-mails, plates, phone numbers and ID numbers."""
    text = EMAIL_RE.sub(PLACEHOLDER, text)
    text = PLATE_RE.sub(PLACEHOLDER, text)
    text = PHONE_RE.sub(_phone, text)
    for pattern in ID_RES:
        text = pattern.sub(PLACEHOLDER, text)
    return text


def _name_tokens(name):
    return [t for t in fold(_nfc(name)).split() if t]


def _runs(tokens, minimum=2):
    """Contiguous runs of at least `minimum` tokens, longest first."""
    runs = []
    for length in range(len(tokens), minimum - 1, -1):
        for start in range(0, len(tokens) - length + 1):
            runs.append(tokens[start:start + length])
    return runs


_HONORIFIC = r"(?:(?:" + "|".join(HONORIFICS) + r")\s+)"


def _run_spans(text, run, with_honorific=False):
    folded = fold(text)
    prefix = _HONORIFIC + "?" if with_honorific else ""
    pattern = re.compile(r"(?<!\w)" + prefix + r"\s+".join(re.escape(t) for t in run) + r"(?!\w)")
    return [m.span() for m in pattern.finditer(folded)]


def replace_name(text, name, replacement, *, with_honorific=False):
    """Replace `name` (full, any run of 2+ of its words, or "chị <given name>") in `text`.

    With `with_honorific` the form of address goes too ("anh Hùng" -> "Công chức một cửa"):
    used when the replacement is a position rather than the placeholder.
    """
    tokens = _name_tokens(name)
    if not tokens:
        return text
    for run in _runs(tokens, 2 if len(tokens) > 1 else 1):
        if len(run) == 1 and len(run[0]) < 2:
            continue
        text = _replace_spans(text, _run_spans(text, run, with_honorific), replacement)
    if len(tokens) > 1:
        given = tokens[-1]
        folded = fold(text)
        pattern = re.compile(r"(?<!\w)(" + _HONORIFIC + r")(" + re.escape(given) + r")(?!\w)")
        spans = [
            (m.start(1) if with_honorific else m.start(2), m.end(2))
            for m in pattern.finditer(folded) if text[m.start(2)].isupper()
        ]
        text = _replace_spans(text, spans, replacement)
    return text


def redact_self_introductions(text):
    """Remove the name after "tôi tên là", "tên tôi là", "họ và tên:"..."""
    folded = fold(text)
    single_ok = dict(NAME_TRIGGERS)
    spans = []
    for match in _TRIGGER_RE.finditer(folded):
        position, words, end = match.end(), 0, None
        for word in _WORD_RE.finditer(text, position):
            gap = text[position:word.start()]
            if gap.strip() or not text[word.start()].isupper() or words >= MAX_NAME_WORDS:
                break
            words += 1
            end = word.end()
            position = word.end()
        if words >= (1 if single_ok[match.group(1)] else 2):
            spans.append((match.end(), end))
    return _replace_spans(text, spans, PLACEHOLDER)


def publish_staff_names():
    return bool(has_app_context() and current_app.config.get("PUBLISH_STAFF_NAMES", False))


def redact(text, *, names=(), staff=None, literals=(), keep_staff_names=None):
    """The text with personal data replaced by ``[đã ẩn]`` and the staff member named by position.

    `names`: names the complainant gave (their full name...); `staff`: the named Staff (or None);
    `literals`: other strings to remove wherever they appear (the complainant's address...);
    `keep_staff_names`: override of the PUBLISH_STAFF_NAMES setting.
    """
    text = _nfc(text)
    if not text:
        return text
    keep = publish_staff_names() if keep_staff_names is None else keep_staff_names
    for literal in literals:
        literal = _nfc(literal).strip()
        if len(literal) >= 5:
            text = _replace_spans(text, _literal_spans(text, literal), PLACEHOLDER)
    text = redact_patterns(text)
    staff_name = _nfc(getattr(staff, "full_name", None) or "")
    position = getattr(staff, "position", None) or "cán bộ"
    if staff_name and not keep:
        # The whole name first, so the complainant's shorter runs cannot split it.
        text = _replace_spans(text, _run_spans(text, _name_tokens(staff_name), True), position)
    for name in names:
        if name:
            text = replace_name(text, name, PLACEHOLDER)
    text = redact_self_introductions(text)
    if staff_name and not keep:
        text = replace_name(text, staff_name, position, with_honorific=True)
        text = _drop_title_before(text, position)
    return text


# Generic titles a citizen writes before a name ("công chức Lê Văn Tám"): with the name replaced by the
# position ("Công chức Tư pháp - Hộ tịch") they would read twice.
_TITLES = ("cán bộ", "công chức", "viên chức", "nhân viên", "chuyên viên")


def _drop_title_before(text, position):
    pattern = re.compile(r"(?i)(?<!\w)(?:" + "|".join(re.escape(t) for t in _TITLES) + r")\s+(?=" + re.escape(position)
                         + r")")
    return pattern.sub(lambda m: "" if m.start() else "", text)


def _literal_spans(text, literal):
    folded, needle = fold(text), fold(literal)
    return [m.span() for m in re.finditer(re.escape(needle), folded)]


def redact_for_case(text, complaint, keep_staff_names=None):
    """Redact `text` with what the case knows: the complainant's name and contacts, the named staff."""
    person = getattr(complaint, "complainant", None)
    names, literals = [], []
    if person is not None:
        names = [person.full_name] if person.full_name else []
        literals = [v for v in (person.address, person.email, person.phone) if v]
    return redact(text, names=names, staff=getattr(complaint, "staff", None), literals=literals,
                  keep_staff_names=keep_staff_names)
