"""Settings shared by every environment; anything a deployment changes comes from the environment."""

import os
import shlex
from decimal import Decimal
from pathlib import Path

import dj_database_url

from cms.logging import logging_config

PROJECT_DIR = Path(__file__).resolve().parent.parent
BASE_DIR = PROJECT_DIR.parent
# Everything the embedded default writes (database, media, search index) lives under var/.
VAR_DIR = Path(os.environ.get("DANGKE_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


SECRET_KEY = os.environ.get("SECRET_KEY", "")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "cms",
    "cms.pages",
    "cms.periodic",
    "learning.classes",
    "learning.progress",
    "learning.quizzes",
    "learning.reports",
    "party.organisation",
    "party.members",
    "tabular",
    "party.meetings",
    "party.dues",
    "party.appraisal",
    "party.stats",
    "media_pipeline",
    "search",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "axes.middleware.AxesMiddleware",
    "learning.classes.middleware.ForcePasswordChangeMiddleware",
    "learning.reports.middleware.TrainerSearchMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

ROOT_URLCONF = "cms.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
                "cms.context_processors.site_navigation",
            ],
        },
    },
]

WSGI_APPLICATION = "cms.wsgi.application"

# SQLite under var/ is the embedded default; DATABASE_URL selects PostgreSQL (or any other).
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
        # On PostgreSQL a `SELECT 1` before the first query of each request on a reused
        # connection (SQLite's check runs no query); DB_CONN_HEALTH_CHECKS=0 measures it
        # (docs/performance.md, issue 20).
        conn_health_checks=os.environ.get("DB_CONN_HEALTH_CHECKS", "1") != "0",
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and a busy timeout let the web process and the task worker share the file. Connections
    # persist (DB_CONN_MAX_AGE, as on PostgreSQL): opening one and running the PRAGMAs on every
    # request halved the throughput of the embedded default (docs/performance.md).
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # PostgreSQL's JIT spent 5 s compiling the 10,000-trainee class report before running it in
    # 0.75 s (docs/performance.md, Reports); a web app's queries never gain from it.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
    # hot_sql.hot_cursor prepares the hot paths' statements (the server plans each once per
    # connection); psycopg ignores prepare=True while the connection's prepare_threshold is None,
    # which is what Django sets unless told. Django's own cursors bind on the client and never
    # prepare, so this changes nothing else. (tests/test_hot_sql.py checks the statements are
    # prepared.)
    DATABASES["default"]["OPTIONS"].setdefault("prepare_threshold", 5)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# A file cache under var/ is shared by every process on one machine (web workers, task worker);
# CACHE_URL=redis://… shares it across machines.
if os.environ.get("CACHE_URL", "").startswith("redis"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["CACHE_URL"],
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Login throttling (cms/security.py, django-axes): LOGIN_FAILURE_LIMIT wrong passwords for one account
# from one address lock that account at that address for LOGIN_LOCKOUT_SECONDS after the last one.
# Tries while locked are not counted; other addresses are not affected. 429 with Retry-After.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "5"))
LOGIN_LOCKOUT_SECONDS = int(os.environ.get("LOGIN_LOCKOUT_SECONDS", "900"))
AXES_FAILURE_LIMIT = "cms.security.failure_limit"  # both read the two settings above
AXES_COOLOFF_TIME = "cms.security.cool_off"
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "cms.security.client_ip"
AXES_LOCKOUT_CALLABLE = "cms.security.lockout_response"
AXES_ENABLE_ADMIN = (
    False  # the project's admin is Wagtail's; `manage.py axes_reset_username` unlocks
)
AXES_VERBOSE = False
# Our reverse proxies (addresses or networks, comma-separated): only from them is X-Forwarded-For
# believed, read from the right (cms.security.client_ip). Empty: REMOTE_ADDR is the client.
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES")
# API tokens (cms/authentication.py) expire this many days after login; changing a password ends them.
API_TOKEN_TTL_DAYS = int(os.environ.get("API_TOKEN_TTL_DAYS", "30"))
WAGTAILADMIN_USER_LOGIN_FORM = "cms.security.ThrottledAuthenticationForm"
LOGIN_URL = "login"
WAGTAIL_FRONTEND_LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"

# Chinese first, English second.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
WAGTAILADMIN_PERMITTED_LANGUAGES = LANGUAGES
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
]
STATICFILES_DIRS = [PROJECT_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "static"))
STATIC_URL = "/static/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "/media/"

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
if os.environ.get("STORAGE_BACKEND", "").lower() == "s3":
    # S3-compatible object storage (MinIO, OSS, COS, …) for media shared by web and workers.
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": os.environ.get("S3_BUCKET", ""),
            "endpoint_url": os.environ.get("S3_ENDPOINT_URL") or None,
            "access_key": os.environ.get("S3_ACCESS_KEY_ID", ""),
            "secret_key": os.environ.get("S3_SECRET_ACCESS_KEY", ""),
            "region_name": os.environ.get("S3_REGION") or None,
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }

DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000
# /healthz names the failing check (database, queue, storage) only to staff and to a monitor that
# sends this value in the X-Healthz-Token header; anyone else sees ok/degraded/error.
HEALTHZ_TOKEN = os.environ.get("HEALTHZ_TOKEN", "")
# Bigger uploads stream to a temporary file instead of memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

# Background work: django-tasks, the task API Wagtail itself uses.
# TASK_BACKEND=database (default: queue in the database, `manage.py db_worker`),
# redis (RQ at REDIS_URL, `manage.py rqworker`), or immediate (run inline; tests).
TASK_BACKEND = os.environ.get("TASK_BACKEND", "database").lower()
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
TASK_QUEUES = ["default", "media", "search"]
if TASK_BACKEND == "redis":
    TASKS = {
        "default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": TASK_QUEUES},
    }
    INSTALLED_APPS.append("django_rq")
elif TASK_BACKEND == "immediate":
    TASKS = {
        "default": {
            "BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
            "QUEUES": TASK_QUEUES,
        }
    }
else:
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": TASK_QUEUES}}
RQ_QUEUES = {name: {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 6 * 3600} for name in TASK_QUEUES}
# `manage.py task_worker` also runs the periodic jobs (cms/periodic/jobs.py), checking every this
# many seconds whether one is due; `--no-periodic` turns that off for a worker.
PERIODIC_JOBS_TICK_SECONDS = float(os.environ.get("PERIODIC_JOBS_TICK_SECONDS", "5"))

# Media pipeline (docs/media.md). Uploads above this size are refused (bytes; default 4 GiB).
MEDIA_PIPELINE_MAX_UPLOAD_BYTES = int(
    os.environ.get("MEDIA_PIPELINE_MAX_UPLOAD_BYTES", 4 * 1024**3)
)
# Largest picture (width × height), longest duration (s) and highest frame rate accepted; a file
# beyond them is refused when probed, with the reason (docs/media.md).
MEDIA_PIPELINE_MAX_PIXELS = int(os.environ.get("MEDIA_PIPELINE_MAX_PIXELS", 3840 * 2160))
MEDIA_PIPELINE_MAX_DURATION_SECONDS = int(
    os.environ.get("MEDIA_PIPELINE_MAX_DURATION_SECONDS", 4 * 3600)
)
MEDIA_PIPELINE_MAX_FRAME_RATE = float(os.environ.get("MEDIA_PIPELINE_MAX_FRAME_RATE", "60"))
# x264 preset: slower presets make smaller files for the same quality and cost more CPU.
MEDIA_PIPELINE_X264_PRESET = os.environ.get("MEDIA_PIPELINE_X264_PRESET", "veryfast")
# HLS segment length in seconds (Apple's HLS authoring spec recommends 6; 4 starts faster).
MEDIA_PIPELINE_SEGMENT_SECONDS = int(os.environ.get("MEDIA_PIPELINE_SEGMENT_SECONDS", "4"))
# Behind nginx: an `internal` location mapped to MEDIA_ROOT, e.g. "/protected-media".
MEDIA_PIPELINE_X_ACCEL_PREFIX = os.environ.get("MEDIA_PIPELINE_X_ACCEL_PREFIX", "")
# Lifetime (seconds) of the signed media URLs the API returns for apps' native players.
MEDIA_PIPELINE_SIGNED_URL_SECONDS = int(
    os.environ.get("MEDIA_PIPELINE_SIGNED_URL_SECONDS", 6 * 3600)
)
# Who may fetch a video's media: f(user, video) -> bool.
MEDIA_PIPELINE_ACCESS_CHECK = "cms.pages.media_access.user_can_view_video"
# A queued job nobody claimed for this long is enqueued again (`media_requeue_stale --waiting`).
MEDIA_PIPELINE_STALE_SECONDS = int(os.environ.get("MEDIA_PIPELINE_STALE_SECONDS", "300"))
# A running encode holds a lease renewed by its worker every HEARTBEAT seconds; when the lease runs
# out the worker is presumed dead and the job is re-queued (media_requeue_stale, every 15 s).
MEDIA_PIPELINE_LEASE_SECONDS = int(os.environ.get("MEDIA_PIPELINE_LEASE_SECONDS", "60"))
MEDIA_PIPELINE_HEARTBEAT_SECONDS = float(os.environ.get("MEDIA_PIPELINE_HEARTBEAT_SECONDS", "10"))

