"""Fetch, hardened: time, size, redirects, credentials, odd input, corrupt or newer stores.

Every network fault runs against real HTTP servers on 127.0.0.1 (threads, each test a
few seconds at most): a server that drips its body or headers a byte at a time, one
that stalls, one that sends more than the cap or a gzip bomb, and redirecting servers
on two ports (two origins) that record what they were sent.
"""

from __future__ import annotations

import gzip
import io
import json
import threading
import time
import tracemalloc
import zipfile
from collections.abc import Callable
from datetime import date, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pandas as pd
import pytest

from llmflation.cli import main
from llmflation.errors import FetchError, InputError, ParseError, StoreError
from llmflation.sources import epoch as epoch_src
from llmflation.sources.http import RetryPolicy, get_bytes, gunzip_bounded, parse_size
from llmflation.store.db import Store
from llmflation.store.fetch import fetch, resolve_observed_at
from llmflation.store.history import fetch_log

#: Wall-time slack over a budget for thread scheduling on a loaded 2-core machine.
SLACK = 1.5
MB = 1024 ** 2


def models(n: int, start: int = 0) -> bytes:
    """An OpenRouter payload with ``n`` priced models."""
    return json.dumps({"data": [
        {"id": f"acme/m{i}", "name": f"Acme: M{i}", "created": 1715558400, "context_length": 8000,
         "pricing": {"prompt": "0.000001", "completion": "0.000002"}} for i in range(start, start + n)]}).encode()


def cli(args: list[str]) -> int:
    try:
        main(args)
    except SystemExit as e:
        return int(e.code or 0)
    return 0


Route = Callable[[BaseHTTPRequestHandler, "Server"], None]


class Server:
    """A threaded HTTP server on 127.0.0.1: path → handler; records (path, headers) of each request."""

    def __init__(self, routes: dict[str, Route] | None = None):
        self.routes: dict[str, Route] = dict(routes or {})
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.stop = threading.Event()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802
                outer.requests.append((self.path.split("?")[0], {k.lower(): v for k, v in self.headers.items()}))
                route = outer.routes.get(self.path.split("?")[0])
                try:
                    if route is None:
                        send(self, 404, b"not found")
                    else:
                        route(self, outer)
                except (BrokenPipeError, ConnectionResetError, OSError):
                    pass

            def log_message(self, *a):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def url(self, path: str = "/") -> str:
        return self.base + path

    def seen(self, path: str) -> list[dict[str, str]]:
        return [h for p, h in self.requests if p == path]

    def __enter__(self) -> Server:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.httpd.shutdown()
        self.httpd.server_close()


def send(h: BaseHTTPRequestHandler, status: int, body: bytes, headers: dict[str, str] | None = None,
         length: bool = True) -> None:
    h.send_response(status)
    for k, v in {"Content-Type": "application/json", **(headers or {})}.items():
        h.send_header(k, v)
    if length:
        h.send_header("Content-Length", str(len(body)))
    h.end_headers()
    h.wfile.write(body)


def ok(body: bytes, **headers: str) -> Route:
    return lambda h, srv: send(h, 200, body, headers)


def redirect(to: str | Callable[[], str], status: int = 302) -> Route:
    return lambda h, srv: send(h, status, b"", {"Location": to() if callable(to) else to})


def drip_body(h: BaseHTTPRequestHandler, srv: Server) -> None:
    """Headers at once, then a 100 kB body one byte every 50 ms (a read never times out)."""
    h.send_response(200)
    h.send_header("Content-Type", "application/json")
    h.send_header("Content-Length", "100000")
    h.end_headers()
    h.wfile.flush()
    while not srv.stop.is_set():
        h.wfile.write(b" ")
        h.wfile.flush()
        time.sleep(0.05)


def drip_headers(h: BaseHTTPRequestHandler, srv: Server) -> None:
    """The status line, then endless header bytes, one every 50 ms."""
    h.wfile.write(b"HTTP/1.1 200 OK\r\nX-Slow: ")
    h.wfile.flush()
    while not srv.stop.is_set():
        h.wfile.write(b"a")
        h.wfile.flush()
        time.sleep(0.05)


def stall(h: BaseHTTPRequestHandler, srv: Server) -> None:
    srv.stop.wait(10)


# --------------------------------------------------------------------------- 1. the time budget


