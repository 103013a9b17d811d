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
