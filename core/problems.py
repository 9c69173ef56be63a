"""What a check answers: a Problem names the row and column of bad input, a Refusal says why
a user may not do something. Both carry translatable messages."""

from dataclasses import dataclass

from django.utils.translation import gettext as _


@dataclass
class Problem:
    row: int | None
    column: str | None
    message: str
    # How the person sees the column (the header of their file), when it differs from its name.
    label: str | None = None

    @property
    def column_label(self) -> str | None:
        return self.label or self.column

    def as_dict(self):
        return {"row": self.row, "column": self.column, "message": str(self.message)}

    def __str__(self):
        where = []
        if self.row is not None:
            where.append(_("row %(row)d") % {"row": self.row})
        if self.column:
            where.append(_("column %(column)s") % {"column": self.column_label})
        return f"{', '.join(where)}: {self.message}" if where else str(self.message)


@dataclass(frozen=True)
class Refusal:
    """Why an action is not allowed; `field` names the input it concerns, if one does."""

    message: str
    field: str | None = None

    def __str__(self):
        return str(self.message)

    def at_row(self, row: int | None, column: str | None = None) -> Problem:
        return Problem(row, column or self.field, self.message)
