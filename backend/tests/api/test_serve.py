"""`make run`'s server (app.serve): the URL is printed only once it listens, and Ctrl-C stops
it cleanly. Started as `make run` starts it, on a fresh SQLite file and a free port."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

BACKEND = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)  # as in a terminal, even under a CI runner


def test_the_url_is_printed_once_the_server_listens_and_ctrl_c_stops_it_quietly(tmp_path: Path) -> None:
    port = _free_port()
    env = {**os.environ, "PORT": str(port), "HOST": "127.0.0.1",
           "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'run.db'}", "APP_ENV": "development"}
    proc = subprocess.Popen([sys.executable, "-m", "app.serve"], cwd=BACKEND, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True, preexec_fn=_default_sigint)
    assert proc.stdout is not None
    seen: list[str] = []
    try:
        deadline = time.monotonic() + 60
        url = f"http://127.0.0.1:{port}/ui/"
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            assert line, f"the server exited before printing its URL:\n{''.join(seen)}"
            seen.append(line)
            if url in line:
                break
        else:
            raise AssertionError(f"no URL within 60 s:\n{''.join(seen)}")
        printed = "".join(seen)
        # Startup (migrations, seed) finished before the URL, and the URL answers right away.
        assert "Application startup complete" in printed
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as r:
            assert r.status == 200
        assert printed.count(url) == 1
    finally:
        os.killpg(proc.pid, signal.SIGINT)
        rest, _ = proc.communicate(timeout=30)
    assert proc.returncode in (0, 130), rest
    assert "Traceback" not in rest and "KeyboardInterrupt" not in rest, rest


def test_a_port_in_use_exits_with_an_error_and_no_url(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = {**os.environ, "PORT": str(port), "HOST": "127.0.0.1",
               "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'run.db'}", "APP_ENV": "development"}
        done = subprocess.run([sys.executable, "-m", "app.serve"], cwd=BACKEND, env=env, capture_output=True,
                              text=True, timeout=60)
    assert done.returncode == 1
    assert "/ui/" not in done.stdout
    assert "address already in use" in done.stderr and "Traceback" not in done.stderr, done.stderr
