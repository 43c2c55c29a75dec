"""Query expressions the ORM lacks."""

from datetime import date, datetime

from django.db.models import DateField, Expression


class DateLiteral(Expression):
    """A date written into the SQL instead of sent as a parameter, for a filter whose best plan depends on it.

    PostgreSQL plans a prepared statement once for every parameter value (after five custom plans), and with the
    dates unknown it guesses that a range holds 0.5 % of the rows. A date is digits and dashes only, so it is safe
    to write in; a statement per value is the price (the library's year filter: one per year).
    """

    output_field = DateField()

    def __init__(self, day):
        if not isinstance(day, date) or isinstance(day, datetime):
            raise TypeError(f"DateLiteral takes a date, not {type(day).__name__}")
        super().__init__()
        self.day = day

    def __repr__(self):
        return f"{type(self).__name__}({self.day!r})"

    def as_sql(self, compiler, connection):
        return f"'{self.day.isoformat()}'", []

    def as_postgresql(self, compiler, connection):
        return f"DATE '{self.day.isoformat()}'", []
