"""Which units and which staff member a text names, read against the Directory.

Exact alias matches on word n-grams first (accent-folded, abbreviations expanded); then rapidfuzz for a
typo in a place or a person's name. Every finding carries a confidence; nothing here guesses a unit the
text does not name.
"""
import re
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from feedback.triage.directory import KINSHIP, NOT_A_NAME, NOT_A_NAME_PAIRS, OFFICE_WORDS, SERVICE_CENTRE_WORDS

_BADGE = re.compile(r"\b([A-Z]{2}-\d{3,6}(?:-[A-Z]{2,6})?-\d{2})\b")
_COUNTER = re.compile(r"\bquay(?: so)? (\d{1,2})\b")
# A fuzzy match must be at least this good (0-100) and the n-gram at least this long.
FUZZY_CUTOFF, FUZZY_MIN_CHARS = 90, 7


@dataclass
class Candidate:
    value: object  # a unit id or a StaffEntry
    confidence: float
    why: str = ""


def _ngrams(words, n):
    return [(i, tuple(words[i:i + n])) for i in range(len(words) - n + 1)]


def find_units(directory, words):
    """Unit mentions in the words: [(position, length, unit id, strength)], longest and strongest first."""
    found = []
    taken = set()
    for n in range(min(directory.max_alias_words, 8), 0, -1):
        for i, gram in _ngrams(words, n):
            if any(p in taken for p in range(i, i + n)):
                continue
            entries = directory.aliases.get(gram)
            if entries:
                for unit_id, strength in entries:
                    found.append((i, n, unit_id, strength if len(entries) == 1 else strength * 0.6))
                taken.update(range(i, i + n))
    if not found:
        found = _fuzzy_units(directory, words)
    return found


def _fuzzy_units(directory, words):
    """A place name with a typo ("van nihn"): the best alias of two or three words within the cutoff."""
    choices = {" ".join(alias): alias for alias in directory.aliases if len(alias) >= 2}
    hits = []
    for n in (3, 2):
        for i, gram in _ngrams(words, n):
            text = " ".join(gram)
            if len(text) < FUZZY_MIN_CHARS:
                continue
            best = process.extractOne(text, choices.keys(), scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF)
            if best:
                for unit_id, strength in directory.aliases[choices[best[0]]]:
                    hits.append((i, n, unit_id, strength * best[1] / 100 * 0.95))
    return hits


def _has_any(text, phrases):
    return any(f" {p} " in f" {text} " for p in phrases)


# Positions of the commune's People's Committee: named right before the place, the UBND is meant.
UBND_POSITIONS = ("chu tich", "pho chu tich", "lanh dao", "ubnd")


def office_in_commune(directory, commune_id, text, before=()):
    """Within a named commune: the office the text speaks of (centre for counters and dossiers).
    `before` holds the words just before the place's name."""
    offices = directory.commune_offices.get(commune_id, {})
    lead = " ".join(before)
    if any(lead.endswith(p) for p in UBND_POSITIONS):
        return offices.get("UBND", commune_id), "commune"
    for suffix, words in OFFICE_WORDS.items():
        if suffix in offices and _has_any(text, words):
            return offices[suffix], "office"
    if "MC" in offices and (_has_any(text, SERVICE_CENTRE_WORDS) or _COUNTER.search(text)):
        return offices["MC"], "service_centre"
    return offices.get("UBND", commune_id), "commune"


def unit_candidates(directory, words, hint_unit_id=None):
    """Candidates for the unit, best first, each with a confidence; [] when the text names none."""
    text = " ".join(words)
    mentions = find_units(directory, words)
    if not mentions:
        if hint_unit_id is not None and hint_unit_id in directory.units:
            return [Candidate(hint_unit_id, 0.7, "hint")]
        return []
    scores = {}
    for position, _n, unit_id, strength in mentions:
        unit = directory.units[unit_id]
        if unit.commune_id == unit_id:  # a commune: pick its office from the words
            before = [w for w in words[max(0, position - 3):position] if w not in ("xa", "phuong", "dac", "khu")]
            office_id, why = office_in_commune(directory, unit_id, text, before)
            key = office_id
        else:
            key, why = unit_id, "named"
        best = scores.get(key)
        if best is None or strength > best[0]:
            scores[key] = (strength, why, position)
    # Strongest first; of two places as strong, the one named last (where it happened, after where the
    # citizen lives: "tôi ở xã A, lên phường B làm giấy...").
    ranked = sorted(scores.items(), key=lambda item: (-item[1][0], -item[1][2]))
    communes = {directory.units[u].commune_id or u for u, _s in ranked}
    candidates = []
    for unit_id, (strength, why, _position) in ranked:
        confidence = strength
        if len(communes) > 1:
            confidence *= 0.6  # several places named: a person decides
        candidates.append(Candidate(unit_id, round(confidence, 3), why))
    return candidates


