"""Vietnamese alphabetical order for unit names, the same on SQLite and PostgreSQL.

The alphabet is a ă â b c d đ e ê g h i k l m n o ô ơ p q r s t u ư v x y: Đ comes after D, not
after Z as a plain code-point sort puts it. Words compare letter by letter first; the tone marks
(none, huyền, hỏi, ngã, sắc, nặng) only decide between names that are otherwise equal.
"""

import unicodedata

ALPHABET = "aăâbcdđeêghiklmnoôơpqrstuưvxy"
_LETTER = {letter: index for index, letter in enumerate(ALPHABET)}
# The tone marks, in dictionary order (the other combining marks make letters: ă â ê ô ơ ư).
_TONES = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}


def _letters(text: str):
    """(letter, tone) for each character of `text`, lower-cased."""
    for char in unicodedata.normalize("NFC", text.lower()):
        if char == "đ":
            yield "đ", 0
            continue
        base, *marks = unicodedata.normalize("NFD", char)
        tone = 0
        for mark in marks:
            if mark in _TONES:
                tone = _TONES[mark]
            elif mark == "\u0306":
                base = "ă"
            elif mark == "\u0302":
                base = {"a": "â", "e": "ê", "o": "ô"}.get(base, base)
            elif mark == "\u031b":
                base = {"o": "ơ", "u": "ư"}.get(base, base)
        yield base, tone


def vietnamese_sort_key(text: str) -> tuple:
    """Sort key: letters by the Vietnamese alphabet, then tones, then the text itself."""
    pairs = list(_letters(text or ""))
    letters = tuple(
        (0, _LETTER[c]) if c in _LETTER else (1 if c.isalnum() else -1, ord(c)) for c, _t in pairs
    )
    return letters, tuple(t for _c, t in pairs), text or ""
