"""Network faults: retries with exponential backoff and jitter, bounded attempts and time.

Every fault is simulated — with :class:`httpx.MockTransport` and, end to end, with a real
HTTP server on 127.0.0.1. No test touches the internet except those marked ``live``
(skipped by default).
"""

from __future__ import annotations

import json
import random
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from llmflation.cli import main
from llmflation.errors import FetchError, InputError
from llmflation.sources.http import RetryPolicy, backoff_delay, get_bytes
from tolerances import EXACT_RTOL

OK = b'{"data": []}'
FAST = RetryPolicy(max_attempts=4, timeout=1.0, backoff_base=0.5, backoff_cap=4.0, max_total=60.0)


class Clock:
    """Fake monotonic clock advanced by the fake sleep (no real waiting)."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, s: float) -> None:
        self.sleeps.append(s)
        self.now += s


def scripted(*steps):
    """A MockTransport answering with the given steps in order (exceptions are raised)."""
    calls: list[httpx.Request] = []

    def handler(req: httpx.Request) -> httpx.Response:
        calls.append(req)
        step = steps[min(len(calls), len(steps)) - 1]
        if isinstance(step, Exception):
            raise step
        return step

    return httpx.MockTransport(handler), calls


def run(transport, policy=FAST, seed=0):
    clock = Clock()
    out = get_bytes("https://api.example.org/models", what="openrouter", policy=policy, transport=transport,
                     sleep=clock.sleep, clock=clock, rng=random.Random(seed))
    return out, clock


@pytest.mark.parametrize("fault", [
    httpx.Response(503), httpx.Response(500), httpx.Response(502), httpx.Response(504), httpx.Response(429),
    httpx.Response(408),
    httpx.ReadTimeout("read timed out"), httpx.ConnectTimeout("connect timed out"),
    httpx.ConnectError("connection refused"), httpx.RemoteProtocolError("server disconnected"),
    httpx.ReadError("connection reset"),
], ids=lambda f: type(f).__name__ if isinstance(f, Exception) else f"http{f.status_code}")
def test_transient_faults_are_retried_then_succeed(fault):
    transport, calls = scripted(fault, fault, httpx.Response(200, content=OK))
    out, clock = run(transport)
    assert out == OK and len(calls) == 3 and len(clock.sleeps) == 2


def test_backoff_grows_exponentially_with_full_jitter():
    p = RetryPolicy(backoff_base=0.5, backoff_cap=8.0)
    rng = random.Random(1)
    for k in range(8):
        ceiling = min(8.0, 0.5 * 2 ** k)
        draws = [backoff_delay(k, p, rng) for _ in range(300)]
        assert all(0 <= d <= ceiling for d in draws)
        # jitter: spread over the whole [0, ceiling] range, not a constant
        assert min(draws) < 0.2 * ceiling and max(draws) > 0.8 * ceiling


def test_sleeps_between_attempts_follow_the_policy():
    transport, calls = scripted(httpx.Response(503))
    with pytest.raises(FetchError):
        run(transport, seed=3)
    clock = Clock()
    with pytest.raises(FetchError):
        get_bytes("https://x.org", policy=FAST, transport=transport, sleep=clock.sleep, clock=clock,
                  rng=random.Random(3))
    assert len(clock.sleeps) == FAST.max_attempts - 1
    for k, s in enumerate(clock.sleeps):
        assert 0 <= s <= min(FAST.backoff_cap, FAST.backoff_base * 2 ** k)


def test_attempts_are_bounded_and_the_error_says_offline_works():
    transport, calls = scripted(httpx.ConnectError("connection refused"))
    with pytest.raises(FetchError) as e:
        run(transport)
    assert len(calls) == FAST.max_attempts
    msg = str(e.value)
    assert "failed after 4 attempt(s)" in msg and "connection error (ConnectError" in msg
    assert "bundled snapshot still works offline" in msg and "--payload FILE" in msg


def test_total_time_is_bounded():
    # each failed attempt takes 10 s on the fake clock; the budget allows about two
    clock = Clock()

    def slow(req):
        clock.now += 10.0
        raise httpx.ReadTimeout("timed out")

    policy = RetryPolicy(max_attempts=50, timeout=10.0, backoff_base=1.0, backoff_cap=2.0, max_total=25.0)
    with pytest.raises(FetchError, match=r"failed after [23] attempt\(s\)"):
        get_bytes("https://x.org", policy=policy, transport=httpx.MockTransport(slow), sleep=clock.sleep,
                  clock=clock, rng=random.Random(0))
    assert clock.now <= 25.0 + 10.0  # never starts an attempt past the budget


def test_retry_after_is_honoured_and_can_exceed_the_budget():
    transport, _ = scripted(httpx.Response(429, headers={"Retry-After": "7"}), httpx.Response(200, content=OK))
    out, clock = run(transport)
    assert out == OK and clock.sleeps[0] >= 7.0
    transport, calls = scripted(httpx.Response(503, headers={"Retry-After": "3600"}))
    with pytest.raises(FetchError, match="past the 60 s budget"):
        run(transport)
    assert len(calls) == 1


def test_retry_after_as_http_date():
    when = time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(time.time() + 30))
    transport, _ = scripted(httpx.Response(503, headers={"Retry-After": when}), httpx.Response(200, content=OK))
    _, clock = run(transport)
    assert 20 <= clock.sleeps[0] <= 31


@pytest.mark.parametrize("status", [400, 401, 403, 404, 410])
def test_client_errors_are_not_retried(status):
    transport, calls = scripted(httpx.Response(status))
    with pytest.raises(FetchError, match=f"returned HTTP {status}.*not retried") as e:
        run(transport)
    assert len(calls) == 1
    if status in (401, 403):
        assert "API key" in str(e.value)


def test_bad_url_and_bad_policy():
    with pytest.raises(FetchError, match="Expected an http"):
        get_bytes("ftp://example.org/x", policy=FAST)
    with pytest.raises(InputError, match="max_attempts must be at least 1"):
        RetryPolicy(max_attempts=0)
    with pytest.raises(InputError, match="timeout must be a positive"):
        RetryPolicy(timeout=0)


def test_headers_carry_user_agent_and_extra_headers():
    transport, calls = scripted(httpx.Response(200, content=OK))
    get_bytes("https://x.org", headers={"x-api-key": "k"}, transport=transport, policy=FAST)
    assert calls[0].headers["x-api-key"] == "k" and "llmflation" in calls[0].headers["user-agent"]


# --------------------------------------------------------------------------- a real local server

MODELS = {"data": [{"id": "openai/gpt-4o", "name": "OpenAI: GPT-4o", "created": 1715558400,
                    "context_length": 128000, "pricing": {"prompt": "0.0000025", "completion": "0.00001"}},
                   {"id": "acme/tiny", "name": "Acme: Tiny", "created": 1715558400, "context_length": 8000,
                    "pricing": {"prompt": "0.0000001", "completion": "0.0000002"}}]}


class Server:
    """A threaded HTTP server on 127.0.0.1 serving a scripted list of (status, body, delay)."""

    def __init__(self, script):
        self.script = list(script)
        self.requests: list[dict[str, str]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802
                outer.requests.append(dict(self.headers))
                status, body, delay = outer.script[min(len(outer.requests), len(outer.script)) - 1]
                if delay:
                    time.sleep(delay)
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def log_message(self, *a):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/api/v1/models"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()


def cli(args: list[str]) -> int:
    """Run the CLI; the exit code (0 when it returns normally)."""
    try:
        main(args)
    except SystemExit as e:
        return int(e.code or 0)
    return 0


def test_end_to_end_fetch_from_a_local_server_after_a_503(tmp_path, capsys):
    db = tmp_path / "s.duckdb"
    body = json.dumps(MODELS).encode()
    with Server([(503, b"busy", 0), (200, body, 0)]) as srv:
        code = cli(["fetch", "openrouter", "--url", srv.url, "--db", str(db), "--attempts", "3",
                    "--observed-at", "2026-02-01", "-f", "json"])
    assert code == 0
    out = capsys.readouterr()
    rows = json.loads(out.out)["rows"]
    assert rows[0]["status"] == "recorded" and rows[0]["opened"] == 2 and rows[0]["origin"] == srv.url
    assert "attempt 1 failed (HTTP 503" in out.err
    assert len(srv.requests) == 2
    from llmflation.store.db import Store

    with Store(db, read_only=True) as s:
        got = s.query("SELECT source_key, input_usd_per_mtok FROM price_intervals ORDER BY 1")
    assert got["source_key"].tolist() == ["acme/tiny", "openai/gpt-4o"]
    assert got["input_usd_per_mtok"].tolist() == pytest.approx([0.1, 2.5], rel=EXACT_RTOL)


def test_end_to_end_timeouts_give_a_clear_error_and_no_store(tmp_path, capsys):
    db = tmp_path / "s.duckdb"
    with Server([(200, b"{}", 1.0)]) as srv:
        code = cli(["fetch", "openrouter", "--url", srv.url, "--db", str(db), "--attempts", "2",
                    "--timeout", "0.2", "--max-time", "5"])
    assert code == 1
    err = capsys.readouterr().err
    assert "openrouter: attempt 1 failed (timed out after 0.2 s (ReadTimeout)); retrying in" in err
    assert "\nError: GET http://127.0.0.1:" in err and "failed after 2 attempt(s)" in err
    assert "timed out" in err and "bundled snapshot still works offline" in err
    assert not db.exists()  # the store is opened only after a valid payload arrived


def test_end_to_end_connection_refused(tmp_path, capsys):
    with Server([(200, b"{}", 0)]) as srv:
        url = srv.url
    # the server is gone: connection refused
    code = cli(["fetch", "litellm", "--url", url, "--db", str(tmp_path / "s.duckdb"), "--attempts", "2",
                "--max-time", "5"])
    assert code == 1
    assert "connection error (ConnectError" in capsys.readouterr().err


# --------------------------------------------------------------------------- the real endpoints (opt-in)


@pytest.mark.live
@pytest.mark.parametrize("source", ["openrouter", "litellm", "epoch"])
def test_live_endpoint_validates(source):
    from datetime import datetime

    from llmflation.store.fetch import download, prepare

    raw = download(source, policy=RetryPolicy(max_attempts=3, timeout=60, max_total=180))
    snap = prepare(source, raw, observed_at=datetime(2030, 1, 1))
    assert len(snap.observations) > 100
