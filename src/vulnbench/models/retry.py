"""Retry with exponential backoff and jitter for transient API failures (429, 5xx, timeouts)."""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable
from typing import TypeVar

T = TypeVar("T")
log = logging.getLogger(__name__)


async def with_retries(
    call: Callable[[], Awaitable[T]],
    *,
    is_transient: Callable[[BaseException], bool],
    max_retries: int = 5,
    base_delay: float = 1.0,
    max_delay: float = 30.0,
    describe: str = "request",
) -> T:
    """Await ``call()``; on a transient error wait base*2^attempt (capped, jittered) and retry."""
    attempt = 0
    while True:
        try:
            return await call()
        except Exception as err:
            if not is_transient(err) or attempt >= max_retries:
                raise
            delay = min(max_delay, base_delay * 2**attempt) * (0.5 + random.random() / 2)
            log.warning("%s failed (%s); retry %d/%d in %.1fs", describe,
                        type(err).__name__, attempt + 1, max_retries, delay)
            await asyncio.sleep(delay)
            attempt += 1
