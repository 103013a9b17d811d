"""Vietnamese accent folding for search: `fold("Thái Độ Đường")` -> "thai do duong".

The same fold is applied to the indexed text and to the query, so search behaves
the same on PostgreSQL and SQLite (whose FTS5 `remove_diacritics` leaves đ/Đ alone).
"""
import unicodedata

_BASE = {
    "a": "àáảãạăằắẳẵặâầấẩẫậ",
    "e": "èéẻẽẹêềếểễệ",
    "i": "ìíỉĩị",
    "o": "òóỏõọôồốổỗộơờớởỡợ",
    "u": "ùúủũụưừứửữự",
    "y": "ỳýỷỹỵ",
    "d": "đ",
}
_TABLE = {}
for plain, letters in _BASE.items():
    for letter in letters:
        _TABLE[ord(letter)] = plain
        _TABLE[ord(letter.upper())] = plain
FOLD_TABLE = _TABLE


def fold(text):
    """Lower-case and strip Vietnamese diacritics (đ/Đ -> d); other text is NFC-normalised first."""
    if not text:
        return ""
    text = unicodedata.normalize("NFC", text).lower().translate(FOLD_TABLE)
    # Any remaining combining marks (other languages, decomposed input) go too.
    if not text.isascii():
        text = "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))
    return text


_PLAIN_TABLE = {}
for plain, letters in _BASE.items():
    for letter in letters:
        _PLAIN_TABLE[ord(letter)] = plain
        _PLAIN_TABLE[ord(letter.upper())] = plain.upper()


def without_diacritics(text):
    """'Đã nhận phản ánh' -> 'Da nhan phan anh': accents off, case kept (an SMS in GSM-7)."""
    if not text:
        return ""
    text = unicodedata.normalize("NFC", text).translate(_PLAIN_TABLE)
    if not text.isascii():
        text = unicodedata.normalize("NFC", "".join(
            c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c)))
    return text
