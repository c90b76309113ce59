"""Receipt codes: how an anonymous submitter follows their initiative without an account.

A code is 160 random bits written as 32 base32 letters and digits in groups of four (easy to
copy by hand, no look-alike 0/1/8/9). It is shown once and never stored: the database keeps
an HMAC of it under a key derived from the master key (civwatch.core.crypto), so a copy of
the database alone cannot tell which initiative a code belongs to. Lookups try every master
key of the keyring (the current one and those being rotated out), so a key rotation does not
lock submitters out while old keys are still configured.

Codes travel only in POST bodies (never in a URL), so they never reach an access log.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from civwatch.core import crypto

GROUP = 4
CODE_BYTES = 20  # 160 bits: guessing is hopeless, so lookups need no rate limit to be safe


def new_code() -> str:
    letters = base64.b32encode(secrets.token_bytes(CODE_BYTES)).decode()
    return "-".join(letters[i : i + GROUP] for i in range(0, len(letters), GROUP))


def normalise(code: str) -> str:
    """What the submitter typed, without spaces, dashes or case, and with the letters people
    mistype for digits the alphabet does not have (0 for O, 1 for I, 8 for B)."""
    text = "".join(code.split()).replace("-", "").upper()
    return text.translate(str.maketrans({"0": "O", "1": "I", "8": "B"}))


def _key(master: bytes) -> bytes:
    return hmac.new(master, b"civwatch initiative receipt v1", hashlib.sha256).digest()


def code_hash(code: str, master: bytes | None = None) -> str:
    key = _key(master if master is not None else crypto.keyring().current)
    return hmac.new(key, normalise(code).encode(), hashlib.sha256).hexdigest()


def candidate_hashes(code: str) -> list[str]:
    """The hashes the code may be stored under, one per configured master key."""
    if not normalise(code):
        return []
    return [code_hash(code, master) for master in crypto.keyring().keys.values()]
