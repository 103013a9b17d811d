"""What an SMS costs: GSM-7 or UCS-2 encoding and segment count, and the no-diacritics setting.

An operator pays per segment. Vietnamese with diacritics needs UCS-2: 70 characters in one
segment, 67 per segment once concatenated. Without diacritics most text is GSM-7: 160, then 153
(characters of the GSM extension table, such as [ ] { } € ~, take two).
"""
from dataclasses import dataclass

from flask import current_app

from feedback.text import without_diacritics

GSM7_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = set("^{}\\[~]|€\f")
SINGLE = {"GSM-7": 160, "UCS-2": 70}
PER_PART = {"GSM-7": 153, "UCS-2": 67}


@dataclass(frozen=True)
class Cost:
    encoding: str
    units: int  # septets (GSM-7) or UTF-16 code units (UCS-2)
    segments: int


def cost(text):
    """The encoding Twilio must use for `text` and how many segments it is billed as."""
    text = text or ""
    if all(c in GSM7_BASIC or c in GSM7_EXTENSION for c in text):
        encoding, units = "GSM-7", sum(2 if c in GSM7_EXTENSION else 1 for c in text)
    else:
        encoding, units = "UCS-2", len(text.encode("utf-16-le")) // 2
    if units <= SINGLE[encoding]:
        return Cost(encoding, units, 1 if units else 0)
    return Cost(encoding, units, -(-units // PER_PART[encoding]))


def outgoing(text):
    """The text as it is sent: without diacritics when SMS_WITHOUT_DIACRITICS is set."""
    if current_app.config.get("SMS_WITHOUT_DIACRITICS"):
        return without_diacritics(text)
    return text
