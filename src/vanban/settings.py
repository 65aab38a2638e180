"""Settings: only what the server can do. Organisational policy lives in the database.

Every value comes from an environment variable; docs/deployment.md lists them all.
"""

import os
import secrets
from pathlib import Path

import dj_database_url

from vanban import __version__

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = PACKAGE_DIR.parent.parent
DATA_DIR = Path(os.environ.get("VANBAN_DATA_DIR", PROJECT_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("VANBAN_DEBUG", False)
SECRET_KEY = os.environ.get("VANBAN_SECRET_KEY", "")
if not SECRET_KEY:
    # A single-machine install keeps a generated key next to its data; a province deployment
    # sets VANBAN_SECRET_KEY on every web and worker process (docs/deployment.md).
    _key_file = DATA_DIR / "secret_key"
    if not _key_file.exists():
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        _key_file.write_text(secrets.token_urlsafe(50))
        _key_file.chmod(0o600)
    SECRET_KEY = _key_file.read_text().strip()

ALLOWED_HOSTS = env_list("VANBAN_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("VANBAN_CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_tasks",
    "django_tasks_db",
    "ninja",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "vanban.core",
    "vanban.audit",
    "vanban.accounts",
    "vanban.scanning",
    "vanban.documents",
    "vanban.exchange",
    "vanban.paper",
    "vanban.drafting",
    "vanban.agenda",
    "vanban.records",
    "vanban.oversight",
    "vanban.reorganisation",
    "vanban.signatures",
    "vanban.interop",
    "vanban.workflow",
    "vanban.reports",
    "vanban.portal",
    "vanban.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "vanban.core.middleware.NoStoreForSignedInMiddleware",
    "vanban.accounts.middleware.SessionActivityMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "vanban.accounts.middleware.PasswordChangeRequiredMiddleware",
    "vanban.accounts.middleware.SecondFactorMiddleware",
    # After the account and session are read: lists, search, registers and reports may read the
    # replica (core/replica.py).
    "vanban.core.replica.ReplicaReadsMiddleware",
    # Refusals that escape a view: 404, 403 or 400 (core/http.py, "Answering a request").
    "vanban.core.http.RefusalMiddleware",
]

ROOT_URLCONF = "vanban.urls"
WSGI_APPLICATION = "vanban.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "vanban.core.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{DATA_DIR / 'vanban.sqlite3'}"),
        conn_max_age=int(os.environ.get("VANBAN_DB_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers work while a writer commits; the timeout makes concurrent writers wait.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    if DATABASES["default"]["NAME"] not in ("", ":memory:"):
        Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
# A PostgreSQL streaming replica for the reads of the pages that only list, search and report
# (core/replica.py; docs/deployment.md, "Read replica"). Without it, one database does all.
_replica_url = os.environ.get("VANBAN_REPLICA_DATABASE_URL", "")
if _replica_url:
    DATABASES["replica"] = dj_database_url.parse(
        _replica_url, conn_max_age=int(os.environ.get("VANBAN_DB_CONN_MAX_AGE", "60"))
    )
    # An unreachable replica costs a request at most this long before it reads the primary.
    if DATABASES["replica"]["ENGINE"] == "django.db.backends.postgresql":
        DATABASES["replica"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 3)
    # Tests run on the primary's test database; the replica is its copy.
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["vanban.core.replica.ReplicaRouter"]
# Behind PgBouncer in transaction mode (docs/deployment.md, "Connection pooling"): no cursor and
# no prepared statement may outlive a transaction, since the next one may run on another
# server connection.
# Parallel query for one request (PostgreSQL's max_parallel_workers_per_gather): none by default.
# A page's statements are small, and under many concurrent requests on a few cores the start of
# parallel workers cost more than it saved (10 ms for each of the menu's counts at 1,000,000
# documents; docs/performance.md). Behind PgBouncer in transaction mode the startup option is not
# passed: set it on the database instead (docs/deployment.md).
VANBAN_DB_PARALLEL_WORKERS = os.environ.get("VANBAN_DB_PARALLEL_WORKERS", "0")
_pooling = env_bool("VANBAN_DB_TRANSACTION_POOLING", False)
for _database in DATABASES.values():
    if _database["ENGINE"] != "django.db.backends.postgresql":
        continue
    if _pooling:
        _database["DISABLE_SERVER_SIDE_CURSORS"] = True
        _database.setdefault("OPTIONS", {})["prepare_threshold"] = None
    elif VANBAN_DB_PARALLEL_WORKERS.isdigit():
        _database.setdefault("OPTIONS", {})["options"] = (
            f"-c max_parallel_workers_per_gather={int(VANBAN_DB_PARALLEL_WORKERS)}"
        )
# After a person's write, their pages read the primary for this many seconds (read your writes).
VANBAN_REPLICA_READ_YOUR_WRITES = int(os.environ.get("VANBAN_REPLICA_READ_YOUR_WRITES", "10"))
# After the replica failed to answer, it is not tried again for this many seconds.
VANBAN_REPLICA_RETRY_SECONDS = float(os.environ.get("VANBAN_REPLICA_RETRY_SECONDS", "30"))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["vanban.accounts.backends.AccountBackend"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "portal:home"
LOGOUT_REDIRECT_URL = "accounts:login"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
# Password rules are province data (accounts.AccountPolicy), checked by accounts.passwords.
AUTH_PASSWORD_VALIDATORS: list[dict[str, str]] = []

SESSION_COOKIE_AGE = int(os.environ.get("VANBAN_SESSION_AGE", str(8 * 3600)))
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("VANBAN_SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("VANBAN_BEHIND_PROXY", False) else None
)
X_FRAME_OPTIONS = "DENY"
# Behind nginx the client's address comes from X-Real-IP (core.http.client_ip).
VANBAN_BEHIND_PROXY = env_bool("VANBAN_BEHIND_PROXY", False)
# The second factor (R6): the name shown in authenticator apps.
OTP_TOTP_ISSUER = os.environ.get("VANBAN_OTP_ISSUER", "VanBan")

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt")]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("VANBAN_STATIC_ROOT", DATA_DIR / "static"))
MEDIA_ROOT = Path(os.environ.get("VANBAN_MEDIA_ROOT", DATA_DIR / "media"))
MEDIA_URL = "/media/"

if os.environ.get("VANBAN_STORAGE", "local") == "s3":
    _default_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": os.environ.get("VANBAN_S3_BUCKET", "vanban"),
            "endpoint_url": os.environ.get("VANBAN_S3_ENDPOINT") or None,
            "region_name": os.environ.get("VANBAN_S3_REGION") or None,
            "access_key": os.environ.get("VANBAN_S3_ACCESS_KEY"),
            "secret_key": os.environ.get("VANBAN_S3_SECRET_KEY"),
            "default_acl": None,
            "file_overwrite": False,
        },
    }
else:
    _default_storage = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(MEDIA_ROOT)},
    }
STORAGES = {
    "default": _default_storage,
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or env_bool("VANBAN_PLAIN_STATIC", False)
            else "vanban.core.staticfiles.StaticStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG

TASKS = {
    "default": {
        "BACKEND": os.environ.get("VANBAN_TASK_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

EMAIL_BACKEND = os.environ.get(
    "VANBAN_EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if os.environ.get("VANBAN_EMAIL_HOST")
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = os.environ.get("VANBAN_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("VANBAN_EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("VANBAN_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("VANBAN_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = env_bool("VANBAN_EMAIL_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("VANBAN_EMAIL_FROM", "vanban@localhost")
# E-mail alerts are sent only when a mail server is configured.
VANBAN_EMAIL_ENABLED = bool(os.environ.get("VANBAN_EMAIL_HOST"))
EMAIL_TIMEOUT = int(os.environ.get("VANBAN_EMAIL_TIMEOUT", "20"))
# The site's address as people open it (https://vanban.example.gov.vn): e-mailed notices end with
# the address of their page; empty: they carry no address.
VANBAN_SITE_URL = os.environ.get("VANBAN_SITE_URL", "")
# The running version (vanban.__version__): its release notes are shown once to every person
# after an upgrade (R23; docs/oversight.md, "Release notes").
VANBAN_VERSION = __version__

# Digital signatures (docs/signatures.md).
# Time-stamping service (RFC 3161) added to every signature made here; empty: no time stamp.
VANBAN_TSA_URL = os.environ.get("VANBAN_TSA_URL", "")
# "hard-fail": a signature whose revocation status cannot be fetched (OCSP/CRL unreachable) is
# invalid; "soft-fail": it is accepted when nothing says the certificate is revoked.
VANBAN_SIGNATURE_REVOCATION = os.environ.get("VANBAN_SIGNATURE_REVOCATION", "hard-fail")
# Whether OCSP responses and CRLs may be fetched over the network while signing and checking.
VANBAN_SIGNATURE_FETCH = env_bool("VANBAN_SIGNATURE_FETCH", True)
# PKCS#11 module of the server's token or HSM (e.g. /usr/lib/softhsm/libsofthsm2.so), its token.
VANBAN_PKCS11_MODULE = os.environ.get("VANBAN_PKCS11_MODULE", "")
VANBAN_PKCS11_TOKEN = os.environ.get("VANBAN_PKCS11_TOKEN", "")
# Remote signing services (the trust service holds the signer's key): "csc" speaks CSC v2 (PIN
# in the request), "async" the asynchronous shape (the person confirms on their phone). The
# province's client credentials come from the provider; unset endpoint: that kind is off.
VANBAN_REMOTE_SIGNING: dict[str, dict[str, str]] = {}
if os.environ.get("VANBAN_CSC_ENDPOINT"):
    VANBAN_REMOTE_SIGNING["csc"] = {
        "endpoint": os.environ["VANBAN_CSC_ENDPOINT"],
        "client_id": os.environ.get("VANBAN_CSC_CLIENT_ID", ""),
        "client_secret": os.environ.get("VANBAN_CSC_CLIENT_SECRET", ""),
        "timeout": os.environ.get("VANBAN_CSC_TIMEOUT", "30"),
    }
if os.environ.get("VANBAN_ASYNC_SIGNING_ENDPOINT"):
    VANBAN_REMOTE_SIGNING["async"] = {
        "endpoint": os.environ["VANBAN_ASYNC_SIGNING_ENDPOINT"],
        "client_id": os.environ.get("VANBAN_ASYNC_SIGNING_CLIENT_ID", ""),
        "client_secret": os.environ.get("VANBAN_ASYNC_SIGNING_CLIENT_SECRET", ""),
        "timeout": os.environ.get("VANBAN_ASYNC_SIGNING_TIMEOUT", "30"),
        "max_wait": os.environ.get("VANBAN_ASYNC_SIGNING_MAX_WAIT", "300"),
    }
# Directory of the test PKI made by `vanban testpki create` (demo and tests only).
VANBAN_TESTPKI_DIR = Path(os.environ.get("VANBAN_TESTPKI_DIR", DATA_DIR / "testpki"))

# Exchange with other systems: seconds before the first new attempt to send a
# message a partner did not take, doubled after each failure up to the maximum.
VANBAN_INTEROP_BACKOFF_FIRST = float(os.environ.get("VANBAN_INTEROP_BACKOFF_FIRST", "5"))
VANBAN_INTEROP_BACKOFF_MAX = float(os.environ.get("VANBAN_INTEROP_BACKOFF_MAX", "3600"))

# ---- Malware scanning of uploaded files (R20; docs/files.md, docs/deployment.md) ----
# On unless VANBAN_CLAMD=off (or 0/false/no) is set explicitly: a server without clamd refuses
# uploads rather than storing them unscanned. `vanban quickstart` alone switches it off for its
# own process when clamd is absent and VANBAN_CLAMD is not set, and says so.
VANBAN_CLAMD_ENABLED = os.environ.get("VANBAN_CLAMD", "on").strip().lower() not in {
    "off",
    "0",
    "false",
    "no",
}
VANBAN_CLAMD_SOCKET = os.environ.get("VANBAN_CLAMD_SOCKET", "/run/clamav/clamd.ctl")
VANBAN_CLAMD_TIMEOUT = float(os.environ.get("VANBAN_CLAMD_TIMEOUT", "60"))
# ---- end of malware scanning ----

# Word (DOCX, DOC) and ODT drafts to PDF/A-2b with headless LibreOffice (documents.pdfconvert):
# the binary (a name on PATH or a path), the deadline of one conversion in seconds and the
# memory cap of its processes in MB.
VANBAN_SOFFICE = os.environ.get("VANBAN_SOFFICE", "soffice")
VANBAN_CONVERSION_TIMEOUT = float(os.environ.get("VANBAN_CONVERSION_TIMEOUT", "60"))
VANBAN_CONVERSION_MEMORY_MB = int(os.environ.get("VANBAN_CONVERSION_MEMORY_MB", "2048"))

# Optical character recognition of scans (documents.ocr, docs/ocr.md): Tesseract's Vietnamese
# model through OCRmyPDF (Debian packages ocrmypdf, tesseract-ocr-vie) in the task worker. On
# unless VANBAN_OCR=off (or 0/false/no); the command (a name on PATH or a path), the deadline of
# one scan in seconds and the memory cap of its processes in MB.
VANBAN_OCR_ENABLED = os.environ.get("VANBAN_OCR", "on").strip().lower() not in {
    "off",
    "0",
    "false",
    "no",
}
VANBAN_OCRMYPDF = os.environ.get("VANBAN_OCRMYPDF", "ocrmypdf")
VANBAN_OCR_TIMEOUT = float(os.environ.get("VANBAN_OCR_TIMEOUT", "300"))
VANBAN_OCR_MEMORY_MB = int(os.environ.get("VANBAN_OCR_MEMORY_MB", "2048"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("VANBAN_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        # Signature checks report their findings in the verification report; pyHanko's own
        # messages about a refused certificate or an unreachable OCSP service would repeat them.
        "pyhanko": {"level": "CRITICAL"},
        "pyhanko_certvalidator": {"level": "CRITICAL"},
    },
}
CSRF_FAILURE_VIEW = "vanban.core.views.csrf_failure"

# ---------------------------------------------------------------------------------------------
# Web hardening: Content-Security-Policy, no caching of signed-in responses, session rows.
# (docs/deployment.md "Headers", docs/accounts.md "Sessions", docs/architecture.md.)
# The middleware are in MIDDLEWARE above.
from csp.constants import NONCE, NONE, SELF  # noqa: E402

# No inline script, no inline style, no eval: every script and style sheet is a static file. A
# template that needs an inline <script> adds nonce="{{ request.csp_nonce }}" (NONCE below).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "manifest-src": [SELF],  # /manifest.webmanifest (docs/deployment.md, "Phones")
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "report-uri": os.environ.get("VANBAN_CSP_REPORT_URI") or None,
    },
}
# ---------------------------------------------------------------------------------------------
