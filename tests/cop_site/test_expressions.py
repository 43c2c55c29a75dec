from datetime import date, datetime, timezone

import pytest

from cop_site.expressions import DateLiteral


@pytest.mark.django_db
def test_a_date_literal_is_written_into_the_sql_and_filters_as_the_date_would(django_user_model):
    django_user_model.objects.create_user("new-year", date_joined=datetime(2024, 1, 1, 12, tzinfo=timezone.utc))
    django_user_model.objects.create_user("new-years-eve", date_joined=datetime(2023, 12, 31, 12, tzinfo=timezone.utc))
    joined_this_year = django_user_model.objects.filter(date_joined__date__gte=DateLiteral(date(2024, 1, 1)))

    sql, params = joined_this_year.query.sql_with_params()
    assert "2024-01-01" in sql
    assert date(2024, 1, 1) not in params
    assert list(joined_this_year.values_list("username", flat=True)) == ["new-year"]


@pytest.mark.parametrize("value", ["2024-01-01'; DROP TABLE auth_user; --", datetime(2024, 1, 1, tzinfo=timezone.utc), 2024])
def test_a_date_literal_takes_a_date_and_nothing_else(value):
    with pytest.raises(TypeError, match="takes a date"):
        DateLiteral(value)
