"""The fault harness: the real processes an operator runs, and private servers to break.

Everything here runs on 127.0.0.1 and starts its own Redis and PostgreSQL on free ports
(never the shared ones): gunicorn with two sync workers, `flask worker`, the Twilio
stand-in. Used by tests/faults (fast scenarios in `make test`) and by `make soak`.
"""
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import requests
from twilio.request_validator import RequestValidator

ROOT = Path(__file__).resolve().parents[2]
TWILIO_TOKEN = "harness-auth-token"
TWILIO_SID = "AC" + "7" * 32
TWILIO_NUMBER = "+18005550100"
CODE = re.compile(r"PA[0-9A-Z]{8}")


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(predicate, timeout, interval=0.1, what="condition"):
    """Poll `predicate` until it is true; returns the seconds it took, raises after `timeout`."""
    start = time.monotonic()
    while True:
        value = predicate()
        if value:
            return time.monotonic() - start
        if time.monotonic() - start > timeout:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(interval)


def executable(name):
    """A program of this virtualenv (gunicorn, flask) or of the system (redis-server, initdb)."""
    local = Path(sys.executable).parent / name
    if local.exists():
        return str(local)
    found = shutil.which(name)
    if found:
        return found
    for directory in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
        if (directory / name).exists():
            return str(directory / name)
    raise FileNotFoundError(name)


class PrivateRedis:
    """redis-server on its own port and directory; stop with or without keeping its data."""

    def __init__(self):
        self.port = free_port()
        self.dir = tempfile.mkdtemp(prefix="fault-redis-")
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        subprocess.run([executable("redis-server"), "--port", str(self.port), "--bind", "127.0.0.1", "--daemonize", "yes",
                        "--dir", self.dir, "--dbfilename", "dump.rdb", "--save", "", "--appendonly", "no",
                        "--maxmemory-policy", "noeviction", "--pidfile", f"{self.dir}/redis.pid",
                        "--logfile", f"{self.dir}/redis.log"], check=True)
        wait_for(self.ping, 10, what="private Redis")
        return self

    def ping(self):
        return subprocess.run([executable("redis-cli"), "-p", str(self.port), "ping"],
                              capture_output=True, text=True).stdout.strip() == "PONG"

    def stop(self, keep_data=False):
        """Shut down; with keep_data the next start loads what it held (a restart without data loss)."""
        subprocess.run([executable("redis-cli"), "-p", str(self.port), "shutdown", "save" if keep_data else "nosave"],
                       capture_output=True)
        if not keep_data and os.path.exists(f"{self.dir}/dump.rdb"):
            os.remove(f"{self.dir}/dump.rdb")
        wait_for(lambda: not self.ping(), 10, what="Redis to stop")

    def close(self):
        if self.ping():
            self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


class PrivatePostgres:
    """A PostgreSQL cluster of its own (initdb, trust auth), run as the postgres OS user."""

    def __init__(self):
        self.port = free_port()
        self.dir = tempfile.mkdtemp(prefix="fault-pg-")
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def _as_postgres(self, *args):
        command = [str(a) for a in args]
        if os.geteuid() == 0:
            command = ["su", "postgres", "-c", " ".join(command)]
        return subprocess.run(command, check=True, capture_output=True, text=True)

    def start(self):
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres", "postgres")
        if not os.path.exists(f"{self.dir}/data"):
            self._as_postgres(executable("initdb"), "-D", f"{self.dir}/data", "-U", "postgres", "--auth=trust")
        self._as_postgres(executable("pg_ctl"), "-D", f"{self.dir}/data", "-l", f"{self.dir}/log",
                          "-o", f"'-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1'", "-w", "start")
        return self

    def restart(self, mode="fast"):
        # -l again: without it the new server writes to our pipe, which then never closes.
        self._as_postgres(executable("pg_ctl"), "-D", f"{self.dir}/data", "-l", f"{self.dir}/log", "-m", mode, "-w",
                          "restart")

    def close(self):
        try:
            self._as_postgres(executable("pg_ctl"), "-D", f"{self.dir}/data", "-m", "immediate", "-w", "stop")
        except subprocess.CalledProcessError:
            pass
        shutil.rmtree(self.dir, ignore_errors=True)


