"""Control characters: refused in names and identifiers, normalised out of free text.

A NUL byte cannot be stored in a PostgreSQL text column (the insert fails), and a vertical
tab pasted from Word — Word's manual line break — cannot be written into an .xlsx or .docx
(XML 1.0 has no such character), so one stored indicator name with one broke the annual
report and every affected unit's template for everyone. Every way in goes through one of
the two functions here: :func:`refuse_controls` where the text names or identifies
something (a unit's name, a login, a code), :func:`normalise_text` where it is free text
(a note, a reason) — line breaks and tabs kept, the rest dropped or turned into the line
break it stood for. The XML writers (.docx, .xlsx) pass every string through
:func:`normalise_text` too, for strings stored before this rule.
"""

from __future__ import annotations

import re
from typing import Final

from planwatch.errors import InputError, problem

__all__ = ["ControlCharacters", "first_control", "normalise_text", "refuse_controls", "show_char"]

# C0 and C1 controls, DEL, lone surrogates (unencodable in UTF-8) and the two noncharacters XML refuses.
_ANY: Final = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_BREAKS: Final = re.compile("\r\n?|[\x0b\x0c\x85]")  # carriage returns, Word's line break, page break, NEL
_DROPPED: Final = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufffe\uffff]")


class ControlCharacters(InputError):
    """A name or identifier with a control character in it; names the field and the character."""

    def __init__(self, field: str, char: str) -> None:
        self.field, self.char = field, char
        super().__init__(field, problem("field.control_character", char=show_char(char)))


def show_char(char: str) -> str:
    return f"U+{ord(char):04X}"


def first_control(text: str, *, keep_breaks: bool = False) -> str | None:
    """The first control character of ``text`` (tab and line breaks allowed with ``keep_breaks``)."""
    for match in _ANY.finditer(text):
        if not (keep_breaks and match.group() in "\t\n"):
            return match.group()
    return None


def refuse_controls(text: str, field: str) -> str:
    """``text`` unchanged when its content (whitespace at either end aside) has no control
    character; otherwise :class:`ControlCharacters` naming ``field``."""
    char = first_control(text.strip())
    if char is not None:
        raise ControlCharacters(field, char)
    return text


def normalise_text(text: str) -> str:
    """Free text as it can be stored and written anywhere: line breaks as ``\\n`` (a vertical
    tab or form feed becomes one), tabs kept, every other control character dropped."""
    if _ANY.search(text) is None:
        return text  # the common case costs one scan
    return _DROPPED.sub("", _BREAKS.sub("\n", text))

