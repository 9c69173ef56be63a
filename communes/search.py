"""Finding a unit by name or code, with or without diacritics ("an my" finds "An Mỹ")."""

import unicodedata

from django.utils import timezone

from communes.collation import vietnamese_sort_key
from communes.models import AdministrativeUnit

MAX_RESULTS = 50


def folded(text: str) -> str:
    """Lower case without diacritics, đ as d: what people type when they type fast."""
    decomposed = unicodedata.normalize("NFD", (text or "").lower().replace("đ", "d"))
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())


# The kind of unit that starts an official name: "Xã An Mỹ" is "An Mỹ" to the person searching.
KINDS = ("thanh pho", "thi tran", "thi xa", "dac khu", "phuong", "huyen", "tinh", "quan", "xa")


def bare_name(name: str) -> str:
    """The folded name without its kind: "Thị trấn Kế Sách" → "ke sach"."""
    text = folded(name)
    for kind in KINDS:
        if text.startswith(kind + " "):
            return text[len(kind) + 1 :]
    return text


def units_search(user, query: str) -> list[AdministrativeUnit]:
    """Units within the user's scope whose code starts with the query, or in whose name every
    word of the query starts a word; the name itself first, then current units, in Vietnamese
    alphabetical order."""
    wanted = folded(query)
    words = wanted.split()
    if not words:
        return []
    today = timezone.localdate()
    units = AdministrativeUnit.objects.visible_to(user).select_related("parent")
    if len(words) == 1 and words[0].isdigit():
        units = units.filter(code__startswith=words[0])
    found = []
    for unit in units.only("id", "code", "name", "level", "valid_from", "valid_to", "parent"):
        name_words = folded(unit.name).split()
        if unit.code.startswith(wanted) or all(
            any(w.startswith(word) for w in name_words) for word in words
        ):
            found.append(unit)
    found.sort(
        key=lambda u: (
            bare_name(u.name) != wanted,
            not u.is_valid_on(today),
            vietnamese_sort_key(u.name),
            u.code,
        )
    )
    return found[:MAX_RESULTS]


def exact_match(units, query: str, day) -> AdministrativeUnit | None:
    """The one current unit the query names exactly (by code or by name), if there is one."""
    wanted = folded(query)
    named = [
        u for u in units if u.is_valid_on(day) and (u.code == wanted or bare_name(u.name) == wanted)
    ]
    return named[0] if len(named) == 1 else None
