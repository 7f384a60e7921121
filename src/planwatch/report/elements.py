"""A report as a flat list of elements, composed once and written to Word or HTML.

Keeping the composition (what is said, in which order, with which numbering) apart from
the writers (how it looks in Word or a browser) means both formats always tell the same story.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["Annex", "Element", "Figure", "Heading", "Paragraph", "Signature", "Table", "Title"]


@dataclass(frozen=True, slots=True)
class Title:
    text: str
    subtitle: str = ""


@dataclass(frozen=True, slots=True)
class Heading:
    """``level`` 1–4, printed with GB/T 9704 numbering 一、（一）1.（1） already in ``text``."""

    level: int
    text: str


@dataclass(frozen=True, slots=True)
class Paragraph:
    text: str
    placeholder: bool = False  # the analysts' own text goes here: marked so nobody sends it unedited


@dataclass(frozen=True, slots=True)
class Table:
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    widths: tuple[float, ...] = ()  # relative column widths
    caption: str = ""


@dataclass(frozen=True, slots=True)
class Figure:
    png: bytes = field(repr=False)
    caption: str
    width_cm: float = 14.5


@dataclass(frozen=True, slots=True)
class Annex:
    """Starts an attachment (附件) on a new landscape page for the wide data table."""

    label: str
    title: str


@dataclass(frozen=True, slots=True)
class Signature:
    lines: tuple[str, ...]


Element = Title | Heading | Paragraph | Table | Figure | Annex | Signature
