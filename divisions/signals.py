"""Signals of the divisions app, for the layers above it (divisions imports none of them)."""

from django.dispatch import Signal

# Divisions or communities under ``prefix`` were added, renamed or moved: counts kept per
# division elsewhere (compliance roll-ups) must be recounted.
divisions_changed = Signal()
