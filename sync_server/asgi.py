"""The app object uvicorn workers import (``sync_server.asgi:app``)."""

from sync_server.app import create_app
from sync_server.logs import configure_logging
from sync_server.settings import Settings

_settings = Settings()
configure_logging(_settings.log_level)
app = create_app(_settings)
