"""A small bounded, thread-safe LRU cache for values that are pure functions of their key.

`functools.lru_cache` keys on every argument; the answering core needs to key on an
article's id and content hash (or a sentence's offsets) while computing from the article
itself, so the key and the computation are given separately.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class BoundedCache(Generic[K, V]):
    """At most `size` values, least recently used dropped first; safe to share by threads.

    The computation runs outside the lock: two threads missing the same key at once both
    compute it (the value is pure, so either result is right) and neither waits on the other.
    """

    def __init__(self, size: int) -> None:
        """Args:
            size: the most entries kept (at least 1).
        """
        self.size = max(1, size)
        self._data: OrderedDict[K, V] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key: K, compute: Callable[[], V]) -> V:
        """The cached value of `key`, computed with `compute()` and kept when missing."""
        with self._lock:
            if key in self._data:
                self._data.move_to_end(key)
                self.hits += 1
                return self._data[key]
            self.misses += 1
        value = compute()
        with self._lock:
            self._data[key] = value
            self._data.move_to_end(key)
            while len(self._data) > self.size:
                self._data.popitem(last=False)
        return value

    def clear(self) -> None:
        """Drop every entry (the counters too)."""
        with self._lock:
            self._data.clear()
            self.hits = self.misses = 0

    def __len__(self) -> int:
        return len(self._data)
