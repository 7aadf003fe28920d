"""Connecting to a head that is still starting: `ray.init` is tried again on Ray's
"Initialization failure from server" (a cold head's first per-client server can take longer
than its own startup timeout), a few times even when each try was slow; other errors at once;
the message a user sees names the server's reason, not only its first line."""

from __future__ import annotations

import pytest

from studio.farm import pool

SERVER_FAILED = ("Initialization failure from server:\nTraceback (most recent call last):\n"
                 "  File \"proxier.py\", line 772, in Datapath\n"
                 "RuntimeError: Starting Ray client server failed. See ray_client_server_23000.err")


class FakeRay:
    def __init__(self, failures: list[Exception]):
        self.failures = list(failures)
        self.calls = 0
        self.shutdowns = 0

    def init(self, address=None, **kwargs):  # noqa: ANN001, ANN003
        self.calls += 1
        if self.failures:
            raise self.failures.pop(0)

    def is_initialized(self) -> bool:
        return True

    def shutdown(self) -> None:
        self.shutdowns += 1


def test_slow_initialization_failures_are_tried_again_even_past_the_deadline(monkeypatch):
    monkeypatch.setattr(pool, "INIT_RETRY_SECONDS", 0.0)  # every try "took longer than the deadline"
    ray = FakeRay([ConnectionAbortedError(SERVER_FAILED), ConnectionAbortedError(SERVER_FAILED)])
    pool._init_with_retry(ray, "ray://head:10001", {}, pause=0.0)
    assert ray.calls == 3 and ray.shutdowns == 2


def test_a_head_that_keeps_failing_gives_up_and_other_errors_are_not_retried(monkeypatch):
    monkeypatch.setattr(pool, "INIT_RETRY_SECONDS", 0.0)
    ray = FakeRay([ConnectionAbortedError(SERVER_FAILED)] * 10)
    with pytest.raises(ConnectionAbortedError):
        pool._init_with_retry(ray, "ray://head:10001", {}, pause=0.0)
    assert ray.calls == pool.INIT_MIN_TRIES
    other = FakeRay([ConnectionError("connection refused")])
    with pytest.raises(ConnectionError):
        pool._init_with_retry(other, "ray://head:10001", {}, pause=0.0)
    assert other.calls == 1


def test_the_reason_shown_names_the_servers_last_line():
    reason = pool._reason(ConnectionAbortedError(SERVER_FAILED))
    assert reason.startswith("ConnectionAbortedError: Initialization failure from server:")
    assert reason.endswith("RuntimeError: Starting Ray client server failed. See ray_client_server_23000.err")
    assert pool._reason(ValueError("")) == "ValueError"
