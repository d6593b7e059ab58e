"""Where the app's log goes: a rotating file in the platform's log folder, and stderr.

Error messages tell users "the details were written to the log"; a GUI app started from
a menu has no terminal, so the log must be a file they (or IT) can find
(``packaging/README.md`` lists the folders). Secrets are never logged on purpose; as a
second line of defence, anything shaped like a bearer token or an API key is masked
before a record is written.
"""

from __future__ import annotations

import logging
import logging.handlers
import re
from pathlib import Path

from desktop.paths import APP_AUTHOR, APP_NAME

LOG_FILE = "playbook.log"
MAX_BYTES = 1_000_000
BACKUPS = 3
_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"

_SECRET_PATTERNS = (
    re.compile(r"(?i)(bearer\s+)[A-Za-z0-9._~+/=-]{8,}"),
    re.compile(r"(?i)((?:api[_-]?key|token|password|secret)\"?\s*[:=]\s*\"?)[^\s\"',;]{4,}"),
    re.compile(r"\b(sk-)[A-Za-z0-9_-]{8,}"),
)


def default_log_dir() -> Path:
    import platformdirs

    return Path(platformdirs.user_log_dir(APP_NAME, APP_AUTHOR))


def redact(text: str) -> str:
    for pattern in _SECRET_PATTERNS:
        text = pattern.sub(lambda m: m.group(1) + "***", text)
    return text


class _RedactingFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


def setup_logging(log_dir: Path | None = None, level: int = logging.INFO) -> Path | None:
    """Log to ``log_dir/playbook.log`` (rotated at 1 MB, 3 old files kept) and to stderr.
    Returns the log file, or None if the folder cannot be written (then stderr only, and
    the app still starts)."""
    root = logging.getLogger()
    root.setLevel(level)
    formatter = _RedactingFormatter(_FORMAT)
    console = logging.StreamHandler()
    console.setFormatter(formatter)
    root.addHandler(console)
    folder = log_dir or default_log_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handler = logging.handlers.RotatingFileHandler(
            folder / LOG_FILE, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8"
        )
    except OSError as exc:
        logging.getLogger(__name__).warning("cannot write the log file in %s: %s", folder, exc)
        return None
    handler.setFormatter(formatter)
    root.addHandler(handler)
    return folder / LOG_FILE
