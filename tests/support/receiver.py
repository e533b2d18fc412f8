"""A webhook receiver on loopback for tests: records every POST, fails when told to,
and applies each notification once by its Idempotency-Key (what a receiver must do)."""

from __future__ import annotations

import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Received:
    key: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    fail_first: int = 0  # answer 503 to this many POSTs before answering 204
    always_fail: bool = False
    delay: float = 0.0
    posts: list[Received] = field(default_factory=list)
    effects: Counter[str] = field(default_factory=Counter)
    # Per key, how many POSTs were answered 2xx (at-least-once: more than one is allowed
    # only after a lost answer, which these tests never cause).
    successes: Counter[str] = field(default_factory=Counter)
    # Per key, how many POSTs were being handled at one moment, at most.
    overlap: Counter[str] = field(default_factory=Counter)
    _in_flight: Counter[str] = field(default_factory=Counter)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}/hook"

    def start(self) -> Receiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                key = self.headers.get("Idempotency-Key", "")
                with receiver._lock:
                    receiver.posts.append(Received(key, dict(self.headers.items()), body))
                    receiver._in_flight[key] += 1
                    receiver.overlap[key] = max(receiver.overlap[key], receiver._in_flight[key])
                    failing = receiver.always_fail or receiver.fail_first > 0
                    if receiver.fail_first > 0:
                        receiver.fail_first -= 1
                if receiver.delay:
                    time.sleep(receiver.delay)
                with receiver._lock:
                    receiver._in_flight[key] -= 1
                    if not failing:
                        receiver.successes[key] += 1
                    if not failing and key not in receiver.effects:
                        receiver.effects[key] += 1  # the effect, once per key
                self.send_response(503 if failing else 204)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                return

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def keys(self) -> Counter[str]:
        with self._lock:
            return Counter(p.key for p in self.posts)
