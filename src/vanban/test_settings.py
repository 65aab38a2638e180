"""Settings for the test suite: the real settings with a fast password hasher.

Argon2 stays available (and is tested); everything else is as in production.
"""

import os
import tempfile

os.environ.setdefault("VANBAN_SECRET_KEY", "test-only-secret-key-" + "x" * 40)
os.environ.setdefault("VANBAN_PLAIN_STATIC", "1")

from vanban.settings import *  # noqa: F403
from vanban.settings import PASSWORD_HASHERS as PRODUCTION_HASHERS

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PRODUCTION_HASHERS]
MEDIA_ROOT = tempfile.mkdtemp(prefix="vanban-test-media-")
STORAGES["default"] = {  # noqa: F405
    "BACKEND": "django.core.files.storage.FileSystemStorage",
    "OPTIONS": {"location": MEDIA_ROOT},
}
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STATIC_ROOT = tempfile.mkdtemp(prefix="vanban-test-static-")
WHITENOISE_USE_FINDERS = True
# Malware scanning (R20) is off for the suite's thousands of uploads; the tests of scanning
# (tests/scanning/) switch it on against a real clamd started for them.
VANBAN_CLAMD_ENABLED = False
# OCR of scans (documents.ocr) is off for the suite's uploads of images; the tests of OCR
# (tests/documents/test_ocr*.py) switch it on and run the real Tesseract.
VANBAN_OCR_ENABLED = False
# A test database is thrown away: its commits need not wait for the disk (PostgreSQL's own
# durability is not what the suite tests; a session killed mid-write still loses nothing
# committed, since the server keeps running).
for _database in DATABASES.values():  # noqa: F405
    if _database["ENGINE"] == "django.db.backends.postgresql":
        _options = _database.setdefault("OPTIONS", {})
        _options["options"] = f"{_options.get('options', '')} -c synchronous_commit=off".strip()