def app_environment(database_url, redis_url, public_base_url, twilio_url=None, **extra):
    """The environment of a production-shaped web or worker process under test."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FLASK_", "TEST_"))}
    env.update({
        "FLASK_CONFIG": "development",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url or "",
        "SECRET_KEY": uuid.uuid4().hex * 2,
        "PUBLIC_BASE_URL": public_base_url,
        "TWILIO_AUTH_TOKEN": TWILIO_TOKEN,
        # Limits stay in the path (their Redis storage is what fails), set high enough for a load.
        "PORTAL_SUBMIT_LIMIT": "100000 per minute", "PORTAL_TRACK_LIMIT": "100000 per minute",
        "OPEN311_POST_LIMIT": "100000 per minute", "KIOSK_RATING_LIMIT": "100000 per minute",
        "PYTHONUNBUFFERED": "1",
    })
    if twilio_url:
        env.update({"TWILIO_ACCOUNT_SID": TWILIO_SID, "TWILIO_PHONE_NUMBER": TWILIO_NUMBER,
                    "TWILIO_API_BASE_URL": twilio_url})
    env.update({k: str(v) for k, v in extra.items()})
    return env


class Process:
    """A child process (gunicorn or `flask worker`) with its output in a log file."""

    def __init__(self, name, command, env):
        self.name, self.command, self.env = name, command, env
        self.log_path = Path(tempfile.mkstemp(prefix=f"fault-{name}-", suffix=".log")[1])
        self.proc = None

    def start(self):
        self._log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(self.command, cwd=ROOT, env=self.env, stdout=self._log, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        return self

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def kill(self, sig=signal.SIGKILL):
        """Signal the whole process group (gunicorn's workers, rq's scheduler too)."""
        if self.alive():
            os.killpg(self.proc.pid, sig)
            self.proc.wait(timeout=20)

    def stop(self):
        if self.alive():
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()
        self._log.close()

    def log(self):
        return self.log_path.read_text(errors="replace")

    def rss_kib(self):
        """Resident memory of the process, in KiB."""
        with open(f"/proc/{self.proc.pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        return 0


def web(env, port, workers=2):
    process = Process("web", [executable("gunicorn"), "-w", str(workers), "-k", "sync", "-b", f"127.0.0.1:{port}",
                              "--timeout", "60", "--graceful-timeout", "5", "--limit-request-line", "8190",
                              "wsgi:app"], env).start()
    wait_for(lambda: _answers(f"http://127.0.0.1:{port}/healthz"), 60, what="gunicorn")
    return process


def worker(env):
    return Process("worker", [executable("flask"), "--app", "wsgi", "worker", "--relay-interval", "0.2"], env).start()


def _answers(url):
    try:
        return requests.get(url, timeout=2).status_code < 500
    except requests.RequestException:
        return False


class Citizen:
    """What citizens send, over HTTP to the server under test: signed SMS, portal form, kiosk rating."""

    def __init__(self, base_url):
        self.base = base_url
        self.http = requests.Session()
        self.validator = RequestValidator(TWILIO_TOKEN)

    def sms(self, body, phone, message_sid=None):
        """(status, reply text, MessageSid) for one signed inbound SMS."""
        message_sid = message_sid or "SM" + uuid.uuid4().hex
        params = {"MessageSid": message_sid, "SmsSid": message_sid, "AccountSid": TWILIO_SID, "From": phone,
                  "To": TWILIO_NUMBER, "Body": body, "NumMedia": "0"}
        url = self.base + "/hotline/sms"
        signature = self.validator.compute_signature(url, params)
        response = requests.post(url, data=params, headers={"X-Twilio-Signature": signature}, timeout=30)
        return response.status_code, response.text, message_sid

    def portal(self, description, unit_code, phone):
        """(status, tracking code or None) for one portal submission, CSRF token and all, as a browser does."""
        session = requests.Session()
        page = session.get(self.base + "/gui-phan-anh", timeout=30)
        if page.status_code != 200:
            return page.status_code, None
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.text)
        key = re.search(r'name="submission_key"[^>]*value="([^"]*)"', page.text)
        data = {"csrf_token": token.group(1) if token else "", "submission_key": key.group(1) if key else "",
                "description": description, "incident_date": "", "incident_place": "", "unit": unit_code,
                "category": "", "staff": "", "staff_description": "", "contact_mode": "contact",
                "full_name": "Nguyễn Văn Thử", "phone": phone, "email": "", "consent_publish": "y", "website": "",
                "submit": "Gửi phản ánh"}
        response = session.post(self.base + "/gui-phan-anh", data=data, timeout=30)
        code = CODE.search(response.text) if response.status_code == 200 else None
        return response.status_code, code.group(0) if code else None

    def kiosk(self, token, score, client_uuid):
        response = requests.post(self.base + "/kiosk/api/ratings", json={"score": score, "client_uuid": client_uuid},
                                 headers={"X-Kiosk-Token": token}, timeout=30)
        return response.status_code

    def healthz(self):
        return requests.get(self.base + "/healthz", timeout=10).json()
