"""Twilio-hosted media (MMS photos, voicemail audio): which URLs we fetch and with what credentials.

Only Twilio's own API host (or the configured stand-in) is ever fetched, so a signed webhook
cannot make the server request an address of the sender's choosing.
"""
import re
from urllib.parse import urlsplit

from flask import current_app

TWILIO_MEDIA_HOSTS = ("api.twilio.com",)
# .../Accounts/AC.../Messages/MM.../Media/ME...: what to delete once the file is ours.
_MEDIA_PATH = re.compile(r"/Messages/(?P<message>[A-Za-z0-9]{2,64})/Media/(?P<media>[A-Za-z0-9]{2,64})(?:\.\w+)?$")


def is_twilio_media(url):
    parts = urlsplit(url or "")
    hosts = set(TWILIO_MEDIA_HOSTS)
    base = current_app.config.get("TWILIO_API_BASE_URL")
    if base:
        hosts.add(urlsplit(base).netloc)
    return parts.scheme in ("https", "http") and parts.netloc in hosts


def twilio_auth():
    """(account sid, auth token) for HTTP basic auth, or None when not configured."""
    config = current_app.config
    if config.get("TWILIO_ACCOUNT_SID") and config.get("TWILIO_AUTH_TOKEN"):
        return config["TWILIO_ACCOUNT_SID"], config["TWILIO_AUTH_TOKEN"]
    return None


def media_sids(url):
    """(MessageSid, MediaSid) named by a Twilio media URL, or None."""
    match = _MEDIA_PATH.search(urlsplit(url or "").path)
    return (match["message"], match["media"]) if match else None
