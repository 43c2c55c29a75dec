"""Guards on the project as a whole: migrations in step with models, production settings safe."""

import os
import subprocess
import sys
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command

PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "cop_site.settings.production",
    "SECRET_KEY": "k" * 20 + "-a-long-random-production-secret-value-" + "z" * 20,
    "ALLOWED_HOSTS": "practice.example.org",
    "DATABASE_URL": "sqlite:///:memory:",
}


def run_manage(*args, **env):
    clean_env = {
        key: value for key, value in os.environ.items()
        if key not in {"SECRET_KEY", "ALLOWED_HOSTS"} and not key.startswith("DJANGO_")
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args], env={**clean_env, **env}, cwd=settings.BASE_DIR, capture_output=True, text=True
    )


@pytest.mark.django_db
def test_migrations_are_in_step_with_the_models():
    out = StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out)
    assert "No changes detected" in out.getvalue()


def test_production_deploy_check_is_clean():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize("secret", ["", "short", "dev-only-insecure-key-never-used-in-production" + "x" * 10])
def test_production_refuses_to_start_without_a_real_secret(secret):
    result = run_manage("check", **{**PRODUCTION_ENV, "SECRET_KEY": secret})
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_refuses_to_start_without_allowed_hosts():
    result = run_manage("check", **{**PRODUCTION_ENV, "ALLOWED_HOSTS": ""})
    assert result.returncode != 0
    assert "ALLOWED_HOSTS" in result.stderr


def test_unit_tests_run_background_tasks_immediately():
    assert settings.TASKS["default"]["BACKEND"] == "django_tasks.backends.immediate.ImmediateBackend"