# Spreadsheet imports (rosters, question banks; tabular/): hostile files are capped.
# Upload size in bytes, size of an .xlsx once unpacked (a 67 KB "xlsx bomb" unpacks to 200,000
# rows), data rows per file, and how many row errors are listed (the rest are counted).
IMPORT_MAX_UPLOAD_BYTES = int(os.environ.get("IMPORT_MAX_UPLOAD_BYTES", 10 * 1024 * 1024))
IMPORT_MAX_UNPACKED_BYTES = int(os.environ.get("IMPORT_MAX_UNPACKED_BYTES", 50 * 1024 * 1024))
IMPORT_MAX_ROWS = int(os.environ.get("IMPORT_MAX_ROWS", "5000"))
IMPORT_MAX_LISTED_ERRORS = int(os.environ.get("IMPORT_MAX_LISTED_ERRORS", "200"))
# Clean-up (the periodic job `import_leftovers_clean`, every hour): an uploaded table kept for its
# preview but never imported is removed after IMPORT_STAGED_KEEP_HOURS (the raw file may hold
# personal data); a finished import's record (its result: row counts, row errors and, for a roster,
# the new accounts' initial passwords not yet collected) after IMPORT_RESULT_KEEP_DAYS, which also
# bounds how long a password sheet waits in the importer's session. Trainees whose password was
# never collected then need a password reset. Dangke design values.
IMPORT_STAGED_KEEP_HOURS = int(os.environ.get("IMPORT_STAGED_KEEP_HOURS", "24"))
IMPORT_RESULT_KEEP_DAYS = int(os.environ.get("IMPORT_RESULT_KEEP_DAYS", "7"))

