"""civwatch: watch repression registers, document persecution, screen names across scripts."""

__version__ = "0.1.0"
