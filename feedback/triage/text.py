"""Folding and abbreviation expansion: what the matcher and the category model read."""
import re

from feedback.text import fold

# Abbreviations citizens type in SMS (folded forms), expanded before matching.
ABBREVIATIONS = {
    "ko": "khong", "k": "khong", "kg": "khong", "khg": "khong", "hok": "khong", "hong": "khong",
    "dc": "duoc", "dk": "duoc", "j": "gi", "cb": "can bo", "cbcc": "can bo cong chuc", "cc": "cong chuc",
    "ng": "nguoi", "nguoj": "nguoi", "mk": "minh", "t": "toi", "e": "em", "a": "anh", "c": "chi",
    "bt": "binh thuong", "vs": "voi", "ns": "noi", "lm": "lam", "r": "roi", "ntn": "nhu the nao",
    "hs": "ho so", "tt": "thu tuc", "tthc": "thu tuc hanh chinh", "gt": "giay to", "sdt": "so dien thoai",
    "p": "phuong", "x": "xa", "q": "quay", "ubnd": "ubnd", "hdnd": "hdnd", "ct": "chu tich",
    "pct": "pho chu tich", "vhxh": "van hoa xa hoi", "mc": "mot cua", "tp": "thanh pho",
    "bpmc": "bo phan mot cua", "ttpvhcc": "trung tam phuc vu hanh chinh cong",
}
_TOKEN = re.compile(r"[a-z0-9]+")
# "q2", "quay2", "p.nha trang": a letter prefix glued to a number or a dot.
_GLUED_COUNTER = re.compile(r"\b(?:q|quay|qay)\.?\s*(?:so\s*)?(\d{1,2})\b")


def tokens(text):
    """Folded, abbreviations expanded, as a list of words."""
    folded = fold(text or "").replace("đ", "d")
    folded = _GLUED_COUNTER.sub(r" quay \1 ", folded)
    folded = re.sub(r"\b([px])\.", r"\1 ", folded)
    words = []
    for word in _TOKEN.findall(folded):
        words.extend(ABBREVIATIONS.get(word, word).split())
    return words


def normalise(text):
    return " ".join(tokens(text))


# Words of greeting and framing that carry no category ("kính gửi đường dây nóng, tôi xin phản ánh").
FRAMING = {"kinh", "gui", "duong", "day", "nong", "toi", "xin", "phan", "anh", "da", "cho", "hoi", "sao", "tai",
           "o", "cua", "cong", "chuc", "can", "bo", "nguoi", "ngoi", "chi", "em", "co", "chu", "ong", "ba",
           "trung", "tam", "phuc", "vu", "hanh", "chinh", "mot", "xa", "phuong", "ubnd", "so", "phong"}
# Kept though they are also in names: they tell what happened.
CONTENT_KEEP = {"tre", "muon", "tien", "giay", "bo", "sung", "ho", "so", "tu", "choi", "van", "ban", "the", "quay",
                "khen", "cam", "on", "nhanh", "lau", "hen", "dien", "thoai", "xin", "loi", "thu", "le", "phi"}


def content(text, name_words=frozenset()):
    """What the text says happened: its words without names of units and people, and without framing."""
    drop = (set(name_words) | FRAMING) - CONTENT_KEEP
    words = [w for w in tokens(text) if w not in drop]
    return " ".join(words) or normalise(text)
