import os
import subprocess
import sys
from pathlib import Path
from unittest import mock

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from vungxanh.accounts.checks import check_configuration
from vungxanh.lib.env import database_from_url, env_bool, env_int, env_secret

ROOT = Path(__file__).resolve().parents[2]


def test_database_url_defaults_to_sqlite_in_the_data_dir(tmp_path):
    db = database_from_url("", tmp_path)
    assert db["ENGINE"] == "django.db.backends.sqlite3"
    assert db["NAME"] == str(tmp_path / "vungxanh.sqlite3")


def test_database_url_reads_postgresql():
    db = database_from_url("postgresql://postgres:p%40ss@127.0.0.1:5433/vx", Path("/tmp"))
    assert (db["ENGINE"], db["NAME"], db["USER"], db["PASSWORD"], db["HOST"], db["PORT"]) == (
        "django.db.backends.postgresql",
        "vx",
        "postgres",
        "p@ss",
        "127.0.0.1",
        "5433",
    )


@pytest.mark.parametrize("url", ["mysql://x/y", "postgresql://host/"])
def test_a_bad_database_url_names_the_variable(url):
    with pytest.raises(ImproperlyConfigured, match="VX_DATABASE_URL"):
        database_from_url(url, Path("/tmp"))


def test_env_bool_refuses_a_typo():
    with (
        mock.patch.dict(os.environ, {"VX_X": "ture"}),
        pytest.raises(ImproperlyConfigured, match="VX_X"),
    ):
        env_bool("VX_X")
    with mock.patch.dict(os.environ, {"VX_X": "Yes"}):
        assert env_bool("VX_X") is True


def test_env_int_refuses_text():
    with mock.patch.dict(os.environ, {"VX_N": "ten"}), pytest.raises(ImproperlyConfigured):
        env_int("VX_N", 1)


def test_env_secret_reads_a_file(tmp_path):
    (tmp_path / "key").write_text("from-file\n")
    with mock.patch.dict(os.environ, {"VX_K_FILE": str(tmp_path / "key")}):
        assert env_secret("VX_K") == "from-file"


@override_settings(DEMO=False, DEBUG=True)
def test_debug_outside_the_demo_is_an_error():
    assert "vungxanh.E002" in {p.id for p in check_configuration(None)}


@override_settings(SECRET_KEY="short")
def test_a_short_secret_key_is_an_error():
    assert "vungxanh.E001" in {p.id for p in check_configuration(None)}


@override_settings(DEMO=False, ALLOWED_HOSTS=["*"])
def test_any_host_outside_the_demo_is_an_error():
    assert "vungxanh.E003" in {p.id for p in check_configuration(None)}


def test_the_default_configuration_passes():
    assert check_configuration(None) == []


def run_cli(*args, **env):
    full_env = {**os.environ, **env}
    full_env.pop("DJANGO_SETTINGS_MODULE", None)
    full_env.pop("VX_SECRET_KEY", None)  # let the command generate its own key
    full_env.pop("VX_DATABASE_URL", None)  # the PostgreSQL leg must not touch a real database
    return subprocess.run(
        [sys.executable, "-m", "vungxanh.cli", *args],
        cwd=ROOT,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_outside_the_demo_cookies_are_secure_and_debug_is_off(tmp_path):
    code = (
        "from django.conf import settings as s; "
        "print(s.DEBUG, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE)"
    )
    result = run_cli("shell", "-c", code, VX_DATA_DIR=str(tmp_path), VX_DEMO="false")
    assert result.stdout.splitlines()[-1].split() == ["False", "True", "True"], result.stderr


def test_every_command_honours_the_data_dir(tmp_path):
    result = run_cli("migrate", "--no-input", VX_DATA_DIR=str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "vungxanh.sqlite3").exists()
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_a_bad_variable_stops_the_command_with_its_name(tmp_path):
    result = run_cli("check", VX_DATA_DIR=str(tmp_path), VX_DEBUG="maybe")
    assert result.returncode != 0
    assert "VX_DEBUG" in result.stderr
