"""Retry with exponential backoff and jitter for transient API failures (429, 5xx, timeouts)."""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable, Mapping
from typing import TypeVar

from vulnbench.errors import ModelError

T = TypeVar("T")
log = logging.getLogger(__name__)

DEFAULT_BASE_DELAY = 1.0
"""Seconds before the first retry; each further retry doubles it (capped, jittered)."""
DEFAULT_MAX_DELAY = 30.0


def backoff_delay(attempt: int, base_delay: float, max_delay: float) -> float:
    """The wait before retry ``attempt + 1``: base*2^attempt capped at max, jittered to 50-100%."""
    return min(max_delay, base_delay * 2.0 ** min(attempt, 62)) * (0.5 + random.random() / 2)


def base_delay_option(extra: Mapping[str, str]) -> float:
    """``BackendOptions.extra["retry_base_delay"]`` (seconds) or the module default."""
    raw = extra.get("retry_base_delay")
    if raw is None or raw == "":
        return DEFAULT_BASE_DELAY
    try:
        value = float(raw)
    except ValueError:
        raise ModelError(f"retry_base_delay must be a number of seconds, not {raw!r}") from None
    if not value >= 0:  # also rejects NaN
        raise ModelError(f"retry_base_delay must be >= 0, not {raw!r}")
    return value


async def with_retries(
    call: Callable[[], Awaitable[T]],
    *,
    is_transient: Callable[[BaseException], bool],
    max_retries: int = 5,
    base_delay: float | None = None,
    max_delay: float = DEFAULT_MAX_DELAY,
    describe: str = "request",
) -> T:
    """Await ``call()``; on a transient error wait base*2^attempt (capped, jittered) and retry,
    at most ``max_retries`` times (so at most ``max_retries + 1`` calls). Other errors, and the
    last transient one, propagate unchanged."""
    base = DEFAULT_BASE_DELAY if base_delay is None else base_delay
    attempt = 0
    while True:
        try:
            return await call()
        except Exception as err:
            if attempt >= max_retries or not is_transient(err):
                raise
            delay = backoff_delay(attempt, base, max_delay)
            # Only the exception's type is logged: its text may echo request details.
            log.warning("%s failed (%s); retry %d/%d in %.1fs", describe,
                        type(err).__name__, attempt + 1, max_retries, delay)
            await asyncio.sleep(delay)
            attempt += 1
