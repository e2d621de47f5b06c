"""Checking files that people upload (claims, appeals): ASVS V5.2–V5.4.

- The kind of a file is read from its first bytes (magic numbers), never from its name or the
  browser's Content-Type; the name's extension must agree with the content, so that a «.jpg»
  holding a PDF or a program is refused.
- Sizes and counts are limited per file and per object.
- Stored names are made by the server (`CheckedFile.server_name`); the person's file name is
  kept only as a label, and its ASCII-safe form is what a download sends back.
- When an antivirus daemon is configured (CLAMD_SOCKET or CLAMD_HOST), every file is streamed to
  it (clamd's INSTREAM command); if the daemon cannot be reached or answers anything but «OK»,
  the file is refused: the check fails closed.

No library is used for the sniffing: the four accepted formats have fixed signatures set by
their specifications (JPEG SOI marker, PNG signature, ISO BMFF `ftyp` brands for HEIF, `%PDF-`),
and a library such as python-magic would bring libmagic's much larger parser for nothing.
"""

import logging
import os
import re
import socket
import struct
import unicodedata
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import quote

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.uploadedfile import UploadedFile
from django.http import Http404
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

logger = logging.getLogger(__name__)

HEAD_BYTES = 64
CLAMD_CHUNK = 64 * 1024


@dataclass(frozen=True)
class FileKind:
    code: str
    label: str
    content_type: str
    extensions: tuple[str, ...]  # the first one is given to the stored file


JPEG = FileKind("jpeg", "JPEG", "image/jpeg", (".jpg", ".jpeg", ".jpe", ".jfif"))
PNG = FileKind("png", "PNG", "image/png", (".png",))
HEIC = FileKind("heic", "HEIC", "image/heic", (".heic", ".heif", ".hif"))
PDF = FileKind("pdf", "PDF", "application/pdf", (".pdf",))
KINDS: dict[str, FileKind] = {kind.code: kind for kind in (JPEG, PNG, HEIC, PDF)}
IMAGES_AND_PDF = frozenset(KINDS)
STORED_EXTENSIONS = frozenset(kind.extensions[0] for kind in KINDS.values())


def private_upload_path(folder: str, filename: str) -> str:
    """Where an upload is stored: a server-made random name in `folder`; the extension is kept
    only when it is one the upload check gives (CheckedFile.server_name), never the person's."""
    extension = os.path.splitext(filename)[1].lower()
    if extension not in STORED_EXTENSIONS:
        extension = ""
    return f"{folder}/{uuid.uuid4().hex}{extension}"


# ISO/IEC 23008-12 (HEIF) brands of still images and sequences made by phones.
HEIF_BRANDS = frozenset(
    {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"hevm", b"hevs", b"mif1", b"msf1"}
)
HEIC_ONLY_BRANDS = HEIF_BRANDS - {b"mif1", b"msf1"}


def _heif_brand(head: bytes) -> bool:
    """An ISO BMFF file whose `ftyp` box names a HEIF brand. The generic brands mif1/msf1 are
    also AVIF's major brand: with them, a HEIC brand must be among the compatible ones."""
    if len(head) < 16 or head[4:8] != b"ftyp":
        return False
    box_size = struct.unpack(">I", head[:4])[0]
    major = head[8:12]
    if major in HEIC_ONLY_BRANDS:
        return True
    if major not in HEIF_BRANDS:
        return False
    compatible = head[16 : min(box_size, len(head))]
    brands = {compatible[i : i + 4] for i in range(0, len(compatible) - 3, 4)}
    return bool(brands & HEIC_ONLY_BRANDS)


def sniff(head: bytes) -> FileKind | None:
    """The kind of a file from its first bytes, or None when it is none of the accepted ones."""
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"%PDF-"):
        return PDF
    if _heif_brand(head):
        return HEIC
    return None


