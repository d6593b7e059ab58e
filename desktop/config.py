"""User settings: defaults < the user's settings file.

The file is TOML so a person (or IT) can read it; it never holds secrets. Unknown keys
are kept out, bad values fall back to the default with a warning in the log rather than
stopping the app.
"""

from __future__ import annotations

import logging
import tomllib
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path

log = logging.getLogger(__name__)

MIN_FONT_PT = 10
MAX_FONT_PT = 28


@dataclass(frozen=True, slots=True)
class Settings:
    lesson_font_pt: int = 15

    def with_font(self, pt: int) -> Settings:
        return replace(self, lesson_font_pt=max(MIN_FONT_PT, min(MAX_FONT_PT, pt)))


class SettingsStore:
    """Reads and writes :class:`Settings` to one TOML file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.explicit: set[str] = set()  # keys the user's file sets (not defaults)
        self._current = self._read()

    @property
    def current(self) -> Settings:
        return self._current

    def update(self, settings: Settings) -> None:
        self._current = settings
        self.explicit = {f.name for f in fields(Settings)}
        self._write(settings)

    def _read(self) -> Settings:
        if not self.path.exists():
            return Settings()
        try:
            raw = tomllib.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            log.warning("ignoring unreadable settings file %s: %s", self.path, exc)
            return Settings()
        settings = Settings()
        for f in fields(Settings):
            value = raw.get(f.name)
            if value is None:
                continue
            if type(value) is not type(getattr(settings, f.name)):
                log.warning("settings: %s must be %s; using the default", f.name, f.type)
                continue
            settings = replace(settings, **{f.name: value})
            self.explicit.add(f.name)
        return settings.with_font(settings.lesson_font_pt)

    def _write(self, settings: Settings) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        lines = [f"{key} = {_toml_value(value)}" for key, value in asdict(settings).items()]
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text("\n".join(lines) + "\n", encoding="utf-8")
        tmp.replace(self.path)


def _toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'
