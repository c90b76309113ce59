"""Keyed hashes: what the public may see of a hash whose content it may not see.

A plain sha256 of a hidden quoted passage (or of a captured page's address, or of a file that
is never published) lets anyone confirm a guess: hash the quote you suspect and compare. So a
hash of non-public content is published only as HMAC-SHA256 under a secret key
(`CIVWATCH_HASH_KEY`, from the environment), or not at all when no key is set. The keyed hash
still identifies an item across pages and exports, and the organisation, holding the key, can
show later that an original it produces is the one it cited (docs/documentation.md).
"""

import hashlib
import hmac

from django.conf import settings


def public_digest(sha256: str) -> str:
    """The public form of a content hash: HMAC-SHA256 of the hex digest; "" without a key."""
    key = settings.CIVWATCH_HASH_KEY
    if not key or not sha256:
        return ""
    return hmac.new(key.encode(), sha256.encode(), hashlib.sha256).hexdigest()
