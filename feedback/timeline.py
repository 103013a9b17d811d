"""Timeline texts written by the system: kept in Vietnamese (the case's record) with their message id,
so a page in English shows them in English.

`recorded("Đã họp kiểm điểm ngày %(d)s.", d=...)` is a str (the Vietnamese text, whatever the actor's
language) that also carries the message and its arguments; the two `_event()` doors store both.
"""
from flask_babel import force_locale, get_locale, gettext
from flask_babel.speaklater import LazyString


def _plain(value):
    """An argument as stored: lazy labels become their Vietnamese text."""
    if isinstance(value, (int, float)) or value is None:
        return value
    return str(value)


class Recorded(str):
    """The Vietnamese text of a message, with the message id and arguments it came from."""

    msgid: str
    args: dict

    def __new__(cls, msgid, **args):
        if isinstance(msgid, LazyString):
            msgid = msgid._args[0]
        stored, shown = {}, {}
        with force_locale("vi"):
            for key, value in args.items():
                if isinstance(value, Recorded):  # a label inside the text: translated with it
                    stored[key], shown[key] = value.as_message(), str(value)
                elif isinstance(value, LazyString) and value._args:
                    stored[key], shown[key] = {"id": value._args[0], "args": {}}, str(value)
                else:
                    stored[key] = shown[key] = _plain(value)
            text = gettext(msgid, **shown) if shown else gettext(msgid)
        obj = super().__new__(cls, text)
        obj.msgid, obj.args = msgid, stored
        return obj

    def as_message(self):
        return {"id": self.msgid, "args": self.args}


def recorded(msgid, **args):
    """A system timeline text: Vietnamese in the record, translatable on the page."""
    return Recorded(msgid, **args)


def message_of(body):
    """What `_event()` stores beside the body: the message of a recorded text, else None."""
    return body.as_message() if isinstance(body, Recorded) else None


def event_text(event):
    """An event's text in the page's language: its message translated, or the body as written."""
    message = getattr(event, "message", None)
    if not message or str(get_locale()) == "vi":
        return event.body
    try:
        return _translated(message)
    except (KeyError, TypeError, ValueError):
        return event.body


def _translated(message):
    if not message.get("id"):
        return ""
    args = {k: _translated(v) if isinstance(v, dict) else v for k, v in (message.get("args") or {}).items()}
    return gettext(message["id"], **args) if args else gettext(message["id"])