# Documents of a member's path into the Party (docs/party.md): kept outside MEDIA_ROOT, served only
# by the scoped, access-logged view; behind nginx an `internal` location mapped to this folder
# (e.g. "/protected-party-documents") lets nginx send the bytes (X-Accel-Redirect).
PARTY_DOCUMENTS_ROOT = Path(os.environ.get("PARTY_DOCUMENTS_ROOT", VAR_DIR / "party-documents"))
PARTY_DOCUMENTS_MAX_BYTES = int(os.environ.get("PARTY_DOCUMENTS_MAX_BYTES", 20 * 1024 * 1024))
PARTY_DOCUMENTS_X_ACCEL_PREFIX = os.environ.get("PARTY_DOCUMENTS_X_ACCEL_PREFIX", "")
# A virus scanner run on every uploaded Party document (member documents and meeting attachments),
# the file on its standard input, e.g. "clamdscan --no-summary --fdpass -": exit 0 clean, 1 infected
# (refused), anything else or no answer in PARTY_DOCUMENTS_SCAN_TIMEOUT seconds refuses the file as
# not scanned. Unset: no scan (party/organisation/documents.scan; docs/party.md).
PARTY_DOCUMENTS_SCAN_COMMAND = shlex.split(os.environ.get("PARTY_DOCUMENTS_SCAN_COMMAND", ""))
PARTY_DOCUMENTS_SCAN_TIMEOUT = int(os.environ.get("PARTY_DOCUMENTS_SCAN_TIMEOUT", 60))
# Where member documents are kept: local disk under PARTY_DOCUMENTS_ROOT (default) or, with
# PARTY_DOCUMENTS_STORAGE=s3, a private bucket (its own bucket and prefix, private ACL, no public
# URL; the S3_* endpoint and keys of media unless PARTY_DOCUMENTS_S3_* are set). Downloads always go
# through the scoped view (docs/party.md, docs/deploy.md).
PARTY_DOCUMENTS_STORAGE = {"BACKEND": "party.organisation.documents.PrivateDocumentStorage"}
if os.environ.get("PARTY_DOCUMENTS_STORAGE", "").lower() == "s3":
    PARTY_DOCUMENTS_STORAGE = {
        "BACKEND": "party.organisation.documents_s3.PrivateS3DocumentStorage",
        "OPTIONS": {
            "bucket_name": os.environ.get("PARTY_DOCUMENTS_S3_BUCKET", ""),
            "location": os.environ.get("PARTY_DOCUMENTS_S3_PREFIX", "party-documents"),
            "endpoint_url": os.environ.get("PARTY_DOCUMENTS_S3_ENDPOINT_URL")
            or os.environ.get("S3_ENDPOINT_URL")
            or None,
            "access_key": os.environ.get("PARTY_DOCUMENTS_S3_ACCESS_KEY_ID")
            or os.environ.get("S3_ACCESS_KEY_ID", ""),
            "secret_key": os.environ.get("PARTY_DOCUMENTS_S3_SECRET_ACCESS_KEY")
            or os.environ.get("S3_SECRET_ACCESS_KEY", ""),
            "region_name": os.environ.get("PARTY_DOCUMENTS_S3_REGION")
            or os.environ.get("S3_REGION")
            or None,
        },
    }

# Organisation life (docs/party.md): e-mail meeting notices as well as the on-site ones.
MEETING_NOTICE_EMAIL = env_bool("MEETING_NOTICE_EMAIL")

# Wagtail
WAGTAIL_SITE_NAME = "党课 Dangke"
WAGTAILADMIN_BASE_URL = os.environ.get("WAGTAILADMIN_BASE_URL", "http://127.0.0.1:8000")
WAGTAIL_ENABLE_UPDATE_CHECK = False
WAGTAIL_MODERATION_ENABLED = True
# Images and documents are stored under random names (cms/pages/models.py), never the uploader's.
WAGTAILIMAGES_IMAGE_MODEL = "pages.DangkeImage"
WAGTAILDOCS_DOCUMENT_MODEL = "pages.DangkeDocument"
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "odt", "pdf", "pptx", "rtf", "txt", "xlsx", "zip"]
# No Gravatar: it is unreachable from many campus networks (the admin would wait on it), works
# on no offline machine, and would send a hash of every staff e-mail address abroad. Wagtail
# shows its default avatar or an uploaded one instead.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
WAGTAILDOCS_MAX_UPLOAD_SIZE = 50 * 1024 * 1024
WAGTAILIMAGES_MAX_UPLOAD_SIZE = 20 * 1024 * 1024
# Search (docs/search.md). WAGTAILSEARCH_BACKEND=whoosh (default: Whoosh + jieba index under var/,
# updated by background tasks on the "search" queue), database (Wagtail's, no Chinese segmentation),
# elasticsearch or opensearch (at SEARCH_URL, for large deployments; needs a Chinese analyzer plugin).
WAGTAILSEARCH_BACKEND = os.environ.get("WAGTAILSEARCH_BACKEND", "whoosh").lower()
if WAGTAILSEARCH_BACKEND == "database":
    WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
