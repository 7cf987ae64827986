"""`sitroom serve` in a real process: it listens, answers, and stops when told."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_sitroom_serve_answers_on_the_port_it_was_given(tmp_path: Path) -> None:
    port = free_port()
    env = {**os.environ, "SITROOM_DATABASE_URL": f"sqlite:///{tmp_path / 'serve.db'}"}
    subprocess.run(
        [sys.executable, "-m", "sitroom.cli", "init"], env=env, check=True, capture_output=True
    )
    server = subprocess.Popen(
        [sys.executable, "-m", "sitroom.cli", "serve", "--port", str(port), "--workers", "1"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                response = httpx.get(f"http://127.0.0.1:{port}/api/me", timeout=2)
                break
            except httpx.TransportError:
                assert server.poll() is None, server.communicate()
                assert time.monotonic() < deadline, "sitroom serve did not start in 60 s"
                time.sleep(0.2)
        assert response.status_code == 401
        assert "sign in" in response.json()["error"]
    finally:
        server.send_signal(signal.SIGINT)
        server.communicate(timeout=30)


def test_sitroom_serve_refuses_a_public_address_that_is_not_http(tmp_path: Path) -> None:
    env = {**os.environ, "SITROOM_DATABASE_URL": f"sqlite:///{tmp_path / 'serve.db'}"}
    done = subprocess.run(
        [sys.executable, "-m", "sitroom.cli", "serve", "--public-url", "javascript:alert(1)"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "not an http(s) address" in done.stderr
