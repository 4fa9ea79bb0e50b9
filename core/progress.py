"""The progress bars of the long management commands (import, evaluation, demo data)."""

from __future__ import annotations

from typing import TextIO, cast

from django.core.management.base import OutputWrapper
from tqdm import tqdm


def progress_bar(stream: OutputWrapper, *, total: int, unit: str, desc: str, disable: bool) -> tqdm:
    """A tqdm bar on the stream under a command's ``stdout``/``stderr`` wrapper: the wrapper
    would end each of tqdm's carriage-return updates with a line break."""
    # OutputWrapper keeps the stream it wraps in ``_out``, which django-stubs leave out.
    raw = cast(TextIO, stream._out)
    return tqdm(total=total, unit=unit, desc=desc, disable=disable, file=raw)