elif WAGTAILSEARCH_BACKEND in {"elasticsearch", "opensearch"}:
    WAGTAILSEARCH_BACKENDS = {
        "default": {
            "BACKEND": {
                "elasticsearch": "modelsearch.backends.elasticsearch8",
                "opensearch": "modelsearch.backends.opensearch2",
            }[WAGTAILSEARCH_BACKEND],
            "URLS": env_list("SEARCH_URL", "http://127.0.0.1:9200"),
            "INDEX_PREFIX": os.environ.get("SEARCH_INDEX_PREFIX", "dangke_"),
        }
    }
else:
    WAGTAILSEARCH_BACKENDS = {
        "default": {
            "BACKEND": "search.backend",
            "PATH": VAR_DIR / "search_index",
            "AUTO_UPDATE": False,
        }
    }
# Page models the site search covers; a result's kind is the page's `kind` ("course" without one).
SEARCH_PAGE_MODELS = ["pages.ArticleLessonPage", "pages.VideoLessonPage", "pages.CoursePage"]
SEARCH_COURSE_MODEL = "pages.CoursePage"

# REST API (docs/api.md)
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "cms.authentication.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_PAGINATION_CLASS": "cms.api_support.StandardPagination",
    "PAGE_SIZE": 20,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "cms.api_support.exception_handler",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Dangke API",
    "DESCRIPTION": "党课 Dangke REST API v1 — courses, lessons, media, progress, quizzes, classes, search.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "PREPROCESSING_HOOKS": ["cms.api_support.public_api_only"],
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "cms.api_support.document_standard_errors",
    ],
    # Fields named state/status/kind carry different choice sets in different apps: name each set
    # after what it is, so the schema has no "Kind127Enum" (and --fail-on-warn stays clean).
    "ENUM_NAME_OVERRIDES": {
        "AppraisalGradeEnum": "party.appraisal.models.Grade",
        "AppraisalPhaseEnum": "party.appraisal.models.Phase",
        "FollowUpActionEnum": "party.appraisal.models.FollowUpAction",
        "AttemptStateEnum": ["in_progress", "submitted", "needs_grading", "graded"],
        "AttendanceStatusEnum": "party.meetings.models.AttendanceStatus",
        # What a secretary may set (one or many members at once): 实到, 请假, 缺席.
        "AttendanceMarkEnum": ["present", "leave", "absent"],
        "LessonKindEnum": ["article", "video"],
        "MeetingKindEnum": "party.meetings.models.MeetingKind",
        "ReportStatusEnum": "learning.reports.status.ReportStatus",
    },
}

# Which pages a user may see (live, and page privacy respected). learning/ and search/ may not import
# cms/, so they call this through the setting: import_string(PAGE_VISIBILITY_FILTER)(user=, queryset=).
PAGE_VISIBILITY_FILTER = "cms.pages.selectors.visible_pages"
# The page models learning/ treats as lessons (微党课), named here because learning/ may not
# import cms/; each meets the contract learning.progress.lessons.LessonPage (kind, duration,
# reading time, class hours).
LESSON_PAGE_MODELS = ["pages.ArticleLessonPage", "pages.VideoLessonPage"]

