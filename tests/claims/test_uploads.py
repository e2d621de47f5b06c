"""The reusable upload checker (portal.core.uploads): kind by content, names, limits, clamd."""

import socket
import struct
import threading

import pytest
from django.core.exceptions import ValidationError

from portal.core.uploads import (
    UploadRules,
    antivirus_scan,
    attachment_disposition,
    clean_original_name,
    sniff,
    upload_check,
    uploads_check,
)

from .conftest import EXE, HEIC, JPEG, PDF, PNG, upload

RULES = UploadRules(max_bytes=1024, max_files=3)
EICAR = b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"


@pytest.mark.parametrize(
    ("content", "kind"),
    [(JPEG, "jpeg"), (PNG, "png"), (PDF, "pdf"), (HEIC, "heic"), (EXE, None), (b"", None)],
)
def test_kind_is_read_from_the_first_bytes(content, kind):
    found = sniff(content[:64])
    assert (found.code if found else None) == kind


def test_avif_is_not_taken_for_heic():
    avif = b"\x00\x00\x00\x1cftypavif\x00\x00\x00\x00avifmif1miaf" + b"\x00" * 20
    generic_avif = b"\x00\x00\x00\x1cftypmif1\x00\x00\x00\x00mif1avifmiaf" + b"\x00" * 20
    assert sniff(avif) is None
    assert sniff(generic_avif) is None


@pytest.mark.parametrize(
    ("name", "content"),
    [("photo.jpg", JPEG), ("IMG_0042.JPEG", JPEG), ("scan.png", PNG), ("act.pdf", PDF),
     ("IMG_1234.HEIC", HEIC)],
)  # fmt: skip
def test_accepted_files(name, content):
    checked = upload_check(upload(name, content), rules=RULES)
    assert checked.original_name == name
    server_name = checked.server_name()
    assert name.split(".")[0] not in server_name
    assert server_name.endswith(checked.kind.extensions[0])


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("photo.jpg", PDF, "extension"),  # a PDF named .jpg
        ("photo.jpg", EXE, "kind"),  # a program named .jpg
        ("virus.exe", EXE, "kind"),
        ("document.pdf", JPEG, "extension"),
        ("photo", JPEG, "extension"),  # no extension to agree with
        ("photo.jpg.exe", JPEG, "extension"),
        ("page.html", b"<html><script>alert(1)</script></html>", "kind"),
    ],
)
def test_a_lying_or_unknown_file_is_refused(name, content, code):
    # the browser's Content-Type is never believed
    with pytest.raises(ValidationError) as refused:
        upload_check(upload(name, content, "image/jpeg"), rules=RULES)
    assert refused.value.code == code
    assert "не принят" in refused.value.messages[0]


def test_size_limits():
    with pytest.raises(ValidationError) as too_big:
        upload_check(upload("big.jpg", JPEG + b"\x00" * 1024), rules=RULES)
    assert too_big.value.code == "too_large"
    assert "больше 1,0" in too_big.value.messages[0]
    with pytest.raises(ValidationError) as empty:
        upload_check(upload("empty.jpg", b""), rules=RULES)
    assert empty.value.code == "empty"


def test_count_limit_counts_the_files_already_there():
    files = [upload(f"{n}.jpg", JPEG) for n in range(2)]
    assert len(uploads_check(files, rules=RULES, already=1)) == 2
    with pytest.raises(ValidationError) as too_many:
        uploads_check(files, rules=RULES, already=2)
    assert "не больше 3" in too_many.value.messages[0]
    assert "ещё 1" in too_many.value.messages[0]


def test_every_bad_file_is_named_at_once():
    files = [upload("a.jpg", PDF), upload("b.png", PNG), upload("c.jpg", EXE)]
    with pytest.raises(ValidationError) as refused:
        uploads_check(files, rules=RULES)
    text = " ".join(refused.value.messages)
    assert "«a.jpg»" in text and "«c.jpg»" in text and "b.png" not in text


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("C:\\Users\\me\\Desktop\\фото.jpg", "фото.jpg"),
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ('a"b\r\nc.pdf', "abc.pdf"),
        ("", "document"),
        ("x" * 300 + ".pdf", "x" * 251 + ".pdf"),
    ],
)
def test_original_names_are_labels_only(raw, clean):
    assert clean_original_name(raw) == clean


def test_content_disposition_is_an_attachment_with_a_safe_name():
    value = attachment_disposition('Фото "ДТП"\r\n.jpg')
    assert value.startswith('attachment; filename="')
    assert "\r" not in value and "\n" not in value
    plain = value.split('filename="')[1].split('"')[0]
    assert plain.isascii() and plain.endswith(".jpg")
    assert "filename*=UTF-8''%D0%A4%D0%BE%D1%82%D0%BE" in value


# --- clamd: a real local peer speaking its INSTREAM protocol --------------------------------


class FakeClamd:
    """A loopback clamd: reads «zINSTREAM», the length-prefixed chunks, answers like clamd."""

    def __init__(self):
        self.server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.server.bind(("127.0.0.1", 0))
        self.server.listen(4)
        self.port = self.server.getsockname()[1]
        self.scanned: list[bytes] = []
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def _read(self, conn, n: int) -> bytes:
        data = b""
        while len(data) < n:
            part = conn.recv(n - len(data))
            if not part:
                raise ConnectionError
            data += part
        return data

    def serve(self):
        while True:
            try:
                conn, _addr = self.server.accept()
            except OSError:
                return
            with conn:
                command = b""
                while not command.endswith(b"\0"):
                    command += conn.recv(1)
                assert command == b"zINSTREAM\0"
                payload = b""
                while True:
                    (size,) = struct.unpack(">I", self._read(conn, 4))
                    if size == 0:
                        break
                    payload += self._read(conn, size)
                self.scanned.append(payload)
                verdict = (
                    b"stream: Eicar-Signature FOUND\0" if EICAR in payload else b"stream: OK\0"
                )
                conn.sendall(verdict)

    def close(self):
        self.server.close()


@pytest.fixture
def clamd(settings):
    peer = FakeClamd()
    settings.CLAMD_SOCKET = ""
    settings.CLAMD_HOST = "127.0.0.1"
    settings.CLAMD_PORT = peer.port
    settings.CLAMD_TIMEOUT = 5
    yield peer
    peer.close()


def test_clean_files_pass_the_antivirus(clamd):
    checked = upload_check(upload("act.pdf", PDF), rules=RULES)
    assert checked.kind.code == "pdf"
    assert clamd.scanned == [PDF]


def test_an_infected_file_is_refused(clamd):
    with pytest.raises(ValidationError) as refused:
        upload_check(upload("act.pdf", PDF[:40] + EICAR), rules=RULES)
    assert refused.value.code == "virus"


def test_antivirus_fails_closed_when_it_cannot_be_reached(settings):
    # given: clamd configured on a port where nobody listens
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        free_port = probe.getsockname()[1]
    settings.CLAMD_HOST, settings.CLAMD_PORT, settings.CLAMD_TIMEOUT = "127.0.0.1", free_port, 2

    with pytest.raises(ValidationError) as refused:
        antivirus_scan(upload("photo.jpg", JPEG), name="photo.jpg")
    assert refused.value.code == "antivirus_unavailable"


def test_without_clamd_configured_nothing_is_scanned(settings):
    settings.CLAMD_SOCKET = settings.CLAMD_HOST = ""
    antivirus_scan(upload("photo.jpg", JPEG), name="photo.jpg")  # no error, no connection
