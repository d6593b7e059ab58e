"""The wire contract between Playbook clients and the sync server.

Pydantic models only; no server imports, so the desktop client can import this package
like an SDK. Versioned: every request carries ``X-Playbook-Protocol``; the server accepts
``MIN_PROTOCOL..MAX_PROTOCOL`` and answers ``update_required`` (426) otherwise.
"""

from sync_server.protocol.analytics import *  # noqa: F403
from sync_server.protocol.analytics import __all__ as _analytics_all
from sync_server.protocol.v1 import *  # noqa: F403
from sync_server.protocol.v1 import __all__ as _v1_all

PROTOCOL_HEADER = "X-Playbook-Protocol"
PROTOCOL_VERSION = 1
MIN_PROTOCOL = 1
MAX_PROTOCOL = 1
API_PREFIX = "/v1"

__all__ = [
    "API_PREFIX",
    "MAX_PROTOCOL",
    "MIN_PROTOCOL",
    "PROTOCOL_HEADER",
    "PROTOCOL_VERSION",
    *_v1_all,
    *_analytics_all,
]
