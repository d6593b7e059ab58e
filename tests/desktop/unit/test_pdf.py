"""PDF export: real WeasyPrint in its worker process, read back with pypdf."""

from __future__ import annotations

import base64
import http.server
import io
import threading
from collections.abc import Iterator
from pathlib import Path

import pypdf
import pytest

from desktop.integrations.pdf import PdfProblem, PdfRenderer

# A 1x1 PNG.
PIXEL = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)


@pytest.fixture(scope="module")
def renderer() -> Iterator[PdfRenderer]:
    r = PdfRenderer()
    yield r
    r.close()


@pytest.fixture
def spy_server() -> Iterator[tuple[str, list[str]]]:
    """A web server on 127.0.0.1 that records every request it gets."""
    seen: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            seen.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.end_headers()
            self.wfile.write(PIXEL)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", seen
    server.shutdown()


def _pages(data: bytes) -> list[str]:
    return [p.extract_text() for p in pypdf.PdfReader(io.BytesIO(data)).pages]


def _image_count(data: bytes) -> int:
    return sum(len(p.images) for p in pypdf.PdfReader(io.BytesIO(data)).pages)


def test_html_becomes_a_pdf_with_its_text(renderer: PdfRenderer) -> None:
    html = "<h1>Refund policy</h1><p>You may return goods within 30 days.</p>"
    result = renderer.render(html)
    assert result.data.startswith(b"%PDF-")
    text = _pages(result.data)[0]
    assert "Refund policy" in text
    assert "within 30 days" in text
    assert result.refused == ()


def test_images_inside_the_assets_folder_are_embedded(
    renderer: PdfRenderer, tmp_path: Path
) -> None:
    (tmp_path / "logo.png").write_bytes(PIXEL)
    html = '<p>Acme</p><img src="logo.png" style="width:20px">'
    result = renderer.render(html, assets=tmp_path)
    assert _image_count(result.data) == 1
    assert result.refused == ()


def test_data_uris_are_allowed(renderer: PdfRenderer) -> None:
    uri = "data:image/png;base64," + base64.b64encode(PIXEL).decode()
    result = renderer.render(f'<img src="{uri}" style="width:20px">')
    assert _image_count(result.data) == 1


def test_remote_urls_are_never_fetched(
    renderer: PdfRenderer, tmp_path: Path, spy_server: tuple[str, list[str]]
) -> None:
    base, seen = spy_server
    html = (
        f'<link rel="stylesheet" href="{base}/style.css">'
        f'<p>Hello</p><img src="{base}/track.png">'
        f'<div style="background: url({base}/bg.png)">x</div>'
    )
    result = renderer.render(html, assets=tmp_path)
    assert "Hello" in _pages(result.data)[0]
    assert seen == []
    assert _image_count(result.data) == 0
    assert any("track.png" in url for url in result.refused)


def test_files_outside_the_assets_folder_are_refused(renderer: PdfRenderer, tmp_path: Path) -> None:
    assets = tmp_path / "course"
    assets.mkdir()
    secret = tmp_path / "secret.png"
    secret.write_bytes(PIXEL)
    (assets / "link.png").symlink_to(secret)
    html = (
        '<img src="../secret.png">'
        f'<img src="{secret.as_uri()}">'
        '<img src="link.png">'
        '<img src="file:///etc/passwd">'
    )
    result = renderer.render(html, assets=assets)
    assert _image_count(result.data) == 0
    # "../secret.png" and the file: URL name the same file; it is asked for (and refused) once.
    assert set(result.refused) == {
        secret.as_uri(),
        (assets / "link.png").as_uri(),
        "file:///etc/passwd",
    }


def test_a_render_over_its_time_limit_is_stopped_and_the_next_one_works(
    renderer: PdfRenderer,
) -> None:
    long_html = "<table>" + "<tr><td>cell</td><td>cell</td></tr>" * 20000 + "</table>"
    with pytest.raises(PdfProblem, match="longer than"):
        renderer.render(long_html, timeout=0.2)
    assert "Again" in _pages(renderer.render("<p>Again</p>").data)[0]


def test_a_renderer_that_cannot_start_is_explained(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The worker process finds a WeasyPrint that dies on import, as on a machine whose
    # Pango is missing or broken.
    (tmp_path / "weasyprint.py").write_text("raise SystemExit(3)\n")
    monkeypatch.syspath_prepend(str(tmp_path))  # a spawned worker gets the parent's sys.path
    broken = PdfRenderer()
    try:
        with pytest.raises(PdfProblem, match="could not start"):
            broken.render("<p>x</p>")
    finally:
        broken.close()
