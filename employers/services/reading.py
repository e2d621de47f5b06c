"""Reading an uploaded employee list: what it is (by content, not by name) and its rows, streamed.

Neither reader holds the file in memory: CSV goes through a csv reader over a text wrapper of the
stored file, XLSX through openpyxl's read-only mode (which streams the sheet's XML). An XLSX is a
zip archive: its declared sizes are checked before anything is decompressed, and Python's zipfile
never inflates a member past its declared size, so the caps below bound the work a hostile archive
can cause.
"""

import codecs
import csv
import datetime
import io
import re
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any
from xml.etree.ElementTree import ParseError

from django.conf import settings
from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

ZIP_MAGIC = b"PK\x03\x04"
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # XLS of Excel 97–2003, or an encrypted XLSX
SNIFF_BYTES = 64 * 1024
CHUNK_BYTES = 1024 * 1024
MAX_ZIP_MEMBERS = 2000
# A member that inflates more than this many times is a bomb, not a spreadsheet (sheet XML
# compresses about 10–20 times).
MAX_ZIP_RATIO = 200
MAX_COLUMNS = 64
# Control characters other than tab, line feed and carriage return: a text list has none.
CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# What openpyxl and zipfile raise on a damaged or crafted workbook.
XLSX_DAMAGE = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    zlib.error,
    InvalidFileException,
    ParseError,
    KeyError,
    ValueError,
    TypeError,
    IndexError,
    AttributeError,
    EOFError,
    OSError,
)

Cell = str | datetime.date | datetime.datetime | int | float | bool | None


class ListFileError(Exception):
    """The file as a whole cannot be read; the message says why, in Russian, for the HR manager."""


@dataclass(frozen=True)
class Sniffed:
    file_format: str  # "csv" or "xlsx"
    encoding: str = ""
    delimiter: str = ""


def max_upload_bytes() -> int:
    return settings.EMPLOYERS_IMPORT_MAX_BYTES


def _megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:.0f}"


def sniff(fileobj: IO[bytes], *, size: int) -> Sniffed:
    """What the upload is, judged by its bytes; ListFileError for anything but CSV or XLSX."""
    if size == 0:
        raise ListFileError(_("Файл пуст."))
    if size > max_upload_bytes():
        raise ListFileError(
            _("Файл больше %(limit)s МБ. Разделите список на части или сохраните его в XLSX.")
            % {"limit": _megabytes(max_upload_bytes())}
        )
    fileobj.seek(0)
    head = fileobj.read(SNIFF_BYTES)
    fileobj.seek(0)
    if head.startswith(ZIP_MAGIC):
        _xlsx_check(fileobj)
        return Sniffed("xlsx")
    if head.startswith(OLE2_MAGIC):
        raise ListFileError(
            _(
                "Это файл Excel 97–2003 (XLS) или зашифрованная книга. Сохраните список как XLSX "
                "или CSV без пароля."
            )
        )
    encoding = _text_encoding(fileobj)
    delimiter = _delimiter(fileobj, encoding)
    return Sniffed("csv", encoding=encoding, delimiter=delimiter)


def _not_a_list() -> ListFileError:
    return ListFileError(
        _("Файл не похож на таблицу CSV или XLSX. Загрузите список по шаблону с этой страницы.")
    )


def _text_encoding(fileobj: IO[bytes]) -> str:
    """UTF-8 (with or without BOM) when the whole file decodes so, else Windows-1251; a file with
    NUL or other control bytes is binary, whatever its name."""
    for encoding in ("utf-8-sig", "cp1251"):
        decoder = codecs.getincrementaldecoder(encoding)()
        fileobj.seek(0)
        try:
            while chunk := fileobj.read(CHUNK_BYTES):
                _refuse_controls(decoder.decode(chunk))
            _refuse_controls(decoder.decode(b"", final=True))
        except UnicodeDecodeError:
            continue
        finally:
            fileobj.seek(0)
        return "utf-8-sig" if encoding == "utf-8-sig" else "cp1251"
    raise _not_a_list()


def _refuse_controls(text: str) -> None:
    if CONTROL_CHARS.search(text):
        raise _not_a_list()


def _delimiter(fileobj: IO[bytes], encoding: str) -> str:
    """`;` or `,` (or a tab), sniffed from the header line and confirmed by counting."""
    text = io.TextIOWrapper(fileobj, encoding=encoding, newline="")
    try:
        header = text.readline(SNIFF_BYTES)
    finally:
        text.detach()
        fileobj.seek(0)
    if not header.strip():
        raise ListFileError(_("В первой строке файла нет заголовков столбцов."))
    try:
        found = csv.Sniffer().sniff(header, delimiters=";,\t").delimiter
    except csv.Error:
        found = ""
    counts = {d: header.count(d) for d in (";", ",", "\t")}
    if not found or counts.get(found, 0) < max(counts.values()):
        found = max(counts, key=counts.__getitem__)
    if counts[found] == 0:
        raise ListFileError(_("Не удалось определить разделитель столбцов: ожидается «;» или «,»."))
    return found