def test_a_slow_drip_body_is_cut_at_the_total_deadline(tmp_path, capsys):
    db = tmp_path / "s.duckdb"
    with Server({"/m": drip_body}) as srv:
        t0 = time.monotonic()
        code = cli(["fetch", "openrouter", "--url", srv.url("/m"), "--db", str(db), "--timeout", "30",
                    "--max-time", "1", "--attempts", "3"])
        elapsed = time.monotonic() - t0
    assert code == 1 and elapsed < 1 + SLACK, elapsed
    err = capsys.readouterr().err
    assert err.startswith("Error: GET http://127.0.0.1:") and "ran out of its 1 s time budget" in err
    assert "while reading the response" in err and "--max-time" in err
    assert len(srv.seen("/m")) == 1  # the budget is spent: no retry
    assert not db.exists()


def test_dripping_headers_are_bounded_by_the_deadline_too():
    with Server({"/h": drip_headers}) as srv:
        t0 = time.monotonic()
        with pytest.raises(FetchError, match="time budget"):
            get_bytes(srv.url("/h"), policy=RetryPolicy(max_attempts=5, timeout=30, max_total=1.0))
        assert time.monotonic() - t0 < 1 + SLACK


def test_retries_stop_at_the_deadline_even_with_a_long_per_request_timeout():
    with Server({"/s": stall}) as srv:
        t0 = time.monotonic()
        with pytest.raises(FetchError, match=r"time budget") as e:
            get_bytes(srv.url("/s"), policy=RetryPolicy(max_attempts=5, timeout=30, max_total=1.0,
                                                        backoff_base=0.01))
        assert time.monotonic() - t0 < 1 + SLACK
    assert "1 attempt(s)" in str(e.value) and len(srv.seen("/s")) == 1


# --------------------------------------------------------------------------- 2. the size cap


def test_a_declared_size_over_the_cap_is_refused_before_reading(tmp_path, capsys):
    with Server({"/big": lambda h, srv: send(h, 200, b"", {"Content-Length": str(300 * MB)}, length=False)}) as srv:
        code = cli(["fetch", "litellm", "--url", srv.url("/big"), "--db", str(tmp_path / "s.duckdb"),
                    "--max-bytes", "1MB", "--max-time", "5"])
    assert code == 1
    err = capsys.readouterr().err
    assert "declares 314,572,800 bytes, more than the 1.0 MiB cap" in err and "--max-bytes" in err


def test_an_undeclared_body_is_cut_at_the_cap_while_streaming():
    def endless(h, srv):  # HTTP/1.0, no Content-Length: the body runs until the connection closes
        h.send_response(200)
        h.end_headers()
        for _ in range(64):
            if srv.stop.is_set():
                return
            h.wfile.write(b" " * (256 * 1024))

    with Server({"/e": endless}) as srv:
        with pytest.raises(FetchError, match=r"the response is more than the 1.0 MiB cap") as e:
            get_bytes(srv.url("/e"), policy=RetryPolicy(max_total=5, max_bytes=MB))
    read = int(str(e.value).split("stopped after ")[1].split(" bytes")[0].replace(",", ""))
    assert MB < read < 2 * MB  # stopped at the cap, not after the 16 MB the server offered


def test_a_gzip_bomb_in_content_encoding_stops_at_the_cap_in_bounded_memory():
    bomb = gzip.compress(b"\0" * (64 * MB), compresslevel=9)
    assert len(bomb) < 100_000
    with Server({"/z": ok(bomb, **{"Content-Encoding": "gzip"}),
                 "/fine": ok(gzip.compress(models(3)), **{"Content-Encoding": "gzip"})}) as srv:
        assert json.loads(get_bytes(srv.url("/fine")))["data"][2]["id"] == "acme/m2"
        tracemalloc.start()
        try:
            with pytest.raises(FetchError, match="decompresses to more than the 2.0 MiB cap"):
                get_bytes(srv.url("/z"), policy=RetryPolicy(max_total=5, max_bytes=2 * MB))
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    assert peak < 16 * MB, f"peak {peak / MB:.0f} MB: decompression was not bounded"