def staff_candidates(directory, words, unit_id):
    """Candidates for the staff member named, within the unit's commune (or the unit), best first."""
    if unit_id is None:
        return []
    unit = directory.units[unit_id]
    pool = directory.staff_by_commune.get(unit.commune_id or unit_id, [])
    if unit.commune_id is None:
        pool = [s for s in pool if s.unit_id == unit_id] or pool
    text = " ".join(words)
    scores = {}

    def add(entry, confidence, why):
        if confidence > scores.get(entry.id, (0, None, ""))[0]:
            scores[entry.id] = (confidence, entry, why)

    raw = " ".join(words).upper()
    for badge in _BADGE.findall(raw):
        entry = directory.by_badge.get(badge)
        if entry is not None:
            add(entry, 0.99, "badge")
    counter = _COUNTER.search(text)
    if counter:
        at_counter = [s for s in pool if s.counter == counter.group(1) and (unit.commune_id is None or s.unit_id == unit_id
                                                                              or directory.units[s.unit_id].kind == "one_stop")]
        for entry in at_counter:
            add(entry, 0.95 if len(at_counter) == 1 else 0.5, "counter")
    # A full name (three or four words), allowing one typo.
    names = {s.full: s for s in pool if s.full}
    for n in (4, 3):
        for _i, gram in _ngrams(words, n):
            best = process.extractOne(" ".join(gram), names.keys(), scorer=fuzz.ratio, score_cutoff=92)
            if best:
                add(names[best[0]], 0.97 * best[1] / 100, "full_name")
    # A given name after a kinship word ("chị Lan", "anh Hùng").
    for i, word in enumerate(words[:-1]):
        given = words[i + 1]
        after = words[i + 2] if i + 2 < len(words) else ""
        if word in KINSHIP and given not in NOT_A_NAME and (given, after) not in NOT_A_NAME_PAIRS and len(given) > 1:
            same = [s for s in pool if s.given == given]
            # Two with that name in the commune: the one in the unit the text speaks of.
            same = [s for s in same if s.unit_id == unit_id] or same
            if counter:
                same = [s for s in same if s.counter == counter.group(1)] or same
            for entry in same:
                add(entry, 0.92 if len(same) == 1 else 0.45, "given_name")
    # A position ("chủ tịch xã", "cán bộ tư pháp").
    remaining = f" {text} "
    for phrase, needle in POSITION_WORDS:
        if f" {phrase} " in remaining:
            remaining = remaining.replace(f" {phrase} ", " ")  # "phó chủ tịch" is not also "chủ tịch"
            holders = [s for s in pool if needle(s.position)]
            for entry in holders:
                add(entry, 0.92 if len(holders) == 1 else 0.4, "position")
    ranked = sorted(scores.values(), key=lambda item: -item[0])
    if len(ranked) > 1 and ranked[0][0] - ranked[1][0] < 0.1:
        ranked[0] = (ranked[0][0] * 0.7, ranked[0][1], ranked[0][2])  # two people fit: a person decides
    return [Candidate(entry, round(conf, 3), why) for conf, entry, why in ranked]


def _starts(prefix):
    return lambda position: position.startswith(prefix)


def _contains(*words):
    return lambda position: any(w in position for w in words)


# Phrases naming a position (folded) and how to recognise its holder's position; longest first.
POSITION_WORDS = [
    ("pho chu tich", _starts("pho chu tich")),
    ("chu tich", _starts("chu tich")),
    ("giam doc trung tam", _contains("giam doc trung tam")),
    ("chanh van phong", _starts("chanh van phong")),
    ("tu phap", _contains("ho tich", "tu phap")),
    ("ho tich", _contains("ho tich", "tu phap")),
    ("dia chinh", _contains("dat dai", "dia chinh")),
    ("truong phong van hoa", _starts("truong phong van hoa")),
]
