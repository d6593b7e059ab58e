"""Turning HTML into PDF with WeasyPrint, safely and without blocking the app.

WeasyPrint is slow to import (about a second) and can take seconds on a long document,
and the HTML it renders contains text users wrote. So:

* It runs in a **worker process** (``spawn``, never ``fork``: forking a process that runs
  Qt is unsafe), started on first use and reused. A render that exceeds its time limit
  gets the worker killed; the next render starts a fresh one. The app's own memory never
  holds WeasyPrint.
* Its **URL fetcher** serves only ``data:`` URIs and files inside the ``assets`` folder the
  caller names (the course folder, the folder of the logo the user picked, bundled CSS).
  Everything else — ``http(s)``, ``ftp``, ``file:`` outside the folder, ``..`` escapes,
  symlinks that leave it — is refused and reported, never fetched.

Callers get :class:`RenderedPdf` (the bytes and any refused URLs, so the UI can say
"the image x.png was left out") or :class:`PdfProblem` with a sentence for the user.
"""

from __future__ import annotations

import logging
import mimetypes
import multiprocessing
import threading
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 60.0
_START_TIMEOUT = 30.0  # importing WeasyPrint in a new process on a slow laptop


class PdfProblem(Exception):  # noqa: N818 (a problem for the user)
    """The PDF could not be made. ``user_message`` says why and what to do."""

    def __init__(self, user_message: str) -> None:
        super().__init__(user_message)
        self.user_message = user_message


@dataclass(frozen=True, slots=True)
class RenderedPdf:
    data: bytes
    refused: tuple[str, ...]  # URLs the document asked for and did not get


class PdfRenderer:
    """One WeasyPrint worker process, used one render at a time (thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._process: Any = None  # multiprocessing.context.SpawnProcess
        self._conn: Connection | None = None

    def render(
        self, html: str, *, assets: Path | None = None, timeout: float = DEFAULT_TIMEOUT
    ) -> RenderedPdf:
        folder = str(assets.resolve()) if assets is not None else None
        with self._lock:
            conn = self._worker()
            try:
                conn.send((html, folder))
                if not conn.poll(timeout):
                    self._stop()
                    raise PdfProblem(
                        f"Making the PDF took longer than {timeout:g} seconds and was stopped. "
                        "Try a shorter document or fewer images."
                    )
                reply = conn.recv()
            except (EOFError, OSError, BrokenPipeError):
                self._stop()
                raise PdfProblem(
                    "The PDF renderer stopped unexpectedly. Try again; if it keeps "
                    "happening, the details are in the log."
                ) from None
        kind, payload, refused = reply
        if kind == "error":
            raise PdfProblem(f"The PDF could not be made: {payload}")
        for url in refused:
            log.warning("PDF export left out a resource it may not fetch: %s", url)
        return RenderedPdf(payload, tuple(refused))

    def close(self) -> None:
        with self._lock:
            self._stop()

    def _worker(self) -> Connection:
        if self._process is not None and self._process.is_alive() and self._conn is not None:
            return self._conn
        self._stop()
        ctx = multiprocessing.get_context("spawn")
        parent, child = ctx.Pipe()
        process = ctx.Process(target=_serve, args=(child,), name="playbook-pdf", daemon=True)
        process.start()
        child.close()
        try:
            ready = parent.poll(_START_TIMEOUT) and parent.recv() == "ready"
        except (EOFError, OSError):  # the worker died while starting
            ready = False
        if not ready:
            process.kill()
            process.join(5)
            parent.close()
            raise PdfProblem(
                "The PDF renderer could not start. Check that WeasyPrint's system "
                "libraries (Pango) are installed; `playbook self-test` names what is missing."
            )
        self._process, self._conn = process, parent
        return parent

    def _stop(self) -> None:
        if self._conn is not None:
            self._conn.close()
        if self._process is not None:
            if self._process.is_alive():
                self._process.kill()
            self._process.join(5)
        self._process = self._conn = None


_default: PdfRenderer | None = None
_default_lock = threading.Lock()


def render_pdf(html: str, *, assets: Path | None = None, timeout: float = DEFAULT_TIMEOUT) -> bytes:
    """Render ``html`` to PDF bytes with a shared worker (see :class:`PdfRenderer`).

    Relative URLs in ``html`` resolve against ``assets``; only files inside it (and
    ``data:`` URIs) are ever read."""
    return render_pdf_report(html, assets=assets, timeout=timeout).data


def render_pdf_report(
    html: str, *, assets: Path | None = None, timeout: float = DEFAULT_TIMEOUT
) -> RenderedPdf:
    """Like :func:`render_pdf`, also telling which URLs were refused."""
    global _default
    with _default_lock:
        if _default is None:
            _default = PdfRenderer()
        renderer = _default
    return renderer.render(html, assets=assets, timeout=timeout)


def shutdown() -> None:
    """Stop the shared worker (at app exit; it is a daemon process either way)."""
    if _default is not None:
        _default.close()


# -- the worker process ---------------------------------------------------------------


def _serve(conn: Connection) -> None:  # pragma: no cover - runs in the worker process
    import weasyprint

    conn.send("ready")
    while True:
        try:
            html, folder = conn.recv()
        except (EOFError, OSError):
            return
        fetcher = _asset_fetcher(Path(folder) if folder else None)
        try:
            base_url = Path(folder).as_uri() + "/" if folder else None
            document = weasyprint.HTML(string=html, base_url=base_url, url_fetcher=fetcher)
            data = document.write_pdf()
        except Exception as exc:
            conn.send(("error", f"{type(exc).__name__}: {exc}", fetcher.refused))
        else:
            conn.send(("ok", data, fetcher.refused))


def _asset_fetcher(folder: Path | None) -> Any:
    """A WeasyPrint URL fetcher that serves ``data:`` URIs and files inside ``folder``."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class AssetFetcher(URLFetcher):
        def __init__(self) -> None:
            super().__init__(allowed_protocols=["data"], allow_redirects=False)
            self.refused: list[str] = []

        def fetch(self, url: str, headers: Any = None) -> Any:
            parts = urlsplit(url)
            if parts.scheme == "data":
                return super().fetch(url, headers)
            path = _inside(folder, parts.scheme, unquote(parts.path))
            if path is None:
                self.refused.append(url)
                raise ValueError(f"Playbook does not fetch {url}")
            mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": mime})

    return AssetFetcher()


def _inside(folder: Path | None, scheme: str, path: str) -> Path | None:
    if folder is None or scheme != "file":
        return None
    try:
        resolved = Path(path).resolve(strict=True)
    except (OSError, RuntimeError):
        return None
    if not resolved.is_file() or not resolved.is_relative_to(folder):
        return None
    return resolved
