"""Durable files: what the evidence store, the exile key store and the screening index files
share to survive a crash."""

import os
from pathlib import Path


def fsync_directory(directory: Path, *, strict: bool = False) -> None:
    """Make a rename, a new entry or an unlink in `directory` durable.

    Some filesystems cannot open or fsync a directory; the file itself was fsync'ed, so by
    default that is accepted. `strict` raises instead, where a lost unlink would be a leak
    (an erased key coming back after a crash)."""
    try:
        descriptor = os.open(directory, os.O_RDONLY)
    except OSError:
        if strict:
            raise
        return
    try:
        os.fsync(descriptor)
    except OSError:
        if strict:
            raise
    finally:
        os.close(descriptor)
