"""Fixtures of the minigen.data tests: an isolated environment and a local HTTP server.

No test here touches the internet."""

from __future__ import annotations

import http.server
import itertools
import threading
import time

import pytest

from minigen.data import download as download_module


@pytest.fixture(autouse=True)
def isolated_env(tmp_path, monkeypatch):
    """Point the cache and the system data dirs into tmp_path, forget the user's settings,
    and keep network timeouts short, so that no test reads or writes outside tmp_path."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("XDG_DATA_DIRS", str(tmp_path / "share"))
    monkeypatch.delenv("MINIGEN_DATA_DIR", raising=False)
    monkeypatch.delenv("MINIGEN_MIRRORS", raising=False)
    monkeypatch.setattr(download_module, "TIMEOUT", 5.0)
    return tmp_path


class _Handler(http.server.SimpleHTTPRequestHandler):
    """Serves the server's folder. Misbehaving locations: /lie/ promises more bytes than it
    sends; /trickle/ sends one byte every 0.2 s (for 8 s at most); /flood/ streams zeros
    without a Content-Length (50 MB at most); /huge/ announces a gigabyte."""

    def log_message(self, *args):  # keep test output clean
        pass

    def _send(self, chunks, length=None, pause=0.0):
        self.send_response(200)
        if length is not None:
            self.send_header("Content-Length", str(length))
        self.end_headers()
        self.close_connection = True
        try:
            for chunk in chunks:
                self.wfile.write(chunk)
                self.wfile.flush()
                self.server.sent += len(chunk)
                time.sleep(pause)
        except OSError:  # the client hung up, as it should
            pass

    def do_GET(self):
        self.server.requests.append(self.path)
        if self.path.startswith("/trickle/"):
            return self._send([b"\x1f"] + [b"\x00"] * 39, length=1000, pause=0.2)
        if self.path.startswith("/flood/"):
            return self._send(itertools.chain([b"\x1f\x8b"], itertools.repeat(bytes(2**16), 800)))
        if self.path.startswith("/huge/"):
            return self._send([b"\x1f\x8b"], length=2**30)
        if self.path.startswith("/lie/"):
            body = b"\x1f\x8b" + b"\x00" * 100
            self.send_response(200)
            self.send_header("Content-Length", str(len(body) + 1000))
            self.end_headers()
            self.wfile.write(body)
            self.close_connection = True
            return
        super().do_GET()


@pytest.fixture
def server(tmp_path):
    """A real HTTP server on 127.0.0.1 serving ``tmp_path / "www"``: ``server.url`` is its
    base URL, ``server.root`` its folder, ``server.requests`` the paths requested."""
    root = tmp_path / "www"
    root.mkdir()

    def handler(*args, **kwargs):
        return _Handler(*args, directory=str(root), **kwargs)

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.requests = []
    httpd.sent = 0  # bytes the misbehaving locations sent
    httpd.root = root
    httpd.url = f"http://127.0.0.1:{httpd.server_address[1]}/"
    # A short poll interval: shutdown() waits up to one interval.
    thread = threading.Thread(
        target=httpd.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
    )
    thread.start()
    try:
        yield httpd
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)
