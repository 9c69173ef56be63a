"""Values kept in the cache under a key that holds the state they were built from, so nothing is
ever invalidated by hand: a change of state is a new key, and the old entry expires."""

import hashlib
import logging
from collections.abc import Callable

from django.core.cache import cache

logger = logging.getLogger(__name__)


def cached(key: str, build: Callable, ttl: int):
    """What `build()` returns, from the cache when it holds `key`. A cache that is down (any
    backend's error) costs speed only: the value is built for this request."""
    try:
        value = cache.get(key)
    except Exception:
        logger.warning("cache unreachable: %s is built for this request", key, exc_info=True)
        return build()
    if value is None:
        value = build()
        try:
            cache.set(key, value, ttl)
        except Exception:
            logger.warning("cache unreachable: %s is not kept", key, exc_info=True)
    return value


def digest(*parts) -> str:
    """A short, key-safe stand-in for parts of any length (memcached keys stop at 250)."""
    return hashlib.blake2b(repr(parts).encode(), digest_size=12).hexdigest()
