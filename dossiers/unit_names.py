"""Units named as one-stop software exports name them (#17): by official code ("31564",
"Xã An Mỹ (31564)"), by name as the unit list writes it, or by a name written another way
("Xa An My", "xã An Mĩ", "Hoà" for "Hòa") that a person confirms once.

A name that matches with its diacritics (case, spacing and the kind prefix aside) is taken;
one that matches only once diacritics and the i/y spelling are set aside is proposed, never
taken silently: "An Mỹ" and "An My" may be two communes."""

import re
import unicodedata
from dataclasses import dataclass

_KINDS = ("thị trấn", "phường", "đặc khu", "xã", "tt.", "tt")
_FOLDED_KINDS = ("thi tran", "phuong", "dac khu", "xa")
_CODE = re.compile(r"(?<![0-9])([0-9]{5})(?![0-9])")


def _words(text) -> str:
    text = unicodedata.normalize("NFC", str(text or "")).lower()
    text = re.sub(r"\([^)]*\)", " ", text)  # "(31564)", "(cũ)"
    text = re.sub(r"[^\w]+", " ", text).strip()
    for kind in _KINDS:
        if text.startswith(kind + " "):
            return text[len(kind) + 1 :].strip()
    return text


def exact_key(text) -> str:
    """The name as written, without case, punctuation or the kind prefix: "Xã  An Mỹ" → "an mỹ"."""
    return _words(text)


def folded_key(text) -> str:
    """The name without diacritics and with i for y: "An Mỹ", "An My", "an mĩ" → "an mi"."""
    text = unicodedata.normalize("NFD", _words(text).replace("đ", "d"))
    text = "".join(c for c in text if not unicodedata.combining(c))
    for kind in _FOLDED_KINDS:  # "Xa Hoa Tu": the kind written without its diacritics
        if text.startswith(kind + " "):
            text = text[len(kind) + 1 :]
            break
    return text.replace("y", "i")


def names_a_commune(text) -> bool:
    """Whether the cell says it is a commune-level unit ("Xã …", "Phuong …", a code); an export
    also lists departments and districts ("Sở Tư pháp", "UBND huyện Kế Sách")."""
    if code_in(text):
        return True
    words = unicodedata.normalize("NFD", unicodedata.normalize("NFC", str(text or "")).lower())
    words = "".join(c for c in words.replace("đ", "d") if not unicodedata.combining(c)).strip()
    return words.startswith(tuple(f"{kind} " for kind in _FOLDED_KINDS + ("tt.", "tt")))


def code_in(text) -> str | None:
    """An official commune code written in the cell ("31564", "Xã An Mỹ - 31564")."""
    if isinstance(text, int | float) and not isinstance(text, bool):
        text = str(int(text)).zfill(5)
    match = _CODE.search(str(text or ""))
    return match.group(1) if match else None


@dataclass
class Match:
    """How a cell names a unit: `unit` when it is certain (code, exact name, or a confirmed
    alias); `proposed` when a person must confirm; `candidates` when several units fit."""

    text: str
    unit: object = None
    how: str = ""  # "code", "name", "alias", "proposed", "ambiguous", "none"
    candidates: tuple = ()
    code: str = ""  # the official code the cell stands for, once certain


def match_unit(text, units, aliases: dict) -> Match:
    """`units`: the communes the name may stand for (by id); `aliases`: {exact key: unit id}."""
    shown = str(text or "").strip()
    code = code_in(text)
    if code:
        # Whether the code exists, is a commune that month and is the uploader's is the
        # statistics' own rule to say (dossiers.services), as for any file.
        return Match(shown, None, "code", code=code)
    key = exact_key(text)
    if key in aliases and aliases[key] in units:
        unit = units[aliases[key]]
        return Match(shown, unit, "alias", code=unit.code)
    exact = [u for u in units.values() if exact_key(u.name) == key]
    if len(exact) == 1:
        return Match(shown, exact[0], "name", code=exact[0].code)
    if len(exact) > 1:
        return Match(shown, None, "ambiguous", tuple(exact))
    folded = folded_key(text)
    close = [u for u in units.values() if folded_key(u.name) == folded]
    if len(close) == 1:
        return Match(shown, None, "proposed", (close[0],))
    if close:
        return Match(shown, None, "ambiguous", tuple(close))
    return Match(shown, None, "none")
