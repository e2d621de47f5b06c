"""Fixtures of the employee-list import: two companies, an HR manager of the first, an operator,
and builders of list files in every accepted shape (and some hostile ones)."""

import csv
import datetime
import io

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from openpyxl import Workbook

from employers.columns import HEADERS
from employers.models import EmployerManager, ImportBatch
from employers.selectors import HR_GROUP, OPERATOR_GROUP
from employers.services.checking import import_batch_check
from employers.services.uploads import import_batch_upload
from tests.conftest import staff_login
from tests.factories import ContractFactory, ProgramFactory, StaffUserFactory


def today() -> datetime.date:
    return timezone.localdate()


def ru(day: datetime.date) -> str:
    return day.strftime("%d.%m.%Y")


@pytest.fixture
def contract(db):
    """ООО «Ромашка»'s contract: a base program and one with ВЗР."""
    contract = ContractFactory(
        starts_on=today() - datetime.timedelta(days=100),
        ends_on=today() + datetime.timedelta(days=265),
    )
    ProgramFactory(contract=contract, code="БАЗ", includes_vzr=False)
    ProgramFactory(contract=contract, code="ВЗР+", includes_vzr=True)
    return contract


@pytest.fixture
def other_contract(db):
    """Another company's contract."""
    contract = ContractFactory()
    ProgramFactory(contract=contract, code="БАЗ")
    return contract


@pytest.fixture
def hr_user(contract):
    user = StaffUserFactory(email="hr.manager@example.com")
    user.groups.add(Group.objects.get(name=HR_GROUP))
    EmployerManager.objects.create(user=user, policyholder=contract.policyholder)
    return user


@pytest.fixture
def hr_client(client, hr_user):
    return staff_login(client, hr_user)


@pytest.fixture
def operator_user(db):
    user = StaffUserFactory(email="operator.one@example.com")
    user.groups.add(Group.objects.get(name=OPERATOR_GROUP))
    return user


@pytest.fixture
def operator_client(client, operator_user):
    return staff_login(client, operator_user)


def email_for(number: str) -> str:
    return "p" + "".join(ch for ch in number if ch.isdigit()) + "@example.com"


def person_row(number: str, **overrides) -> dict:
    """A valid employee row of the default contract, as an HR manager would type it."""
    row = {
        "Номер полиса": number,
        "Фамилия": "Иванов",
        "Имя": "Пётр",
        "Отчество": "Сергеевич",
        "Дата рождения": "12.04.1988",
        "Электронная почта": email_for(number),
        "Телефон": "+7 916 123-45-67",
        "Код программы": "БАЗ",
        "Дата начала": "",
        "Дата окончания": "",
        "Кем приходится": "сотрудник",
        "Номер полиса родителя": "",
    }
    row.update(overrides)
    return row


def child_row(number: str, parent: str, **overrides) -> dict:
    return person_row(
        number,
        **{
            "Имя": "Маша",
            "Дата рождения": ru(today() - datetime.timedelta(days=8 * 365)),
            "Электронная почта": "",
            "Телефон": "",
            "Кем приходится": "ребёнок",
            "Номер полиса родителя": parent,
            **overrides,
        },
    )


def csv_bytes(
    rows: list[dict], *, delimiter: str = ";", encoding: str = "utf-8-sig", headers=None
) -> bytes:
    headers = headers or HEADERS
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(headers)
    for row in rows:
        writer.writerow([row.get(h, "") for h in headers])
    return buffer.getvalue().encode(encoding)


def xlsx_bytes(rows: list[dict], *, headers=None, typed: bool = False) -> bytes:
    """An XLSX list; `typed` writes dates as date cells, as Excel does when a date is typed."""
    headers = headers or HEADERS
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(headers)
    for row in rows:
        values = []
        for header in headers:
            value = row.get(header, "")
            if typed and header.startswith("Дата") and value:
                value = datetime.datetime.strptime(value, "%d.%m.%Y")
            values.append(value)
        sheet.append(values)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def upload_file(content: bytes, name: str = "spisok.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def checked_batch(
    contract, user, content: bytes, name: str = "spisok.csv", effective=None
) -> ImportBatch:
    """Upload and check a list through the services, as the Celery task would."""
    batch = import_batch_upload(
        contract=contract,
        user=user,
        uploaded=upload_file(content, name),
        effective_date=effective or today(),
    )
    return import_batch_check(batch_id=batch.pk)