@dataclass(frozen=True)
class UploadRules:
    kinds: frozenset[str] = IMAGES_AND_PDF
    max_bytes: int = 10 * 1024 * 1024
    max_files: int = 20

    @property
    def accept(self) -> str:
        """For `<input type=file accept=…>`: a hint to the browser, never the check itself."""
        parts = []
        for code in sorted(self.kinds):
            kind = KINDS[code]
            parts.extend([kind.content_type, *kind.extensions])
        return ",".join(parts)

    @property
    def kinds_label(self) -> str:
        return ", ".join(KINDS[code].label for code in sorted(self.kinds, key=_kind_order))


def _kind_order(code: str) -> int:
    return list(KINDS).index(code)


@dataclass(frozen=True)
class CheckedFile:
    file: UploadedFile
    kind: FileKind
    original_name: str  # a label: printable, no path, at most 255 characters
    size: int

    def server_name(self) -> str:
        """A stored name that says nothing of the person's: random, with the true extension."""
        return f"{uuid.uuid4().hex}{self.kind.extensions[0]}"

    @property
    def download_name(self) -> str:
        """The label with the extension of what the file really is."""
        stem, _ext = os.path.splitext(self.original_name)
        return f"{stem or 'document'}{self.kind.extensions[0]}"


def clean_original_name(name: str | None) -> str:
    """The base name the browser sent, without a path, control characters or odd Unicode."""
    name = unicodedata.normalize("NFC", name or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable() and ch not in '"<>|:*?')
    name = name.strip(" .")
    if len(name) > 255:
        stem, ext = os.path.splitext(name)
        name = stem[: 255 - len(ext[:16])] + ext[:16]
    return name or "document"


def _read_head(file: UploadedFile) -> bytes:
    file.seek(0)
    head = file.read(HEAD_BYTES)
    file.seek(0)
    return head


def upload_check(file: UploadedFile, *, rules: UploadRules) -> CheckedFile:
    """One file: size, kind by content, extension agreeing with the content, antivirus."""
    name = clean_original_name(file.name)
    size = file.size or 0
    if size == 0:
        raise ValidationError(_("Файл «%(name)s» пустой") % {"name": name}, code="empty")
    if size > rules.max_bytes:
        raise ValidationError(
            _("Файл «%(name)s» больше %(limit)s") % {"name": name, "limit": _size(rules.max_bytes)},
            code="too_large",
        )
    kind = sniff(_read_head(file))
    if kind is None or kind.code not in rules.kinds:
        raise ValidationError(
            _("Файл «%(name)s» не принят: можно загрузить только %(kinds)s")
            % {"name": name, "kinds": rules.kinds_label},
            code="kind",
        )
    extension = os.path.splitext(name)[1].lower()
    if extension not in kind.extensions:
        raise ValidationError(
            _(
                "Файл «%(name)s» не принят: по содержимому это %(kind)s, а имя говорит другое. "
                "Сохраните его заново с правильным расширением (%(ext)s)"
            )
            % {"name": name, "kind": kind.label, "ext": kind.extensions[0]},
            code="extension",
        )
    antivirus_scan(file, name=name)
    return CheckedFile(file=file, kind=kind, original_name=name, size=size)


def uploads_check(
    files: Iterable[UploadedFile], *, rules: UploadRules, already: int = 0
) -> list[CheckedFile]:
    """Several files for one object that has `already` files: the count, then each file. Every
    error is collected, so that the person sees all that is wrong at once."""
    files = list(files)
    if already + len(files) > rules.max_files:
        left = max(rules.max_files - already, 0)
        raise ValidationError(
            _("Можно приложить не больше %(limit)s файлов; сейчас можно добавить ещё %(left)s")
            % {"limit": rules.max_files, "left": left},
            code="too_many",
        )
    checked, errors = [], []
    for file in files:
        try:
            checked.append(upload_check(file, rules=rules))
        except ValidationError as error:
            errors.extend(error.error_list)
    if errors:
        raise ValidationError(errors)
    return checked


def _size(n: int) -> str:
    return str(filesizeformat(n)).replace("\xa0", " ")


# --- Antivirus ------------------------------------------------------------------------------


class AntivirusUnavailable(Exception):
    pass


def antivirus_configured() -> bool:
    return bool(getattr(settings, "CLAMD_SOCKET", "") or getattr(settings, "CLAMD_HOST", ""))


