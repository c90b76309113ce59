"""Settings for the test suite: civwatch's own, with a development secret key.

The settings refuse to start without CIVWATCH_SECRET_KEY when debugging is off, as the suite
runs. pytest-django imports the settings before any conftest.py, so the key is set here
(pyproject.toml's DJANGO_SETTINGS_MODULE); subprocesses started by tests inherit it.
"""

import os

os.environ.setdefault("CIVWATCH_SECRET_KEY", "tests-only-not-a-secret-" + "k" * 40)

from civwatch.settings import *  # noqa: F403

# Index files off: a list change would otherwise enqueue a screening-index job, and the
# module-scoped fixtures that import lists outside any test's transaction would leave those
# jobs behind for later tests. tests/test_screening_index_file.py turns them on.
CIVWATCH_INDEX_FILES = None

# One-iteration PBKDF2 first (tests/hashers.py), the production hashers after it.
PASSWORD_HASHERS = [
    "tests.hashers.QuickPBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.BCryptSHA256PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
