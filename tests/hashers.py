"""A password hasher for the test suite: PBKDF2 with one iteration.

The production hasher is slow on purpose (Django 5.2's PBKDF2, a million iterations: most of
a second per hash on this machine), and the suite makes and signs in thousands of users. The
hashes it writes are ordinary `pbkdf2_sha256$1$...` hashes, so a civwatch subprocess running
the production settings verifies them too (PBKDF2 reads the iterations from the hash)."""

from django.contrib.auth.hashers import PBKDF2PasswordHasher


class QuickPBKDF2PasswordHasher(PBKDF2PasswordHasher):
    iterations = 1
