"""Throughput and latency of the signed SMS webhook, next to two references, in one run.

    python -m bench hotline_webhook [--seconds=10] [--connections=16] [--rounds=1]

Serves the app with gunicorn (2 sync workers) on PostgreSQL and Redis, and loads three
endpoints the same way (wrk, 16 connections, fixed time each; a Python client if wrk is
missing):

- hello:   a bare Flask endpoint returning a few bytes;
- insert:  a minimal endpoint that inserts one row and commits;
- webhook: POST /hotline/sms, signed as Twilio signs it, every request a new MessageSid
           whose text opens a new case (the heaviest path: case, routing, deadlines, audit).

Environment: BENCH_DATABASE_URL (default postgresql://postgres@127.0.0.1/test_hotline; its
tables are dropped and re-created, so never point it at real data), BENCH_REDIS_URL
(default redis://127.0.0.1:6379/5).
"""
import http.client
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
PUBLIC = "https://hotline.bench.example"
TOKEN = "bench-auth-token"
DEFAULT_DB = "postgresql://postgres@127.0.0.1/test_hotline"
DEFAULT_REDIS = "redis://127.0.0.1:6379/5"
TEXT = ("Cán bộ tiếp nhận hồ sơ tại Bộ phận Một cửa yêu cầu nộp thêm giấy tờ không có trong thành phần hồ sơ "
        "theo quy định, đề nghị kiểm tra và chấn chỉnh. Lần {n}.")


# --- the app gunicorn serves: the real app plus the two reference endpoints --------------------

def bench_app():
    """gunicorn "bench.hotline_webhook:bench_app()"."""
    from flask import request
    from sqlalchemy import text

    from feedback import create_app
    from feedback.extensions import csrf, db

    # Development settings with debugging off: ProductionConfig.check() refuses any SECRET_KEY today
    # (it compares the key with Config.SECRET_KEY, which is read from the same variable).
    app = create_app("development", DEBUG=False, TEMPLATES_AUTO_RELOAD=False)

    @app.route("/bench/hello")
    def bench_hello():
        return "Xin chào"

    @csrf.exempt
    @app.route("/bench/insert", methods=["POST"])
    def bench_insert():
        db.session.execute(text("INSERT INTO bench_rows (body) VALUES (:body)"), {"body": request.form.get("Body", "")})
        db.session.commit()
        return "ok"

    return app


# --- setup ---------------------------------------------------------------------------------

def _environment(database_url, redis_url):
    env = dict(os.environ)
    env.update({
        "DATABASE_URL": database_url, "REDIS_URL": redis_url, "FLASK_CONFIG": "development",
        "SECRET_KEY": "bench-" + "x" * 40, "PUBLIC_BASE_URL": PUBLIC, "TWILIO_AUTH_TOKEN": TOKEN,
        "TWILIO_ACCOUNT_SID": "", "TWILIO_PHONE_NUMBER": "", "PYTHONPATH": str(ROOT),
    })
    return env


def _prepare_database(env):
    """Fresh tables (the bench database only) and the reference table."""
    code = (
        "from feedback import create_app\n"
        "from feedback.extensions import db\n"
        "from sqlalchemy import text\n"
        "app = create_app('development')\n"
        "with app.app_context():\n"
        "    with db.engine.begin() as c:\n"
        "        c.execute(text('CREATE EXTENSION IF NOT EXISTS unaccent'))\n"
        "        c.execute(text('DROP TABLE IF EXISTS bench_rows'))\n"
        "        c.execute(text('CREATE TABLE bench_rows (id BIGSERIAL PRIMARY KEY, body TEXT,"
        " created_at TIMESTAMP NOT NULL DEFAULT now())'))\n"
        "    db.drop_all()\n"
        "    db.create_all()\n"
    )
    subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, check=True)


def _count(env, sql):
    code = (
        "from feedback import create_app\nfrom feedback.extensions import db\nfrom sqlalchemy import text\n"
        "app = create_app('development')\n"
        f"with app.app_context(): print(db.session.execute(text({sql!r})).scalar())\n"
    )
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, check=True, capture_output=True, text=True)
    return int(out.stdout.strip().splitlines()[-1])


