"""Sub-commands of ``filmclub``; each module adds its own with ``register(subparsers)``."""