def _xlsx_check(fileobj: IO[bytes]) -> None:
    damaged = ListFileError(_("Файл XLSX повреждён или не является книгой Excel."))
    cap = settings.EMPLOYERS_IMPORT_MAX_UNCOMPRESSED_BYTES
    try:
        with zipfile.ZipFile(fileobj) as archive:
            members = archive.infolist()
            names = {info.filename for info in members}
            if len(members) > MAX_ZIP_MEMBERS:
                raise damaged
            if not {"[Content_Types].xml", "xl/workbook.xml"} <= names:
                raise damaged
            if any(info.flag_bits & 0x1 for info in members):
                raise ListFileError(_("Книга защищена паролем. Снимите защиту и загрузите снова."))
            total = sum(info.file_size for info in members)
            bomb = total > cap or any(
                info.file_size > CHUNK_BYTES
                and info.file_size > MAX_ZIP_RATIO * max(info.compress_size, 1)
                for info in members
            )
            if bomb:
                raise ListFileError(
                    _(
                        "Архив XLSX разворачивается в слишком большой объём (больше %(limit)s МБ "
                        "или в %(ratio)s раз больше сжатого). Такой файл не принимается."
                    )
                    % {"limit": _megabytes(cap), "ratio": MAX_ZIP_RATIO}
                )
        fileobj.seek(0)
        workbook = load_workbook(fileobj, read_only=True, data_only=False)
        try:
            if not workbook.worksheets:
                raise damaged
        finally:
            workbook.close()
    except XLSX_DAMAGE as exc:
        raise damaged from exc
    finally:
        fileobj.seek(0)


@dataclass
class RowStream:
    """Rows of the list as (row number, cells), the header being row 1; `progress()` is 0..1."""

    rows: Iterator[tuple[int, list[Cell]]]
    progress_of: Any

    def progress(self) -> float:
        return min(max(float(self.progress_of()), 0.0), 1.0)


def read_rows(fileobj: IO[bytes], sniffed: Sniffed, *, size: int) -> RowStream:
    if sniffed.file_format == "xlsx":
        return _xlsx_rows(fileobj)
    return _csv_rows(fileobj, sniffed, size=size)


def _csv_rows(fileobj: IO[bytes], sniffed: Sniffed, *, size: int) -> RowStream:
    fileobj.seek(0)
    text = io.TextIOWrapper(fileobj, encoding=sniffed.encoding, newline="")
    reader = csv.reader(text, delimiter=sniffed.delimiter)

    def rows() -> Iterator[tuple[int, list[Cell]]]:
        number = 0
        try:
            for record in reader:
                number += 1
                yield number, list(record[:MAX_COLUMNS])
        except csv.Error as exc:
            raise ListFileError(
                _("Строка %(row)s не читается как CSV (%(reason)s).")
                % {"row": number + 1, "reason": exc}
            ) from exc
        except UnicodeDecodeError as exc:
            raise ListFileError(
                _("Файл содержит байты не в кодировке UTF-8/Windows-1251.")
            ) from exc

    def progress() -> float:
        try:
            return fileobj.tell() / size if size else 1.0
        except (OSError, ValueError):
            return 0.0

    return RowStream(rows(), progress)


def _xlsx_rows(fileobj: IO[bytes]) -> RowStream:
    fileobj.seek(0)
    try:
        workbook = load_workbook(fileobj, read_only=True, data_only=False)
        sheet = workbook.worksheets[0]
        declared = sheet.max_row or 0
    except XLSX_DAMAGE as exc:
        raise ListFileError(_("Файл XLSX повреждён или не является книгой Excel.")) from exc
    state = {"row": 0}

    def rows() -> Iterator[tuple[int, list[Cell]]]:
        try:
            for number, values in enumerate(
                sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS), start=1
            ):
                state["row"] = number
                yield number, list(values)
        except XLSX_DAMAGE as exc:
            raise ListFileError(
                _("Файл XLSX повреждён: строка %(row)s не читается.") % {"row": state["row"] + 1}
            ) from exc
        finally:
            workbook.close()

    def progress() -> float:
        return state["row"] / declared if declared else 0.0

    return RowStream(rows(), progress)
