"""Configuration from environment variables (see ../shared/CONTRACT.md)."""
import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = BASE_DIR / "instance"


def _int(name, default):
    value = os.environ.get(name)
    return int(value) if value else default


def _flag(name, default=False):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in ("1", "true", "yes", "on")


def normalise_database_url(url):
    """Send every PostgreSQL URL through psycopg 3."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


DEV_SECRET_KEY = "dev-secret-not-for-production"


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY", DEV_SECRET_KEY)
    SQLALCHEMY_DATABASE_URI = normalise_database_url(
        os.environ.get("DATABASE_URL") or f"sqlite:///{INSTANCE_DIR / 'feedback.sqlite3'}"
    )
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    REDIS_URL = os.environ.get("REDIS_URL", "")
    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "http://127.0.0.1:5000").rstrip("/")
    TWILIO_ACCOUNT_SID = os.environ.get("TWILIO_ACCOUNT_SID", "")
    TWILIO_AUTH_TOKEN = os.environ.get("TWILIO_AUTH_TOKEN", "")
    TWILIO_PHONE_NUMBER = os.environ.get("TWILIO_PHONE_NUMBER", "")
    TWILIO_API_BASE_URL = os.environ.get("TWILIO_API_BASE_URL", "")
    UPLOAD_FOLDER = os.environ.get("UPLOAD_FOLDER", str(INSTANCE_DIR / "uploads"))
    MAX_CONTENT_LENGTH = _int("MAX_CONTENT_LENGTH", 25 * 1024 * 1024)
    MAX_ATTACHMENT_BYTES = _int("MAX_ATTACHMENT_BYTES", 10 * 1024 * 1024)

    BABEL_DEFAULT_LOCALE = "vi"
    BABEL_DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"
    LANGUAGES = ["vi", "en"]
    TIMEZONE = "Asia/Ho_Chi_Minh"
    # Office hours for working-hour deadlines: (start, end) pairs in local time.
    OFFICE_HOURS = os.environ.get("OFFICE_HOURS", "07:30-11:30,13:30-17:00")
    DEFAULT_COUNTRY_REGION = "VN"
    SYSTEM_HOTLINE = os.environ.get("SYSTEM_HOTLINE", "1022")
    # E-mail to citizens and staff goes out by SMTP when MAIL_SERVER is set; otherwise it stays in the outbox.
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "")
    MAIL_PORT = _int("MAIL_PORT", 25)
    MAIL_FROM = os.environ.get("MAIL_FROM", "phananh@khanhhoa.gov.vn")
    # The province's satisfaction milestones (percent); other years set by the administrator.
    SATISFACTION_TARGETS = {2025: 90, 2030: 95}

    RATELIMIT_STORAGE_URI = os.environ.get("REDIS_URL") or "memory://"
    RATELIMIT_HEADERS_ENABLED = True
    # Redis down is a degraded mode, not an outage: limits fall back to counters in each process
    # (checked against Redis again with back-off), and a storage error never fails a request.
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    RATELIMIT_SWALLOW_ERRORS = True
    RATELIMIT_STORAGE_OPTIONS = {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}
    # How many reverse proxies (load balancer, TLS terminator) stand in front and set X-Forwarded-*.
    TRUSTED_PROXIES = _int("TRUSTED_PROXIES", 0)
    RATELIMIT_ENABLED = os.environ.get("RATELIMIT_ENABLED", "1").lower() not in ("0", "false", "no")
    # Triage of free text (unit, staff, category) in a job after each case that arrives without a unit.
    TRIAGE_ENABLED = os.environ.get("TRIAGE_ENABLED", "1").lower() not in ("0", "false", "no")
    TRIAGE_MODEL_PATH = os.environ.get("TRIAGE_MODEL_PATH") or None
    TRIAGE_DIRECTORY_TTL = int(os.environ.get("TRIAGE_DIRECTORY_TTL", "30"))
    # Limits per client address (kiosks: per device), in Flask-Limiter's notation.
    PORTAL_SUBMIT_LIMIT = os.environ.get("PORTAL_SUBMIT_LIMIT", "5 per minute;30 per hour")
    PORTAL_TRACK_LIMIT = os.environ.get("PORTAL_TRACK_LIMIT", "10 per minute;60 per hour")
    # Tries to open one case (code + secret) from anywhere, whatever the address.
    TRACK_CASE_LIMIT = os.environ.get("TRACK_CASE_LIMIT", "10 per hour")
    OPEN311_POST_LIMIT = os.environ.get("OPEN311_POST_LIMIT", "30 per minute")
    # The one jurisdiction this Open311 endpoint serves (a jurisdiction_id, when sent, must be this).
    OPEN311_JURISDICTION_ID = os.environ.get("OPEN311_JURISDICTION_ID", "khanhhoa.gov.vn")
    KIOSK_RATING_LIMIT = os.environ.get("KIOSK_RATING_LIMIT", "120 per minute")
    # The portal's pre-fill of unit and category as the citizen types (triage).
    PORTAL_SUGGEST_LIMIT = os.environ.get("PORTAL_SUGGEST_LIMIT", "30 per minute")
    # Staff sessions end after this long without a request, and this long after signing in.
    STAFF_IDLE_MINUTES = _int("STAFF_IDLE_MINUTES", 30)
    STAFF_SESSION_HOURS = _int("STAFF_SESSION_HOURS", 12)
    LOGIN_MAX_FAILURES = 5
    LOGIN_LOCKOUT_MINUTES = 15
    WTF_CSRF_TIME_LIMIT = None
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    # Without Redis, `flask worker` runs the jobs itself (beside the web process, never inside a request).
    JOBS_INLINE = not bool(os.environ.get("REDIS_URL"))
    # Tests only: run queued jobs right after the request that queued them (like rq's is_async=False).
    JOBS_AFTER_REQUEST = False
    OUTBOX_RELAY_BATCH = 200
    # A job run that started this long ago and never finished is taken as dead (worker killed) and run again.
    JOB_STALE_SECONDS = _int("JOB_STALE_SECONDS", 120)
    # An SMS left 'sending' this long (its worker died mid-call) is checked against Twilio and settled.
    SMS_SENDING_STALE_SECONDS = _int("SMS_SENDING_STALE_SECONDS", 120)
    JOB_OUTBOX_KEEP_DAYS = _int("JOB_OUTBOX_KEEP_DAYS", 7)
    # Personal data of cases closed or declined longer ago than this is removed (the case stays, anonymous).
    PERSONAL_DATA_RETENTION_DAYS = _int("PERSONAL_DATA_RETENTION_DAYS", 5 * 365)
    # Working days after the answer is sent during which the citizen may dispute it.
    ANSWER_DISPUTE_DAYS = _int("ANSWER_DISPUTE_DAYS", 15)
    # Policy: show the named staff member's name in published answers (default: position only).
    PUBLISH_STAFF_NAMES = os.environ.get("PUBLISH_STAFF_NAMES", "").lower() in ("1", "true", "yes")
    # Hotline (Twilio): the operator/centre number calls are put through to in office hours,
    # the REST client's timeout, seconds between job retries (None: feedback.jobs.RETRY_INTERVALS),
    # and how many tries an SMS gets before it is marked failed.
    SYSTEM_OPERATOR_NUMBER = os.environ.get("SYSTEM_OPERATOR_NUMBER", "")
    TWILIO_HTTP_TIMEOUT = float(os.environ.get("TWILIO_HTTP_TIMEOUT") or 15)
    JOBS_RETRY_INTERVALS = [int(s) for s in os.environ.get("JOBS_RETRY_INTERVALS", "").split(",") if s.strip()] or None
    SMS_MAX_ATTEMPTS = 8
    # Seconds between passes that re-queue held, lost or half-sent SMS.
    SMS_REQUEUE_SECONDS = _int("SMS_REQUEUE_SECONDS", 60)
    # Send SMS without Vietnamese diacritics (GSM-7: 160 characters a segment instead of 70).
    SMS_WITHOUT_DIACRITICS = _flag("SMS_WITHOUT_DIACRITICS")
    # Twilio's Advanced Opt-Out is on for the number (or its Messaging Service): Twilio answers
    # STOP/START/HELP itself and sends OptOutType; we record the choice and send no second reply.
    TWILIO_ADVANCED_OPT_OUT = _flag("TWILIO_ADVANCED_OPT_OUT")
    # Seconds allowed to fetch one MMS media item from Twilio (its size limit is MAX_ATTACHMENT_BYTES).
    MMS_MEDIA_TIMEOUT = float(os.environ.get("MMS_MEDIA_TIMEOUT") or 20)
    # Counter kiosk: seconds of no touch before the screen starts over, how long the thank-you
    # screen stays (longer when it shows a tracking code), and seconds between resends of
    # ratings kept on the device during a network loss.
    KIOSK_IDLE_SECONDS = _int("KIOSK_IDLE_SECONDS", 60)
    KIOSK_THANKS_SECONDS = 6
    KIOSK_CASE_THANKS_SECONDS = 30
    KIOSK_RETRY_SECONDS = 15


class DevelopmentConfig(Config):
    DEBUG = True


class TestConfig(Config):
    TESTING = True
    # Fast hashing in tests only; production keeps scrypt.
    PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"
    SQLALCHEMY_DATABASE_URI = normalise_database_url(
        os.environ.get("TEST_DATABASE_URL") or "sqlite://"
    )
    WTF_CSRF_ENABLED = False
    RATELIMIT_ENABLED = False
    RATELIMIT_STORAGE_URI = "memory://"
    PUBLIC_BASE_URL = "https://hotline.example.vn"
    TWILIO_AUTH_TOKEN = "test-auth-token"
    TWILIO_ACCOUNT_SID = ""
    JOBS_INLINE = True
    JOBS_AFTER_REQUEST = True
    REDIS_URL = ""
    # Off unless a test turns it on: other tests expect free text to wait in the triage queue.
    TRIAGE_ENABLED = False
    TRIAGE_DIRECTORY_TTL = 0
    SERVER_NAME = None


class ProductionConfig(Config):
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True

    @classmethod
    def check(cls):
        key = os.environ.get("SECRET_KEY", "")
        if len(key) < 32 or key == DEV_SECRET_KEY:
            raise RuntimeError(
                "SECRET_KEY must be set to a random value of at least 32 characters in production"
            )


CONFIGS = {"development": DevelopmentConfig, "test": TestConfig, "production": ProductionConfig}