def test_a_json_gz_payload_is_decompressed_and_a_gzip_bomb_refused(tmp_path, capsys):
    db = tmp_path / "s.duckdb"
    good = tmp_path / "openrouter_models_2026-03-01.json.gz"
    good.write_bytes(gzip.compress(models(4)))
    assert cli(["fetch", "openrouter", "--payload", str(good), "--db", str(db), "-f", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["rows"][0]["opened"] == 4
    bomb = tmp_path / "openrouter_models_2026-03-02.json.gz"
    bomb.write_bytes(gzip.compress(b" " * (20 * MB)))
    assert cli(["fetch", "openrouter", "--payload", str(bomb), "--db", str(db), "--max-bytes", "1MB"]) == 1
    err = capsys.readouterr().err
    assert "payload is gzip-compressed and expands past the 1.0 MiB cap" in err and "The store was not" in err
    broken = tmp_path / "openrouter_models_2026-03-03.json.gz"
    broken.write_bytes(gzip.compress(models(4))[:40])
    assert cli(["fetch", "openrouter", "--payload", str(broken), "--db", str(db)]) == 1
    err = capsys.readouterr().err
    assert "starts like gzip but cannot be decompressed" in err and "truncated or corrupt" in err
    with Store(db, read_only=True) as s:
        assert len(fetch_log(s)) == 1


def test_an_epoch_zip_bomb_is_refused_at_the_cap():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr(epoch_src.MEMBER, b"Model\n" + b"x" * (30 * MB))
    assert len(buf.getvalue()) < 200_000
    with pytest.raises(ParseError, match="expands to more than the 1,048,576 bytes cap"):
        epoch_src.parse(buf.getvalue(), snapshot_date="2026-01-01", max_bytes=MB)
    with pytest.raises(ParseError, match="expands"):
        fetch(Store.memory(), "epoch", payload=buf.getvalue(), observed_at="2026-01-01", max_bytes=MB)


def test_size_options_are_validated():
    assert parse_size("200MB") == 200 * MB and parse_size("1.5k") == 1536 and parse_size("7") == 7
    for bad in ("", "-1", "12 parsecs", "0"):
        with pytest.raises(InputError):
            parse_size(bad)
    with pytest.raises(InputError, match="max_bytes must be a positive"):
        RetryPolicy(max_bytes=0)
    with pytest.raises(InputError, match="max_bytes must be an integer"):
        RetryPolicy(max_bytes=1.5)  # type: ignore[arg-type]
    assert gunzip_bounded(gzip.compress(b"abc"), "x") == b"abc"


# --------------------------------------------------------------------------- 3. redirects and credentials


@pytest.mark.parametrize("source, var, header", [
    ("artificial-analysis", "ARTIFICIAL_ANALYSIS_API_KEY", "x-api-key"),
    ("openrouter-rankings", "OPENROUTER_API_KEY", "authorization"),
])
def test_a_key_never_follows_a_cross_origin_redirect(source, var, header, monkeypatch, tmp_path, capsys):
    monkeypatch.setenv(var, "SECRET-KEY-123")
    with Server() as other, Server() as home:
        other.routes["/data"] = ok(b'{"data": []}')
        home.routes["/start"] = redirect("/moved")             # same origin: the key goes along
        home.routes["/moved"] = lambda h, srv: send(h, 307, b"", {  # another port = another origin
            "Location": other.url("/data"), "Set-Cookie": "session=SECRET-KEY-123; Path=/"})
        cli(["fetch", source, "--url", home.url("/start"), "--db", str(tmp_path / "s.duckdb"), "--max-time", "5"])
    assert "SECRET-KEY-123" in home.seen("/start")[0][header]
    assert "SECRET-KEY-123" in home.seen("/moved")[0][header]
    got = other.seen("/data")
    assert got, "the redirect was not followed"
    assert all(header not in h and not any("SECRET-KEY-123" in v for v in h.values()) for h in got)
    assert "SECRET-KEY-123" not in capsys.readouterr().err


def test_a_redirect_back_to_the_first_origin_does_not_get_the_key_back():
    with Server() as other, Server() as home:
        home.routes["/a"] = redirect(other.url("/b"))
        other.routes["/b"] = redirect(home.url("/c"))
        home.routes["/c"] = ok(b"{}")
        assert get_bytes(home.url("/a"), headers={"Authorization": "Bearer K"},
                         policy=RetryPolicy(max_total=5)) == b"{}"
    assert home.seen("/a")[0]["authorization"] == "Bearer K"
    assert "authorization" not in other.seen("/b")[0] and "authorization" not in home.seen("/c")[0]


def test_a_redirect_loop_and_too_many_redirects_give_clean_errors(tmp_path, capsys):
    with Server() as srv:
        srv.routes["/loop"] = redirect("/loop2")
        srv.routes["/loop2"] = redirect("/loop")
        for i in range(10):
            srv.routes[f"/r{i}"] = redirect(f"/r{i + 1}", 301)
        srv.routes["/ftp"] = redirect("ftp://127.0.0.1/x")
        db = str(tmp_path / "s.duckdb")
        assert cli(["fetch", "openrouter", "--url", srv.url("/loop"), "--db", db, "--max-time", "5"]) == 1
        err = capsys.readouterr().err
        assert err.startswith("Error: GET") and "redirect loop" in err and "/loop2 → " in err
        assert "Traceback" not in err
        assert cli(["fetch", "openrouter", "--url", srv.url("/r0"), "--db", db, "--max-time", "5"]) == 1
        err = capsys.readouterr().err
        assert err.startswith("Error: GET") and "redirected more than 5 times" in err
        with pytest.raises(FetchError, match="expected an http"):
            get_bytes(srv.url("/ftp"), policy=RetryPolicy(max_total=5))
    assert len([p for p, _ in srv.requests if p.startswith("/loop")]) == 2  # not retried


# --------------------------------------------------------------------------- 4. stores and paths


def test_store_needs_a_path():
    for bad in (None, 123, 1.5, b"x.duckdb", ""):
        with pytest.raises(InputError, match="Store\\(\\) needs a"):
            Store(bad)  # type: ignore[arg-type]
    assert not Path("None").exists() and not Path("123").exists()


def test_a_corrupt_store_gives_an_error_line_not_a_traceback(tmp_path, capsys):
    db = tmp_path / "s.duckdb"
    with Store(db) as s:
        fetch(s, "openrouter", payload=models(50), observed_at="2026-01-01")
    data = bytearray(db.read_bytes())
    data[3 * 4096:] = b"\xab" * (len(data) - 3 * 4096)  # keep DuckDB's file headers, break every block
    db.write_bytes(bytes(data))
    for args in (["ingest"], ["fetch", "log"], ["models"]):
        assert cli([*args, "--db", str(db)]) == 1, args
        err = capsys.readouterr().err
        assert err.startswith("Error: ") and "Traceback" not in err, err
        assert str(db) in err
    notdb = tmp_path / "notes.duckdb"
    notdb.write_text("hello")
    assert cli(["ingest", "--db", str(notdb)]) == 1
    assert capsys.readouterr().err.startswith(f"Error: cannot open store {notdb}")


def test_rich_markup_in_the_db_path_is_printed_literally(tmp_path, capsys):
    db = tmp_path / "we[/dim]ird" / "[bold]s.duckdb"
    payload = tmp_path / "openrouter_models_2026-02-01.json"
    payload.write_bytes(models(3))
    assert cli(["fetch", "openrouter", "--payload", str(payload), "--db", str(db)]) == 0
    out = capsys.readouterr().out
    assert f"store: {db}" in out.replace("\n", "")
    assert cli(["fetch", "log", "--db", str(db)]) == 0
    assert "we[/dim]ird" in capsys.readouterr().out
    assert cli(["ingest", "--db", str(db)]) == 0
    assert "[bold]s.duckdb" in capsys.readouterr().out.replace("\n", "")


def test_a_store_from_a_newer_llmflation_is_refused(tmp_path, capsys):
    db = tmp_path / "s.duckdb"
    with Store(db) as s:
        known = s.schema_version()
        s.con.execute("INSERT INTO schema_migrations (version, name) VALUES (?, 'from_the_future')", [known + 4])
    for read_only in (False, True):
        with pytest.raises(StoreError, match=rf"schema version {known + 4}, newer than .* \(up to {known}\)"):
            Store(db, read_only=read_only)
    assert cli(["fetch", "log", "--db", str(db)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("Error: store ") and "Upgrade llmflation (`pip install -U llmflation`)" in err


# --------------------------------------------------------------------------- 5. the snapshot time


def test_an_observed_at_in_the_future_is_refused(tmp_path, capsys):
    db = tmp_path / "s.duckdb"
    payload = tmp_path / "models.json"
    payload.write_bytes(models(3))
    assert cli(["fetch", "openrouter", "--payload", str(payload), "--observed-at", "2062-01-01",
                "--db", str(db)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("Error: observed_at 2062-01-01 00:00:00 is in the future") and "typo" in err
    assert not db.exists()
    # a small clock skew is fine; a file named by a future date is refused as well
    soon = datetime.now() + timedelta(hours=12)
    assert resolve_observed_at(soon.isoformat(timespec="seconds"))[0] == soon.replace(microsecond=0)
    with pytest.raises(InputError, match="payload file name"):
        resolve_observed_at(None, tmp_path / "openrouter_models_2099-01-01.json")
    # the history layer refuses it too, whatever the caller
    from llmflation.store.history import record_snapshot

    obs = pd.DataFrame({"source_key": ["a/x"], "provider": ["p"], "input_usd_per_mtok": [1.0],
                        "output_usd_per_mtok": [2.0], "cache_read_usd_per_mtok": [None], "context_tokens": [None],
                        "model_name": ["X"], "author": ["a"], "reasoning_flag": [False], "listed_date": [None]})
    with pytest.raises(InputError, match="is in the future"):
        record_snapshot(Store.memory(), obs, source="t", observed_at=datetime.now() + timedelta(days=3))


@pytest.mark.parametrize("bad", [12345, 1.5, True, ["2026-01-01"], "12345", "yesterday", "2026/01/01"])
def test_an_observed_at_that_is_not_a_date_is_refused(bad):
    with pytest.raises(InputError, match="not a date or time"):
        fetch(Store.memory(), "openrouter", payload=models(1), observed_at=bad)


def test_dates_and_datetimes_are_accepted():
    s = Store.memory()
    assert fetch(s, "openrouter", payload=models(2), observed_at=date(2026, 1, 1)).opened == 2
    assert fetch(s, "openrouter", payload=models(2), observed_at=datetime(2026, 1, 2, 3)).extended == 2
    assert fetch(s, "openrouter", payload=models(2), observed_at=pd.Timestamp("2026-01-03")).extended == 2


# --------------------------------------------------------------------------- 6. a sharp shrink


def test_a_sharply_smaller_snapshot_is_refused_unless_allowed(tmp_path, capsys):
    db = tmp_path / "s.duckdb"
    with Store(db) as s:
        fetch(s, "openrouter", payload=models(335), observed_at="2026-01-01")
        before = s.query("SELECT * FROM price_intervals ORDER BY ALL")
        with pytest.raises(InputError, match=r"would close 334 of the 335 open openrouter intervals") as e:
            fetch(s, "openrouter", payload=models(1), observed_at="2026-01-02")
        assert "--allow-shrink" in str(e.value) and "Nothing was written" in str(e.value)
        pd.testing.assert_frame_equal(before, s.query("SELECT * FROM price_intervals ORDER BY ALL"))
        assert len(fetch_log(s)) == 1
        # a moderate shrink (here 40 %) and a larger listing are recorded as usual
        assert fetch(s, "openrouter", payload=models(200), observed_at="2026-01-02").closed == 135
    small = tmp_path / "openrouter_models_2026-01-03.json"
    small.write_bytes(models(1))
    assert cli(["fetch", "openrouter", "--payload", str(small), "--db", str(db)]) == 1
    assert "would close 199 of the 200 open openrouter intervals" in capsys.readouterr().err
    assert cli(["fetch", "openrouter", "--payload", str(small), "--db", str(db), "--allow-shrink",
                "-f", "json"]) == 0
    row = json.loads(capsys.readouterr().out)["rows"][0]
    assert row["closed"] == 199 and row["open_intervals"] == 1


def test_a_sharp_shrink_inside_a_back_fill_batch_is_refused():
    from llmflation.store.history import record_observations

    def snap(n: int, day: str) -> pd.DataFrame:
        return pd.DataFrame({"source_key": [f"k{i}" for i in range(n)], "provider": "p", "input_usd_per_mtok": 1.0,
                             "output_usd_per_mtok": 2.0, "cache_read_usd_per_mtok": None, "context_tokens": None,
                             "model_name": None, "author": None, "reasoning_flag": pd.NA, "listed_date": None,
                             "observed_at": pd.Timestamp(day)})

    batch = pd.concat([snap(10, "2026-01-01"), snap(10, "2026-01-02"), snap(2, "2026-01-03")], ignore_index=True)
    s = Store.memory()
    with pytest.raises(InputError, match="after 2026-01-02 would close 8 of the 10"):
        record_observations(s, batch, source="t")
    assert s.count("price_intervals") == 0
    assert record_observations(s, batch, source="t", allow_shrink=True).closed == 8
