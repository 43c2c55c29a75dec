"""The clocked jobs: each runs on its own, a failure is reported and retried, the digest once a day."""

from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command

from cop_site import periodic
from cop_site.periodic import Job, run_due

LONDON = ZoneInfo("Europe/London")


@pytest.fixture
def ran(monkeypatch):
    calls = []

    def fail():
        calls.append("broken")
        raise RuntimeError("search node unreachable")

    monkeypatch.setattr(periodic, "jobs", lambda: [
        Job("broken", fail),
        Job("every tick", lambda: calls.append("every tick")),
        Job("daily", lambda: calls.append("daily"), daily_at=time(7)),
    ])
    return calls


def test_a_failing_job_does_not_stop_the_others_and_is_retried_next_tick(ran):
    last_runs = {}
    now = datetime(2026, 11, 24, 8, 0, tzinfo=LONDON)

    assert run_due(last_runs, now) == ["broken"]
    assert ran == ["broken", "every tick", "daily"]
    assert "broken" not in last_runs
    assert run_due(last_runs, now) == ["broken"]


def test_the_daily_job_waits_for_its_hour_and_runs_once_a_day(ran):
    last_runs = {}
    run_due(last_runs, datetime(2026, 11, 24, 6, 59, tzinfo=LONDON))
    assert "daily" not in ran

    run_due(last_runs, datetime(2026, 11, 24, 7, 0, tzinfo=LONDON))
    run_due(last_runs, datetime(2026, 11, 24, 23, 0, tzinfo=LONDON))
    assert ran.count("daily") == 1

    run_due(last_runs, datetime(2026, 11, 25, 7, 30, tzinfo=LONDON))
    assert ran.count("daily") == 2


def test_once_runs_the_tick_jobs_and_fails_loudly_when_one_fails(ran):
    with pytest.raises(CommandError, match="broken"):
        call_command("run_periodic", "--once")
    assert ran == ["broken", "every tick"]


@pytest.mark.django_db
def test_the_real_jobs_run_on_an_empty_site():
    assert run_due({}, include_daily=True) == []
