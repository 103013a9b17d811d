"""Serving the app with gunicorn and loading it with wrk: the part the through-the-network benchmarks share."""
import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def bench_app():
    """The real app plus the two references every figure is divided by: gunicorn "bench._http:bench_app()"."""
    from flask import request
    from sqlalchemy import text

    from feedback import create_app
    from feedback.extensions import csrf, db

    # Development settings with debugging off: the production check wants real secrets and HTTPS.
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

    if os.environ.get("BENCH_PROFILE_DIR"):  # one .prof file per request, for `python -m bench user_paths --profile`
        from werkzeug.middleware.profiler import ProfilerMiddleware

        app.wsgi_app = ProfilerMiddleware(app.wsgi_app, stream=None, profile_dir=os.environ["BENCH_PROFILE_DIR"],
                                          filename_format=lambda environ: f"{time.time_ns()}.prof")
    return app


def create_reference_table(connection):
    """The table the insert reference writes one row to per request."""
    from sqlalchemy import text

    connection.execute(text("DROP TABLE IF EXISTS bench_rows"))
    connection.execute(text("CREATE TABLE bench_rows (id BIGSERIAL PRIMARY KEY, body TEXT, "
                            "created_at TIMESTAMP NOT NULL DEFAULT now())"))


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_gunicorn(env, port, workers=2):
    """gunicorn -w 2 -k sync on 127.0.0.1:port, returned once /bench/hello answers."""
    gunicorn = shutil.which("gunicorn", path=str(Path(sys.executable).parent)) or "gunicorn"
    process = subprocess.Popen(
        [gunicorn, "-w", str(workers), "-k", "sync", "-b", f"127.0.0.1:{port}", "--log-level", "warning",
         "--timeout", "120", "bench._http:bench_app()"],
        env=env, cwd=ROOT,
    )
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/bench/hello")
            if connection.getresponse().status == 200:
                return process
        except OSError:
            time.sleep(0.3)
    stop(process)
    raise RuntimeError("gunicorn did not start")


def stop(process):
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()


# One request per line: method, path, headers (joined by \x1f), body; tab-separated. Each wrk thread
# takes every n-th line, so no two threads send the same intake request.
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
  local lines = {}
  for line in io.lines(file) do lines[#lines + 1] = line end
  for n, line in ipairs(lines) do
    -- fewer lines than threads (one fixed page): every thread sends them all
    if #lines < nthreads or (n - 1) % nthreads == tid then
      local method, p, hs, body = line:match("([^\t]*)\t([^\t]*)\t([^\t]*)\t(.*)")
      local headers = {}
      for h in string.gmatch(hs, "[^\31]+") do
        local name, value = h:match("([^:]+): (.*)")
        headers[name] = value
      end
      if body == "" then body = nil end
      requests[#requests + 1] = wrk.format(method, p, headers, body)
    end
  end
end

function request()
  i = i + 1
  if i > #requests then i = 1 end
  return requests[i]
end
"""


def write_requests(path, requests):
    """requests: (method, path, {header: value}, body) tuples, written for WRK_SCRIPT."""
    with open(path, "w") as out:
        for method, target, headers, body in requests:
            joined = "\x1f".join(f"{k}: {v}" for k, v in headers.items())
            assert "\t" not in body and "\n" not in body, "bodies are one line"
            out.write(f"{method}\t{target}\t{joined}\t{body}\n")
    return path


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def _ms(value):
    number, unit = re.match(r"([\d.]+)(us|ms|s|m)", value).groups()
    return float(number) * _UNITS[unit]


def run_wrk(base, requests_file, seconds, connections, folder):
    """wrk against `base` with the requests in `requests_file`: req/s, p50, p99, counts."""
    threads = min(2, connections)
    script = Path(folder) / "requests.lua"
    if not script.exists():
        script.write_text(WRK_SCRIPT)
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout", "30s", "--latency",
               "-s", str(script), base, "--", str(requests_file), str(threads)]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    errors = re.search(r"Socket errors: (.*)", output)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "requests": int(re.search(r"(\d+) requests in", output).group(1)),
        "p50": _ms(re.search(r"\s50%\s+([\d.]+\w+)", output).group(1)),
        "p99": _ms(re.search(r"\s99%\s+([\d.]+\w+)", output).group(1)),
        "bad": int(bad.group(1)) if bad else 0,
        "errors": errors.group(1) if errors else "",
    }


def wait_until_idle(port, deadline_seconds=30):
    """Return once the server answers /bench/hello at once: requests queued by the previous run (wrk stops
    sending, gunicorn still serves what it accepted) would otherwise be timed against the next path."""
    deadline = time.monotonic() + deadline_seconds
    while time.monotonic() < deadline:
        started = time.perf_counter()
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=deadline_seconds)
        connection.request("GET", "/bench/hello")
        connection.getresponse().read()
        connection.close()
        if time.perf_counter() - started < 0.02:
            return
        time.sleep(0.2)


def have_wrk():
    return shutil.which("wrk") is not None


def machine():
    """One line on what the figures ran on."""
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{os.cpu_count()} cores ({model or 'unknown CPU'}), {memory:.0f} GiB"


def dumps(data):
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))
