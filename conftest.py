"""Test-wide settings: a throwaway data directory and a fixed secret, set before Django loads."""

import os
import tempfile

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vungxanh.settings")
os.environ.setdefault("VX_DATA_DIR", tempfile.mkdtemp(prefix="vx-test-"))
os.environ.setdefault("VX_SECRET_KEY", "test-secret-key-that-is-long-enough-for-the-check")
# Browser tests drive Chromium through Playwright's sync API, which runs an event loop
# in the test thread; the ORM calls there are still made synchronously.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

# The browser fixtures (one Chromium for the session) serve every app's browser tests.
pytest_plugins = ["vungxanh.tests.browser.fixtures"]


def pytest_configure(config):
    """Hash test passwords quickly; production keeps Argon2 (see vungxanh.settings)."""
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # The loop runs inside the transaction that changed the data, as if a worker took it at
    # once; the tests of the asynchronous path (vungxanh/loop/tests) turn this off.
    settings.VX_LOOP_INLINE = True
