"""Every component id in the app. Components and callbacks import these; no literals elsewhere."""

URL = "url"
PAGE = "page"
PAGE_PATH = "page-path"  # the path to render, once its deferred libraries are loaded
PAGE_LIBRARIES = "page-libraries"  # path -> the deferred scripts its page needs
NAV_VERSION = "nav-version"
NAV_USER = "nav-user"
SIGN_OUT = "nav-sign-out"
OPEN_BANNER = "open-access-banner"
FORBIDDEN = "page-forbidden"
NAV_TOGGLER = "nav-toggler"  # a phone's menu button
NAV_COLLAPSE = "nav-collapse"  # the links it opens

# Overview
DATE_RANGE = "overview-date-range"
CATEGORY_FILTER = (
    "overview-category-filter"  # pattern type: {"type": ..., "column": name}
)
RANGE_FILTER = "overview-range-filter"  # pattern type: {"type": ..., "column": name}
RESET_FILTERS = "overview-reset"
SHARE_URL = "overview-share-url"
FILTER_MESSAGE = "overview-filter-message"
KPI_ROW = "overview-kpis"
CATEGORY_CHART = "overview-category-chart"
HEATMAP_CHART = "overview-heatmap-chart"
TREND_CHART = "overview-trend-chart"
MAP_CHART = "overview-map-chart"
DISTRIBUTION_CHART = "overview-distribution-chart"
BINS_CHART = "overview-bins-chart"
BINS_COLUMN = "overview-bins-column"
ROUTES_TABLE = "overview-routes-table"
OVERVIEW_FIRST_SENT = "overview-first-sent"  # the first screen was sent
OVERVIEW_FIRST_DRAWN = "overview-first-drawn"  # ... and drawn: ask for the rest
ROUTES_DOWNLOAD = "overview-routes-download"
ROUTES_EXPORT = "overview-routes-export"
MISSING_FILTER = "overview-missing-filter"  # keep rows with no value in a range filter
FILTERS_TOGGLE = "overview-filters-toggle"  # a phone's button that opens the filters
FILTERS_COLLAPSE = "overview-filters-collapse"

# Predict
PREDICT_INPUT = "predict-input"  # pattern type: {"type": ..., "column": name}
PREDICT_MESSAGE = "predict-message"
PREDICT_RESULT = "predict-result"
PREDICT_EFFECTS = "predict-effects-chart"
PREDICT_WHATIF = "predict-whatif-chart"
PREDICT_CLASS = "predict-effects-class"  # multi-class: whose effects to show
PREDICT_EFFECTS_STORE = "predict-effects-store"  # multi-class: every class's effects
PREDICT_PROBABILITIES = "predict-probabilities-chart"

# Model card
THRESHOLD = "model-threshold"
THRESHOLD_INPUT = (
    "model-threshold-input"  # the typed threshold, kept in step with the slider
)
CONFUSION_CHART = "model-confusion-chart"
CONFUSION_SUMMARY = "model-confusion-summary"
VERSIONS_TABLE = "model-versions-table"
ALIAS_HISTORY = "model-alias-history"
VERSION_PICK = "model-version-pick"
ALIAS_NOTE = "model-alias-note"
MAKE_CHAMPION = "model-make-champion"
MAKE_CHALLENGER = "model-make-challenger"
ROLLBACK = "model-rollback"
ALIAS_CONFIRM = "model-alias-confirm"  # the confirmation dialog
ALIAS_CONFIRM_TEXT = "model-alias-confirm-text"
ALIAS_CONFIRM_OK = "model-alias-confirm-ok"
ALIAS_CONFIRM_CANCEL = "model-alias-confirm-cancel"
ALIAS_PENDING = "model-alias-pending"
ALIAS_MESSAGE = "model-alias-message"


def category_filter(column: str) -> dict:
    return {"type": CATEGORY_FILTER, "column": column}


def range_filter(column: str) -> dict:
    return {"type": RANGE_FILTER, "column": column}


def predict_input(column: str) -> dict:
    return {"type": PREDICT_INPUT, "column": column}


# Model page: retrain behind the gate, as a background job (admins).
RETRAIN_START = "model-retrain-start"
RETRAIN_CANCEL = "model-retrain-cancel"
RETRAIN_TICKET = "model-retrain-ticket"
RETRAIN_PROGRESS = "model-retrain-progress"
RETRAIN_STATUS = "model-retrain-status"
RETRAIN_RESULT = "model-retrain-result"
RETRAIN_FORCE = "model-retrain-force"
RETRAIN_RUNNING = "model-retrain-running"
RETRAIN_STAGE = "model-retrain-stage"

