"""A stand-in for Twilio's REST API (Messages) on 127.0.0.1, for the real `twilio` client.

    standin = TwilioStandIn(account_sid, auth_token).start()
    app = make_app(TWILIO_API_BASE_URL=standin.url, ...)
    standin.fail_next(500, 429, ("delay", 3.0), 21610)   # the next four sends misbehave, in order
    ...
    standin.created        # messages it accepted, like Twilio's Message resources
    standin.requests       # every request it received (method, path, form, query)
    standin.stop()

MMS media: `url = standin.add_media(b"...", "image/jpeg")` gives a Twilio-shaped media URL
(.../Messages/MM.../Media/ME...). Like Twilio, a GET with the account's credentials answers a
307 to a one-time storage address that serves the bytes; `standin.media_status = 503` makes
media GETs fail until reset.

`standin.latency = 0.3` makes every accepted send answer that much later (the message is
recorded first), so a worker can be killed in the middle of one.

A ("delay", seconds) send is accepted (the message exists, as when Twilio took it but
the answer was lost) and answered only after `seconds`, longer than the client's timeout.
"""
import base64
import json
import secrets
import threading
import time
from email.utils import format_datetime
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

_ERRORS = {
    500: (500, {"code": 20500, "message": "Internal Server Error", "status": 500}),
    503: (503, {"code": 20503, "message": "Service Unavailable", "status": 503}),
    429: (429, {"code": 20429, "message": "Too Many Requests", "status": 429}),
    21610: (400, {"code": 21610, "message": "Attempt to send to unsubscribed recipient",
                  "more_info": "https://www.twilio.com/docs/errors/21610", "status": 400}),
    21211: (400, {"code": 21211, "message": "The 'To' number is not a valid phone number.",
                  "more_info": "https://www.twilio.com/docs/errors/21211", "status": 400}),
}


class TwilioStandIn:
    def __init__(self, account_sid="AC" + "0" * 32, auth_token="standin-token"):
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.requests = []
        self.created = []
        self.deleted = []  # paths of resources deleted (recordings, media)
        self.media = {}  # media path -> (bytes, content type)
        self.media_status = None
        self._plan = []
        # Seconds every accepted send waits before answering (the message exists meanwhile).
        self.latency = 0.0
        self._lock = threading.Lock()
        self._server = None
        self._thread = None

    # -- control ------------------------------------------------------------------------------
    def start(self):
        standin = self

        class Handler(_Handler):
            owner = standin

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self):
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join(timeout=5)

    @property
    def url(self):
        return f"http://127.0.0.1:{self._server.server_port}"

    def add_media(self, content, content_type):
        """Host one MMS media item; returns its URL as Twilio would send it in MediaUrlN."""
        path = (f"/2010-04-01/Accounts/{self.account_sid}/Messages/MM{secrets.token_hex(16)}"
                f"/Media/ME{secrets.token_hex(16)}")
        self.media[path] = (content, content_type)
        return self.url + path

    def fail_next(self, *behaviours):
        """Queue behaviours for the next message creations: 500, 503, 429, 21610, 21211 or ("delay", s)."""
        with self._lock:
            self._plan.extend(behaviours)

    def posts(self):
        return [r for r in self.requests if r["method"] == "POST"]

    # -- what the handler calls ----------------------------------------------------------------
    def _next_behaviour(self):
        with self._lock:
            return self._plan.pop(0) if self._plan else None

    def _create(self, form):
        now = datetime.now(timezone.utc)
        sid = "SM" + secrets.token_hex(16)
        message = {
            "sid": sid, "account_sid": self.account_sid, "to": form.get("To"), "from": form.get("From"),
            "body": form.get("Body"), "status": "queued", "direction": "outbound-api", "num_segments": "1",
            "num_media": "0", "api_version": "2010-04-01", "price": None, "price_unit": "USD",
            "error_code": None, "error_message": None, "messaging_service_sid": None,
            "date_created": format_datetime(now), "date_updated": format_datetime(now), "date_sent": None,
            "uri": f"/2010-04-01/Accounts/{self.account_sid}/Messages/{sid}.json",
            "subresource_uris": {"media": f"/2010-04-01/Accounts/{self.account_sid}/Messages/{sid}/Media.json"},
            "status_callback": form.get("StatusCallback"),
        }
        with self._lock:
            self.created.append(message)
        return message


