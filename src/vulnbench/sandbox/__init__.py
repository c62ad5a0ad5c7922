"""Sandboxes that run generated programs and their tests: ``bwrap`` (isolated, the default)
and ``subprocess`` (limits only, refused unless the user opts in)."""