# Model page: two versions side by side (every signed-in user).
COMPARE_A = "model-compare-a"
COMPARE_B = "model-compare-b"
COMPARE_VIEW = "model-compare-view"

# Monitor (analysts and admins): controls, the cards the refresh fills, the log grid.
MONITOR_DATES = "monitor-dates"
MONITOR_GRANULARITY = "monitor-granularity"
MONITOR_SOURCE = "monitor-source"
MONITOR_VERSION = "monitor-version"
MONITOR_QUERY = "monitor-query"  # the last validated controls, for the drill-down
MONITOR_MESSAGE = "monitor-message"
MONITOR_EMPTY = "monitor-empty"
MONITOR_SECTIONS = "monitor-sections"
MONITOR_ALERTS = "monitor-alerts"
MONITOR_KPIS = "monitor-kpis"
MONITOR_TRAFFIC = "monitor-traffic"
MONITOR_PREDICTIONS = "monitor-predictions"
MONITOR_DRIFT = "monitor-drift"
MONITOR_FEATURE = "monitor-feature"
MONITOR_FEATURE_CHART = "monitor-feature-chart"
MONITOR_PERFORMANCE = "monitor-performance"
MONITOR_SEGMENTS = "monitor-segments"
MONITOR_CHALLENGER = "monitor-challenger"
LOG_GRID = "monitor-log-grid"
LOG_MESSAGE = "monitor-log-message"
LOG_EXPORT = "monitor-log-export"
LOG_EXPORT_NOTE = "monitor-log-export-note"
LOG_DOWNLOAD = "monitor-log-download"

# Batch (analysts and admins): upload, validation report, scoring job, past batches.
BATCH_UPLOAD = "batch-upload"
BATCH_REPORT = "batch-report"
BATCH_TICKET = "batch-ticket"  # signed: the staged file, its owner and its name
BATCH_FORMAT = "batch-format"
BATCH_SCORE = "batch-score"
BATCH_CANCEL = "batch-cancel"
BATCH_RUNNING = "batch-running"
BATCH_PROGRESS = "batch-progress"
BATCH_PROGRESS_TEXT = "batch-progress-text"
BATCH_RESULT = "batch-result"
BATCH_HISTORY = "batch-history"

# Account (every signed-in user): who you are, your API keys.
ACCOUNT_WHO = "account-who"
ACCOUNT_KEY_NAME = "account-key-name"
ACCOUNT_KEY_CREATE = "account-key-create"
ACCOUNT_KEY_MESSAGE = "account-key-message"
ACCOUNT_NEW_KEY = "account-new-key"  # the box that shows a new key, once
ACCOUNT_NEW_KEY_TEXT = "account-new-key-text"
ACCOUNT_NEW_KEY_COPY = "account-new-key-copy"
ACCOUNT_KEYS = "account-keys"
ACCOUNT_REVOKE = "account-revoke"  # pattern type: {"type": ..., "column": key id}


def account_revoke(key_id: int) -> dict:
    return {"type": ACCOUNT_REVOKE, "column": str(key_id)}


# Reports (HTML and PDF files of what a page shows) and Predict's sharing and scenarios.
OVERVIEW_REPORT_HTML = "overview-report-html"
OVERVIEW_REPORT_PDF = "overview-report-pdf"
PREDICT_URL = "predict-url"  # the address bar: the inputs of the answer shown
PREDICT_INVALID = "predict-invalid"  # the fields a refused answer names, to mark them
PREDICT_REPORT_HTML = "predict-report-html"
PREDICT_REPORT_PDF = "predict-report-pdf"
SCENARIO_NAME = "scenario-name"
SCENARIO_SAVE = "scenario-save"
SCENARIO_MESSAGE = "scenario-message"
SCENARIO_LIST = "scenario-list"  # Predict: your saved scenarios

# Compare (analysts and admins): up to four saved scenarios side by side.
COMPARE_URL = "compare-url"
COMPARE_PICK = "compare-pick"
COMPARE_MESSAGE = "compare-message"
COMPARE_TABLE = "compare-table"
COMPARE_VALUES = "compare-values-chart"
COMPARE_EFFECTS = "compare-effects-chart"
COMPARE_WHATIF = "compare-whatif-chart"
COMPARE_DELETE = "compare-delete"  # deletes the ticked scenarios that are yours
