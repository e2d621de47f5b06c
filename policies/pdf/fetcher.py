"""What WeasyPrint may read while rendering a PDF: our static files, the font folder and data:
URIs (the QR code), nothing else — no http(s), no other local file (security.md)."""

import mimetypes
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import ImproperlyConfigured
from weasyprint.urls import URLFetcher, URLFetcherResponse


class ForbiddenURL(ValueError):
    pass


def allowed_roots() -> list[Path]:
    roots = [Path(d).resolve() for d in settings.STATICFILES_DIRS]
    if settings.STATIC_ROOT:
        roots.append(Path(settings.STATIC_ROOT).resolve())
    roots.append(Path(settings.PDF_FONT_DIR).resolve())
    return roots


def static_uri(path: str) -> str:
    """The file: URI of one of our static files, e.g. "policies/pdf/policy.css"."""
    found = finders.find(path)
    if not found:
        raise ImproperlyConfigured(f"static file {path} not found")
    return Path(found).resolve().as_uri()


def font_uri(filename: str) -> str:
    return (Path(settings.PDF_FONT_DIR) / filename).resolve().as_uri()


class PortalURLFetcher(URLFetcher):
    """A fetch of anything but an allowed file stops the rendering (fail_on_errors): a PDF with
    a missing font or a refused URL is an error to see, not a PDF to send."""

    def __init__(self) -> None:
        super().__init__(
            allowed_protocols={"file", "data"}, allow_redirects=False, fail_on_errors=True
        )
        self.roots = allowed_roots()

    def fetch(self, url: str, headers=None) -> URLFetcherResponse:
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme == "data":
            return super().fetch(url, headers)
        if scheme != "file" or parts.netloc not in ("", "localhost"):
            raise ForbiddenURL(f"refused: {url}")
        path = Path(url2pathname(parts.path)).resolve()
        if not any(path.is_relative_to(root) for root in self.roots) or not path.is_file():
            raise ForbiddenURL(f"refused: {url}")
        mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        if path.suffix.lower() == ".ttf":
            mime = "font/ttf"
        return URLFetcherResponse(
            path.as_uri(), body=path.open("rb"), headers={"Content-Type": mime}
        )
