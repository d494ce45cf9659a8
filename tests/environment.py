"""Loaded with ``-p`` before pytest-django reads the settings.

Settings refuse to start without a SECRET_KEY when DEBUG is off (as in production); a test
run gets a fresh random one instead of a key written down anywhere.
"""

import os
import secrets

os.environ.setdefault("SECRET_KEY", "test-" + secrets.token_urlsafe(40))
# Tests serve static files from the finders; hashed names would need `collectstatic` first.
os.environ.setdefault("STATIC_MANIFEST", "false")
# The test client and the browser tests' live server speak plain HTTP: no redirect to HTTPS.
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