class _Handler(BaseHTTPRequestHandler):
    owner: TwilioStandIn
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):  # quiet
        pass

    def _send_json(self, status, payload):
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        try:
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def _authorised(self):
        header = self.headers.get("Authorization", "")
        expected = base64.b64encode(f"{self.owner.account_sid}:{self.owner.auth_token}".encode()).decode()
        return header == f"Basic {expected}"

    def _messages_path(self, path):
        return path == f"/2010-04-01/Accounts/{self.owner.account_sid}/Messages.json"

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length).decode()
        form = {k: v[0] for k, v in parse_qs(raw, keep_blank_values=True).items()}
        path = urlparse(self.path).path
        self.owner.requests.append({"method": "POST", "path": path, "form": form, "at": time.monotonic()})
        if not self._authorised():
            return self._send_json(401, {"code": 20003, "message": "Authenticate", "status": 401})
        if not self._messages_path(path):
            return self._send_json(404, {"code": 20404, "message": "Not found", "status": 404})
        behaviour = self.owner._next_behaviour()
        if isinstance(behaviour, tuple) and behaviour[0] == "delay":
            message = self.owner._create(form)
            time.sleep(behaviour[1])
            return self._send_json(201, message)
        if behaviour in _ERRORS:
            status, payload = _ERRORS[behaviour]
            return self._send_json(status, payload)
        message = self.owner._create(form)
        if self.owner.latency:
            time.sleep(self.owner.latency)
        return self._send_json(201, message)

    def do_DELETE(self):
        """Recordings (and anything else) deleted: 204, remembered in `deleted`."""
        path = urlparse(self.path).path
        self.owner.requests.append({"method": "DELETE", "path": path, "at": time.monotonic()})
        if not self._authorised():
            return self._send_json(401, {"code": 20003, "message": "Authenticate", "status": 401})
        self.owner.deleted.append(path)
        self.send_response(204)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _send_bytes(self, status, content, content_type):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(content)))
        self.end_headers()
        try:
            self.wfile.write(content)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def do_GET(self):
        parsed = urlparse(self.path)
        query = {k: v[0] for k, v in parse_qs(parsed.query).items()}
        self.owner.requests.append({"method": "GET", "path": parsed.path, "query": query,
                                    "auth": bool(self.headers.get("Authorization")), "at": time.monotonic()})
        if parsed.path.startswith("/media-store/"):  # where Twilio's 307 points: no credentials needed
            found = self.owner.media.get(parsed.path[len("/media-store"):])
            if found is None:
                return self._send_json(404, {"code": 20404, "message": "Not found", "status": 404})
            return self._send_bytes(200, *found)
        if "/Media/" in parsed.path and not parsed.path.endswith(".json"):
            if self.owner.media_status:
                return self._send_json(self.owner.media_status, {"code": 20500, "message": "Unavailable"})
            if not self._authorised():
                return self._send_json(401, {"code": 20003, "message": "Authenticate", "status": 401})
            if parsed.path not in self.owner.media or parsed.path + ".json" in self.owner.deleted:
                return self._send_json(404, {"code": 20404, "message": "Not found", "status": 404})
            self.send_response(307)
            self.send_header("Location", "/media-store" + parsed.path)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return None
        if not self._authorised():
            return self._send_json(401, {"code": 20003, "message": "Authenticate", "status": 401})
        if not self._messages_path(parsed.path):
            return self._send_json(404, {"code": 20404, "message": "Not found", "status": 404})
        size = int(query.get("PageSize", 50))
        with self.owner._lock:
            found = [m for m in reversed(self.owner.created)
                     if (not query.get("To") or m["to"] == query["To"])
                     and (not query.get("From") or m["from"] == query["From"])][:size]
        uri = parsed.path + "?" + parsed.query
        self._send_json(200, {
            "messages": found, "end": max(len(found) - 1, 0), "first_page_uri": uri, "next_page_uri": None,
            "page": 0, "page_size": size, "previous_page_uri": None, "start": 0, "uri": uri,
        })
