"""What a process keeps of what it computed: the latest results by key, and one computation
of a key at a time.

Evaluations, dashboard figures and reports are computed from the database and asked for
again and again while the data stay the same; the key says which data (a data version, the
newest audit event). After a write every open page asks at once: one request computes, the
others wait for its result instead of each spending the same CPU.
"""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from typing import Generic, TypeVar

__all__ = ["Kept", "forget_all"]

V = TypeVar("V")

_every: weakref.WeakSet[Kept[object]] = weakref.WeakSet()


class Kept(Generic[V]):
    """The ``size`` most recently used results of this process."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._values: OrderedDict[Hashable, V] = OrderedDict()
        self._computing: dict[Hashable, tuple[threading.Lock, int]] = {}  # the lock and how many hold or wait
        self._guard = threading.Lock()
        _every.add(self)  # type: ignore[arg-type]  # a WeakSet of any Kept; forget_all only clears

    def __len__(self) -> int:
        with self._guard:
            return len(self._values)

    def get(self, key: Hashable) -> V | None:
        with self._guard:
            found = self._values.get(key)
            if found is not None:
                self._values.move_to_end(key)
            return found

    def put(self, key: Hashable, value: V) -> None:
        with self._guard:
            self._values[key] = value
            self._values.move_to_end(key)
            while len(self._values) > self._size:
                self._values.popitem(last=False)

    @contextmanager
    def computing(self, key: Hashable) -> Iterator[None]:
        """Held while ``key``'s result is computed; others asking for the same key wait. The
        lock is dropped when nobody holds or waits for it, so keys that change with every
        write (an audit event's id) leave nothing behind."""
        with self._guard:
            lock, users = self._computing.get(key, (threading.Lock(), 0))
            self._computing[key] = (lock, users + 1)
        try:
            with lock:
                yield
        finally:
            with self._guard:
                lock, users = self._computing[key]
                if users == 1:
                    del self._computing[key]
                else:
                    self._computing[key] = (lock, users - 1)

    def computed(self, key: Hashable, compute: Callable[[], V], *, lock_key: Hashable | None = None) -> V:
        """The result kept for ``key``, else computed once: callers asking at the same time
        (for the same ``lock_key``, by default the key) wait for it."""
        return self.refreshed(key, lambda found: True, lambda stale: compute(), lock_key=lock_key)

    def refreshed(self, key: Hashable, current: Callable[[V], bool], refresh: Callable[[V | None], V], *,
                  lock_key: Hashable | None = None) -> V:
        """The result kept for ``key`` while ``current`` holds for it (its data version is the
        latest), else ``refresh(stale)`` computed once, from the outdated result if one is kept
        (None if not): an evaluation updates only what changed since. Callers asking at the
        same time (for the same ``lock_key``, by default the key) wait for it."""
        found = self.get(key)
        if found is not None and current(found):
            return found
        with self.computing(key if lock_key is None else lock_key):
            found = self.get(key)
            if found is None or not current(found):
                found = refresh(found)
                self.put(key, found)
        return found

    def clear(self) -> None:
        with self._guard:
            self._values.clear()


def forget_all() -> None:
    """Forget every result this process kept, as a restarted process would: what it shows
    next is read or computed from the database alone (tests and benchmarks of another host)."""
    for kept in list(_every):
        kept.clear()
