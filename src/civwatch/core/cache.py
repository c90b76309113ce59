"""A value built once per process and rebuilt when the data it is built from moves.

The screening index of every list, the intake gazetteer and the picker's index of case
records are each expensive to build and cheap to keep: each process keeps its own, and a
cheap version (counts, last ids, times) read on every use says when it must be built again.

A cache may also be given `load`: a copy for a version built elsewhere (the screening index,
built once by the background worker into a file: civwatch.screening.index_file), tried
before building; when it has none the process builds its own, as without it.
"""

import threading
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class VersionedCache(Generic[T]):
    def __init__(
        self,
        version: Callable[[], tuple],
        build: Callable[[], T],
        load: Callable[[tuple], T | None] | None = None,
    ) -> None:
        self._version = version
        self._build = build
        self._load = load
        self._lock = threading.Lock()
        self._kept: tuple[tuple, T] | None = None

    def get(self) -> T:
        # The version is read outside the lock: a thread building waits for no other's query.
        version = self._version()
        with self._lock:
            if self._kept is None or self._kept[0] != version:
                value = self._load(version) if self._load is not None else None
                self._kept = (version, self._build() if value is None else value)
            return self._kept[1]