def _drain(env):
    """Run the jobs the webhook queued (one worker, after the load, at most a minute): (cases created, seconds)."""
    code = (
        "import time\n"
        "from sqlalchemy import func, select\n"
        "from feedback import create_app\nfrom feedback.extensions import db\n"
        "from feedback.jobs import redis_connection, relay_pending\nfrom feedback.jobs.worker import make_worker\n"
        "from feedback.models import Complaint, JobOutbox\n"
        "app = create_app('development', DEBUG=False)\n"
        "with app.app_context():\n"
        "    started = time.monotonic()\n"
        "    while time.monotonic() - started < 60:\n"
        "        moved = relay_pending(500)\n"
        "        make_worker(app, ['default'], redis_connection()).work(burst=True)\n"
        "        if not moved and not db.session.scalar(select(func.count()).select_from(JobOutbox)"
        ".where(JobOutbox.enqueued_at.is_(None))):\n"
        "            break\n"
        "    print(db.session.scalar(select(func.count()).select_from(Complaint)), time.monotonic() - started)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, check=True, capture_output=True, text=True)
    cases, seconds = out.stdout.strip().splitlines()[-1].split()
    return int(cases), float(seconds)


def _free_port():
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _start_gunicorn(env, port):
    gunicorn = shutil.which("gunicorn", path=str(Path(sys.executable).parent)) or "gunicorn"
    process = subprocess.Popen(
        [gunicorn, "-w", "2", "-k", "sync", "-b", f"127.0.0.1:{port}", "--log-level", "warning",
         "bench.hotline_webhook:bench_app()"],
        env=env, cwd=ROOT,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/bench/hello")
            if connection.getresponse().status == 200:
                return process
        except OSError:
            time.sleep(0.3)
    process.terminate()
    raise RuntimeError("gunicorn did not start")


# --- requests --------------------------------------------------------------------------------

def _signed_webhook(n):
    from twilio.request_validator import RequestValidator

    params = {
        "MessageSid": f"SMbench{n:026d}", "AccountSid": "AC" + "b" * 32, "From": f"+8490{n % 1000000:07d}",
        "To": "+18005550100", "Body": TEXT.format(n=n), "NumMedia": "0",
    }
    signature = RequestValidator(TOKEN).compute_signature(PUBLIC + "/hotline/sms", params)
    return "/hotline/sms", signature, urlencode(params)


def _write_requests(folder, endpoint, count, offset):
    """One request per line: path, signature, body (tab-separated)."""
    path = Path(folder) / f"{endpoint}-{offset}.tsv"
    with path.open("w") as out:
        for n in range(offset, offset + count):
            if endpoint == "webhook":
                line = _signed_webhook(n)
            else:
                line = ("/bench/insert", "-", urlencode({"Body": TEXT.format(n=n)}))
            out.write("\t".join(line) + "\n")
    return path


WRK_SCRIPT = r"""
local threads_made = 0
function setup(thread)
  thread:set("tid", threads_made)
  threads_made = threads_made + 1
end

local requests = {}
local i = 0
function init(args)
  local file, nthreads = args[1], tonumber(args[2])
  local n = 0
  for line in io.lines(file) do
    if n % nthreads == tid then
      local p, sig, body = line:match("([^\t]*)\t([^\t]*)\t(.*)")
      local headers = {["Content-Type"] = "application/x-www-form-urlencoded"}
      if sig ~= "-" then headers["X-Twilio-Signature"] = sig end
      requests[#requests + 1] = wrk.format("POST", p, headers, body)
    end
    n = n + 1
  end
end

function request()
  i = i + 1
  if i > #requests then i = 1 end
  return requests[i]
end
"""

_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def _ms(value):
    number, unit = re.match(r"([\d.]+)(us|ms|s|m)", value).groups()
    return float(number) * _UNITS[unit]


def _run_wrk(base, endpoint, seconds, connections, folder, requests_file):
    threads = 2
    if endpoint == "hello":
        command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency", base + "/bench/hello"]
    else:
        script = Path(folder) / "signed.lua"
        script.write_text(WRK_SCRIPT)
        command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", str(script),
                   base, "--", str(requests_file), str(threads)]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    total = int(re.search(r"(\d+) requests in", output).group(1))
    median = _ms(re.search(r"\s50%\s+([\d.]+\w+)", output).group(1))
    p99 = _ms(re.search(r"\s99%\s+([\d.]+\w+)", output).group(1))
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    errors = re.search(r"Socket errors: (.*)", output)
    return {"rps": rps, "median": median, "p99": p99, "requests": total, "non2xx": int(bad.group(1)) if bad else 0,
            "errors": errors.group(1) if errors else ""}


def _run_python(base, endpoint, seconds, connections, requests_file):
    """Fallback client: `connections` threads, a new connection per request (gunicorn sync closes them)."""
    host, port = base.replace("http://", "").split(":")
    lines = requests_file.read_text().splitlines() if requests_file else []
    latencies, bad, lock = [], [0], threading.Lock()
    counter = iter(range(10**9))
    stop_at = time.monotonic() + seconds

    def client():
        while time.monotonic() < stop_at:
            n = next(counter)
            connection = http.client.HTTPConnection(host, int(port), timeout=30)
            started = time.perf_counter()
            if endpoint == "hello":
                connection.request("GET", "/bench/hello")
            else:
                path, signature, body = lines[n % len(lines)].split("\t")
                headers = {"Content-Type": "application/x-www-form-urlencoded"}
                if signature != "-":
                    headers["X-Twilio-Signature"] = signature
                connection.request("POST", path, body=body, headers=headers)
            response = connection.getresponse()
            response.read()
            elapsed = (time.perf_counter() - started) * 1000
            connection.close()
            with lock:
                latencies.append(elapsed)
                if response.status >= 300:
                    bad[0] += 1

    workers = [threading.Thread(target=client) for _ in range(connections)]
    began = time.monotonic()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    took = time.monotonic() - began
    latencies.sort()
    return {"rps": len(latencies) / took, "median": statistics.median(latencies),
            "p99": latencies[int(len(latencies) * 0.99) - 1], "requests": len(latencies), "non2xx": bad[0], "errors": ""}


def run(argv):
    options = dict(a.lstrip("-").split("=", 1) for a in argv if "=" in a)
    seconds = int(options.get("seconds", 10))
    connections = int(options.get("connections", 16))
    # Rounds interleave the three endpoints (hello, insert, webhook, hello, ...) so that load from
    # anything else on the machine falls on all three alike; figures are per-round medians.
    rounds = int(options.get("rounds", 1))
    database_url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DB)
    redis_url = os.environ.get("BENCH_REDIS_URL", DEFAULT_REDIS)
    env = _environment(database_url, redis_url)
    _prepare_database(env)
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    use_wrk = shutil.which("wrk") is not None
    per_round = {"hello": [], "insert": [], "webhook": []}
    with tempfile.TemporaryDirectory() as folder:
        server = _start_gunicorn(env, port)
        try:
            for number in range(rounds):
                # Distinct requests for every run: a repeated MessageSid would be a (cheaper) duplicate.
                offset = number * 10**6
                files = {"insert": _write_requests(folder, "insert", 40000, offset),
                         "webhook": _write_requests(folder, "webhook", 20000, offset)}
                warm = {"insert": _write_requests(folder, "insert", 1500, offset + 500000),
                        "webhook": _write_requests(folder, "webhook", 1500, offset + 500000)}
                for endpoint in ("hello", "insert", "webhook"):
                    # A short warm-up (connections, caches, plans), then the measured run.
                    if use_wrk:
                        _run_wrk(base, endpoint, 2, connections, folder, warm.get(endpoint))
                        figures = _run_wrk(base, endpoint, seconds, connections, folder, files.get(endpoint))
                    else:
                        _run_python(base, endpoint, 2, connections, warm.get(endpoint))
                        figures = _run_python(base, endpoint, seconds, connections, files.get(endpoint))
                    per_round[endpoint].append(figures)
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
    inbound = _count(env, "SELECT count(*) FROM inbound_sms")
    cases, drained_in = _drain(env)
    load = os.getloadavg()[0]
    print(f"gunicorn -w 2 -k sync, PostgreSQL + Redis, {connections} connections, {seconds} s per run, "
          f"{rounds} round(s), client: {'wrk' if use_wrk else 'python threads'}, load average now {load:.1f}")
    print(f"{'round':<6}{'endpoint':<10}{'req/s':>10}{'x hello':>9}{'x insert':>10}{'median ms':>11}{'p99 ms':>9}"
          f"{'requests':>10}{'non-2xx':>9}")
    for number in range(rounds):
        hello, insert = per_round["hello"][number]["rps"], per_round["insert"][number]["rps"]
        for name in ("hello", "insert", "webhook"):
            figures = per_round[name][number]
            print(f"{number + 1:<6}{name:<10}{figures['rps']:>10.1f}{figures['rps'] / hello:>9.2f}"
                  f"{figures['rps'] / insert:>10.2f}{figures['median']:>11.1f}{figures['p99']:>9.1f}"
                  f"{figures['requests']:>10}{figures['non2xx']:>9}"
                  + (f"  socket errors: {figures['errors']}" if figures["errors"] else ""))
    ratio = statistics.median(w["rps"] / i["rps"] for w, i in zip(per_round["webhook"], per_round["insert"]))
    p99 = statistics.median(w["p99"] for w in per_round["webhook"])
    print(f"webhook / insert throughput (median of rounds): {ratio:.2f}; webhook p99 (median of rounds): {p99:.1f} ms")
    print(f"inbound SMS recorded (warm-ups included): {inbound}; cases stored with them in the same request: {cases}"
          f" (waited {drained_in:.1f} s after the load for any still missing)")
    verdict = "met" if ratio >= 0.6 and p99 < 100 else "MISSED"
    print(f"aim (>= 0.6 x insert and p99 < 100 ms): {verdict}")
    return per_round


if __name__ == "__main__":
    run(sys.argv[1:])
