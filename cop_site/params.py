"""Numbers the sender typed: page numbers, ids and years in query strings, ids chosen in forms.

Only ASCII digits count. ``str.isdigit()`` is not enough: it accepts '²' and other digits ``int()`` refuses,
and a long enough run of digits is more than ``int()`` converts or a database column holds (SQLite and
PostgreSQL both fail the query rather than find nothing).
"""

from django import forms
from django.core.exceptions import ValidationError

LARGEST_ID = 2**63 - 1  # a bigint primary key


def whole_number(value, maximum=LARGEST_ID):
    """``value`` as a whole number from 0 to ``maximum``, or None when it is anything else."""
    value = value if isinstance(value, str) else str(value if value is not None else "")
    if not (value.isascii() and value.isdigit()) or len(value) > len(str(maximum)):
        return None
    number = int(value)
    return number if number <= maximum else None


def page_asked(value, last=LARGEST_ID):
    """A page to show: the number asked for, at most ``last``; 1 for anything that is not a page number."""
    number = whole_number(value)
    return min(number, last) if number else 1


def four_digit_year(value):
    """A year written with four digits, or None."""
    value = value if isinstance(value, str) else ""
    return whole_number(value, 9999) if len(value) == 4 else None


class IdChoiceField(forms.ModelChoiceField):
    """A choice of row by id: anything that cannot be an id is "not one of the choices", without a query."""

    def to_python(self, value):
        if value not in self.empty_values and whole_number(value) is None:
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


class IdMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Choices of rows by id: anything that cannot be an id is refused by name, without a query."""

    def _check_values(self, value):
        for pk in value:
            if whole_number(pk) is None:
                raise ValidationError(self.error_messages["invalid_pk_value"], code="invalid_pk_value",
                                      params={"pk": pk})
        return super()._check_values(value)