def _clamd_connection() -> socket.socket:
    timeout = getattr(settings, "CLAMD_TIMEOUT", 30)
    path = getattr(settings, "CLAMD_SOCKET", "")
    if path:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(timeout)
        sock.connect(path)
        return sock
    host, port = settings.CLAMD_HOST, getattr(settings, "CLAMD_PORT", 3310)
    return socket.create_connection((host, port), timeout=timeout)


def clamd_instream(chunks: Iterable[bytes]) -> str:
    """Stream bytes to clamd and return its verdict line («stream: OK», «…FOUND»)."""
    try:
        with _clamd_connection() as sock:
            sock.sendall(b"zINSTREAM\0")
            for chunk in chunks:
                if chunk:
                    sock.sendall(struct.pack(">I", len(chunk)) + chunk)
            sock.sendall(struct.pack(">I", 0))
            reply = b""
            while not reply.endswith(b"\0"):
                part = sock.recv(4096)
                if not part:
                    break
                reply += part
    except OSError as error:
        raise AntivirusUnavailable(str(error)) from error
    return reply.rstrip(b"\0").decode("utf-8", "replace").strip()


def antivirus_scan(file: UploadedFile, *, name: str = "") -> None:
    """Refuse the file unless clamd (when configured) says it is clean; without clamd, do
    nothing. A daemon that is down, slow or answers oddly refuses the file: fail closed."""
    if not antivirus_configured():
        return
    file.seek(0)
    try:
        verdict = clamd_instream(iter(lambda: file.read(CLAMD_CHUNK), b""))
    except AntivirusUnavailable:
        verdict = ""
    finally:
        file.seek(0)
    if verdict.endswith("OK") and "FOUND" not in verdict:
        return
    if verdict.endswith("FOUND"):
        raise ValidationError(
            _("Файл «%(name)s» не принят: антивирус нашёл в нём угрозу") % {"name": name},
            code="virus",
        )
    raise ValidationError(
        _(
            "Файл «%(name)s» не удалось проверить антивирусом. "
            "Попробуйте ещё раз через несколько минут"
        )
        % {"name": name},
        code="antivirus_unavailable",
    )


# --- Downloads ------------------------------------------------------------------------------

ASCII_SAFE = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")


def attachment_disposition(filename: str) -> str:
    """`attachment; filename="…"; filename*=UTF-8''…`: an ASCII name for old clients and the exact
    one (RFC 5987) for the rest; neither can carry quotes, CR/LF or a path."""
    filename = clean_original_name(filename)
    stem, ext = os.path.splitext(filename)
    plain_stem = re.sub(r"_+", "_", "".join(ch if ch in ASCII_SAFE else "_" for ch in stem))
    plain_ext = "".join(ch for ch in ext if ch in ASCII_SAFE)
    plain = (plain_stem.strip("._-") or "document") + plain_ext
    return f"attachment; filename=\"{plain}\"; filename*=UTF-8''{quote(filename, safe='')}"


UPLOAD_HELP = gettext_lazy("JPEG, PNG, HEIC или PDF, до %(size)s каждый")


def upload_help(rules: UploadRules) -> str:
    return str(UPLOAD_HELP) % {"size": _size(rules.max_bytes)}


def rules_from_settings(prefix: str) -> UploadRules:
    """UploadRules from `<PREFIX>_UPLOAD_MAX_BYTES` and `<PREFIX>_UPLOAD_MAX_FILES`."""
    defaults = UploadRules()
    return UploadRules(
        kinds=IMAGES_AND_PDF,
        max_bytes=getattr(settings, f"{prefix}_UPLOAD_MAX_BYTES", defaults.max_bytes),
        max_files=getattr(settings, f"{prefix}_UPLOAD_MAX_FILES", defaults.max_files),
    )


def stored_file_open(file) -> File:
    """A stored file (a FileField's value) opened for a download, from whichever storage holds it
    (a bucket, a shared folder): one missing there is «не найден» (404) and an error in the log,
    never a 500 halfway through a download."""
    try:
        return file.open("rb")
    except FileNotFoundError as missing:
        logger.error("stored file %s is missing from the storage", file.name)
        raise Http404(_("Файл не найден в хранилище")) from missing
