"""with_retries: which errors are retried, how often, how long it waits, what it logs."""

from __future__ import annotations

import asyncio
import logging

import pytest

from vulnbench.errors import ModelError
from vulnbench.models import retry
from vulnbench.models.retry import backoff_delay, base_delay_option, with_retries


class Transient(Exception):
    pass


class Fatal(Exception):
    pass


class Flaky:
    """Raises the given errors in turn, then returns "ok"."""

    def __init__(self, *errors: BaseException) -> None:
        self.errors = list(errors)
        self.calls = 0

    async def __call__(self) -> str:
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        return "ok"


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Record the backoff waits instead of sleeping them."""
    waited: list[float] = []

    async def fake_sleep(delay: float) -> None:
        waited.append(delay)

    monkeypatch.setattr(retry.asyncio, "sleep", fake_sleep)
    return waited


def is_transient(err: BaseException) -> bool:
    return isinstance(err, Transient)


def test_transient_errors_are_retried_until_success(sleeps: list[float]) -> None:
    call = Flaky(Transient(), Transient())
    result = asyncio.run(with_retries(call, is_transient=is_transient, max_retries=5,
                                      base_delay=0.1))
    assert result == "ok"
    assert call.calls == 3
    assert len(sleeps) == 2


def test_non_transient_error_is_raised_at_once(sleeps: list[float]) -> None:
    call = Flaky(Fatal("no"))
    with pytest.raises(Fatal):
        asyncio.run(with_retries(call, is_transient=is_transient, max_retries=5))
    assert call.calls == 1
    assert sleeps == []


def test_gives_up_after_max_retries_with_the_last_error(sleeps: list[float]) -> None:
    errors = [Transient(f"attempt {i}") for i in range(10)]
    call = Flaky(*errors)
    with pytest.raises(Transient, match="attempt 3"):
        asyncio.run(with_retries(call, is_transient=is_transient, max_retries=3))
    assert call.calls == 4
    assert len(sleeps) == 3


def test_zero_retries_means_one_call(sleeps: list[float]) -> None:
    call = Flaky(Transient())
    with pytest.raises(Transient):
        asyncio.run(with_retries(call, is_transient=is_transient, max_retries=0))
    assert call.calls == 1


def test_cancellation_is_not_retried(sleeps: list[float]) -> None:
    call = Flaky(asyncio.CancelledError())

    async def main() -> None:
        await with_retries(call, is_transient=lambda e: True, max_retries=5)

    with pytest.raises(asyncio.CancelledError):
        asyncio.run(main())
    assert call.calls == 1


def test_backoff_doubles_is_capped_and_jittered(
    sleeps: list[float], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(retry.random, "random", lambda: 1.0)  # top of the jitter range
    call = Flaky(*[Transient() for _ in range(6)])
    asyncio.run(with_retries(call, is_transient=is_transient, max_retries=6, base_delay=1.0,
                             max_delay=10.0))
    assert sleeps == [1.0, 2.0, 4.0, 8.0, 10.0, 10.0]

    monkeypatch.setattr(retry.random, "random", lambda: 0.0)  # bottom: half the nominal wait
    assert backoff_delay(2, 1.0, 30.0) == 2.0
    assert backoff_delay(500, 1.0, 30.0) == 15.0  # huge attempt numbers do not overflow


def test_module_default_base_delay_is_used(
    sleeps: list[float], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(retry, "DEFAULT_BASE_DELAY", 0.2)
    monkeypatch.setattr(retry.random, "random", lambda: 1.0)
    asyncio.run(with_retries(Flaky(Transient()), is_transient=is_transient))
    assert sleeps == [0.2]


def test_log_names_the_error_type_but_not_its_text(
    sleeps: list[float], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    call = Flaky(Transient("Authorization: Bearer sk-secret-123"))
    asyncio.run(with_retries(call, is_transient=is_transient, describe="openai:x request"))
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "openai:x request failed (Transient); retry 1/5" in warnings[0].getMessage()
    assert "sk-secret-123" not in caplog.text


@pytest.mark.parametrize(("extra", "expected"), [
    ({}, retry.DEFAULT_BASE_DELAY), ({"retry_base_delay": ""}, retry.DEFAULT_BASE_DELAY),
    ({"retry_base_delay": "0.25"}, 0.25), ({"retry_base_delay": "0"}, 0.0),
])
def test_base_delay_option(extra: dict[str, str], expected: float) -> None:
    assert base_delay_option(extra) == expected


@pytest.mark.parametrize("bad", ["fast", "-1", "nan"])
def test_base_delay_option_rejects_bad_values(bad: str) -> None:
    with pytest.raises(ModelError, match="retry_base_delay"):
        base_delay_option({"retry_base_delay": bad})