# Training rules (docs/domain.md); each value names its source.
DANGKE = {
    # 一个学时 = 45 minutes (a class period) — common practice.
    "CLASS_HOUR_MINUTES": 45,
    # 一个培训日 = 8 学时 — common practice.
    "DAY_CLASS_HOURS": Decimal("8"),
    # 发展对象 concentrated training ≥ 24 学时 — 《中国共产党发展党员工作细则》(2014) art. 17.
    "CANDIDATE_REQUIRED_HOURS": Decimal("24"),
    # 入党积极分子 class: 40 学时 per intake (lectures + self-study + discussion + practice + exam) —
    # some universities' 党校 rules (docs/domain.md).
    "ACTIVIST_REQUIRED_HOURS": Decimal("40"),
    # Party members' yearly concentrated study ≥ 32 学时 — 《中国共产党党员教育管理工作条例》(2019) art. 20.
    "MEMBER_YEARLY_HOURS": Decimal("32"),
    # 基层党组织书记和班子成员 (branch secretaries and committee members) ≥ 56 学时 a year —
    # 《2019—2023年全国党员教育培训工作规划》.
    "COMMITTEE_YEARLY_HOURS": Decimal("56"),
    # Exam pass mark 60/100 — university 党校 rules.
    "EXAM_PASS_MARK": Decimal("60"),
    # A class may count 学时 missed with recorded 请假 as studied up to this share (percent) of its
    # required 学时, and no more: missing more than a quarter of the 学时 means no certificate —
    # university 党校 rules (docs/domain.md). Each class sets its own share, 0 by default.
    "LEAVE_ALLOWANCE_MAX_PERCENT": Decimal("25"),
    # A typical final exam (结业考试) lasts 90 minutes, closed book — university 党校 rules.
    "EXAM_TIME_LIMIT_MINUTES": 90,
    # Passing a test may add 0.5 学时 — 云南省干部在线学习学院 rules (online course crediting).
    "EXAM_PASS_CLASS_HOURS": Decimal("0.5"),
    # Online course crediting (a common provincial rule, 云南省干部在线学习学院): a lesson of ≥ 30 min
    # = 1 学时, 15–30 min = 0.5, < 15 min (micro-lesson) = 0.25. Used when a lesson sets no 学时.
    "ONLINE_CLASS_HOUR_TIERS": [(1800, Decimal("1")), (900, Decimal("0.5")), (0, Decimal("0.25"))],
    # How a lesson that sets no 学时 is credited (cms/pages/credit.py): "tiers" (the rule above) or
    # "proportional" (minutes ÷ CLASS_HOUR_MINUTES, rounded down to 0.25 — a class period is 45
    # minutes, common practice). An article's 学时 may not exceed what its reading time earns.
    "ONLINE_CREDIT_RULE": os.environ.get("DANGKE_ONLINE_CREDIT_RULE", "tiers"),
    # A lesson shorter than this many minutes earns nothing by itself (an editor may still set its
    # 学时): a 9-second clip is no 0.25 学时. Micro-lessons run 5–20 minutes (docs/domain.md);
    # Dangke design value.
    "ONLINE_CREDIT_FLOOR_MINUTES": 5,
    # Default minimum active reading time of an article lesson, in seconds.
    "ARTICLE_MIN_READING_SECONDS": 300,
    # Allowed playback rate when crediting watched time.
    "MAX_PLAYBACK_RATE": float(os.environ.get("DANGKE_MAX_PLAYBACK_RATE", "1.25")),
    # A video lesson is complete at this watched share.
    "VIDEO_COMPLETE_RATIO": float(os.environ.get("DANGKE_VIDEO_COMPLETE_RATIO", "0.9")),
    # Longest gap between two progress reports that still counts as continuous watching or reading;
    # the player reports every ~10 s, so a longer silence means it was hidden, asleep or scripted.
    # Dangke design value.
    "PROGRESS_MAX_GAP_SECONDS": int(os.environ.get("DANGKE_PROGRESS_MAX_GAP_SECONDS", "35")),
    # Seconds a first viewing may resume beyond the furthest reached point (keyframe rounding of
    # seeks and clock jitter). Dangke design value.
    "PROGRESS_SEEK_TOLERANCE_SECONDS": 2,
    # Each worker process remembers for this many seconds that a trainee may see a lesson, so a
    # heartbeat needs no visibility query; changes made in the same process apply at once.
    "PROGRESS_ACCESS_MEMO_SECONDS": int(
        os.environ.get("DANGKE_PROGRESS_ACCESS_MEMO_SECONDS", "30")
    ),
    # Seconds without interaction before the player asks "还在学习吗？".
    "IDLE_PROMPT_SECONDS": int(os.environ.get("DANGKE_IDLE_PROMPT_SECONDS", "600")),
}

# Console and, under `make run`, var/log/dangke.log (cms/logging.py).
LOGGING = logging_config(os.environ)
