"""The import pages of a contract in the admin, as an HR manager goes through them."""

import pytest
from django.urls import reverse

from employers.models import ImportBatch
from policies.models import InsuredPerson
from portal.core.models import AuditLogEntry

from .conftest import csv_bytes, person_row, today, upload_file, xlsx_bytes


def import_url(contract, name: str = "policies_contract_import", *args) -> str:
    return reverse(f"admin:{name}", args=[contract.pk, *args])


def upload(client, contract, content: bytes, name: str, capture, **extra):
    with capture(execute=True):
        return client.post(
            import_url(contract),
            {"file": upload_file(content, name), "effective_date": today().strftime("%d.%m.%Y")},
            **extra,
        )


def test_hr_uploads_sees_the_diff_and_applies(
    hr_client, contract, django_capture_on_commit_callbacks, mailoutbox
):
    # given: the upload page with the company's cabinet figures and the templates
    page = hr_client.get(import_url(contract))
    assert page.status_code == 200
    content = page.content.decode()
    assert "Загрузить список" in content
    assert "активировали кабинет" in content
    assert import_url(contract, "policies_contract_import_template", "xlsx") in content

    # when: a list is uploaded (the check runs after the commit, as a task)
    rows = [person_row("В-0001"), person_row("В-0002", **{"Фамилия": "Кузнецова"})]
    response = upload(
        hr_client, contract, csv_bytes(rows), "spisok.csv", django_capture_on_commit_callbacks
    )

    # then: the batch page shows what would be added, and nothing is written yet
    batch = ImportBatch.objects.get()
    assert response.status_code == 302
    assert response["Location"] == import_url(contract, "policies_contract_import_batch", batch.pk)
    page = hr_client.get(response["Location"])
    assert page.status_code == 200
    content = page.content.decode()
    assert "Будут добавлены" in content
    assert "Кузнецова" in content
    assert "Применить изменения" in content
    assert not InsuredPerson.objects.filter(contract=contract).exists()

    # when: applied
    with django_capture_on_commit_callbacks(execute=True):
        response = hr_client.post(import_url(contract, "policies_contract_import_apply", batch.pk))

    # then: the register has them, the invitations went out once
    assert response.status_code == 302
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.APPLIED
    assert InsuredPerson.objects.filter(contract=contract).count() == 2
    assert len(mailoutbox) == 2
    content = hr_client.get(response["Location"]).content.decode()
    assert "Применено: добавлено 2" in content


def test_an_xlsx_with_errors_shows_them_and_offers_to_skip(
    hr_client, contract, django_capture_on_commit_callbacks
):
    rows = [person_row("В-0001"), person_row("В-0002", **{"Электронная почта": "нет"})]
    upload(hr_client, contract, xlsx_bytes(rows), "spisok.xlsx", django_capture_on_commit_callbacks)
    batch = ImportBatch.objects.get()

    content = hr_client.get(
        import_url(contract, "policies_contract_import_batch", batch.pk)
    ).content.decode()

    assert "неверный адрес электронной почты" in content
    assert "Пропустить строки с ошибками" in content
    errors = hr_client.get(import_url(contract, "policies_contract_import_errors", batch.pk))
    assert errors.status_code == 200
    assert errors["Content-Disposition"] == f'attachment; filename="oshibki-spiska-{batch.pk}.csv"'
    assert "неверный адрес" in b"".join(errors.streaming_content).decode()

    # applying without the skip is refused with a message, and writes nothing
    with django_capture_on_commit_callbacks(execute=True):
        hr_client.post(import_url(contract, "policies_contract_import_apply", batch.pk))
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.CHECKED
    with django_capture_on_commit_callbacks(execute=True):
        hr_client.post(
            import_url(contract, "policies_contract_import_apply", batch.pk), {"skip_invalid": "on"}
        )
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.APPLIED
    assert InsuredPerson.objects.filter(contract=contract).count() == 1


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"MZ\x90\x00" + b"\x00" * 100, "spisok.csv", "не похож на таблицу"),
        (b"PK\x03\x04garbage" * 10, "spisok.xlsx", "повреждён"),
    ],
    ids=["renamed-exe", "broken-xlsx"],
)
def test_a_hostile_upload_gets_a_clear_message_and_changes_nothing(
    hr_client, contract, django_capture_on_commit_callbacks, content, name, message
):
    response = upload(hr_client, contract, content, name, django_capture_on_commit_callbacks)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not ImportBatch.objects.exists()


def test_an_oversize_upload_is_refused_before_it_is_read(
    hr_client, contract, settings, django_capture_on_commit_callbacks
):
    settings.EMPLOYERS_IMPORT_MAX_BYTES = 10 * 1024
    content = csv_bytes([person_row(f"В-{n:05d}") for n in range(3000)])
    assert len(content) > 10 * 1024 + 256 * 1024

    response = upload(hr_client, contract, content, "big.csv", django_capture_on_commit_callbacks)

    assert response.status_code == 413
    assert "Файл больше" in response.content.decode()
    assert not ImportBatch.objects.exists()


def test_an_upload_just_over_the_limit_is_stopped_while_read(
    hr_client, contract, settings, django_capture_on_commit_callbacks
):
    settings.EMPLOYERS_IMPORT_MAX_BYTES = 10 * 1024
    content = csv_bytes([person_row(f"В-{n:05d}") for n in range(200)])
    assert 10 * 1024 < len(content) < 10 * 1024 + 256 * 1024

    response = upload(hr_client, contract, content, "big.csv", django_capture_on_commit_callbacks)

    assert response.status_code == 413
    assert not ImportBatch.objects.exists()


def test_templates_download_and_the_current_list_export_is_audited(hr_client, hr_user, contract):
    empty = hr_client.get(import_url(contract, "policies_contract_import_template", "xlsx"))
    assert empty.status_code == 200
    assert empty["Content-Disposition"].startswith("attachment;")
    assert not AuditLogEntry.objects.exists()

    current = hr_client.get(
        import_url(contract, "policies_contract_import_template", "csv") + "?current=1"
    )

    assert current.status_code == 200
    assert b"".join(current.streaming_content).decode().lstrip("\ufeff").startswith("Номер полиса;")
    entry = AuditLogEntry.objects.get()
    assert (entry.staff_user, entry.action) == (hr_user, AuditLogEntry.Action.EXPORT)


def test_the_contract_page_links_to_the_import(hr_client, contract):
    page = hr_client.get(reverse("admin:policies_contract_change", args=[contract.pk]))

    assert page.status_code == 200
    assert import_url(contract) in page.content.decode()


def test_a_running_batch_shows_its_progress_and_refreshes_without_scripts(
    hr_client, hr_user, contract
):
    from employers.progress import progress_set
    from employers.services.uploads import import_batch_upload

    batch = import_batch_upload(
        contract=contract,
        user=hr_user,
        uploaded=upload_file(csv_bytes([person_row("В-0001")])),
        effective_date=today(),
    )  # queued: the check runs after the commit, which this test never makes
    progress_set(batch.pk, phase="check", done=420, total=1000)

    page = hr_client.get(import_url(contract, "policies_contract_import_batch", batch.pk))

    content = page.content.decode()
    assert '<meta http-equiv="refresh" content="2">' in content
    assert '<progress class="import-meter" max="100" value="42"' in content
    assert "Файл проверяется" in content
    assert "<script>" not in content  # CSP: no inline scripts


def test_a_1c_list_with_newcomers_shows_numbers_to_assign_and_gives_them_back(
    hr_client, hr_user, contract, django_capture_on_commit_callbacks
):
    import datetime
    import io

    from openpyxl import load_workbook

    from tests.factories import InsuredPersonFactory

    from .test_import_hr_lists import one_c_xlsx

    bride = InsuredPersonFactory(
        contract=contract,
        program=contract.programs.get(code="БАЗ"),
        policy_number="Д-0500",
        personnel_number="00017",
        last_name="Смирнова",
        first_name="Анна",
        middle_name="Петровна",
        birth_date=datetime.date(1990, 5, 1),
        starts_on=contract.starts_on,
        ends_on=contract.ends_on,
    )
    # given: both templates are offered
    page = hr_client.get(import_url(contract)).content.decode()
    one_c = import_url(contract, "policies_contract_import_template", "xlsx") + "?layout=1c"
    assert one_c in page
    template = hr_client.get(one_c)
    sheet = load_workbook(io.BytesIO(b"".join(template.streaming_content))).active
    assert [c.value for c in next(sheet.iter_rows(min_row=3, max_row=3))][:2] == [
        "Табельный номер",
        "ФИО",
    ]

    # when: a 1С list with two newcomers and a changed surname is uploaded
    content = one_c_xlsx(
        [
            [
                "00017",
                "Кузнецова Анна Петровна",
                datetime.datetime(1990, 5, 1),
                "",
                bride.email,
                "БАЗ",
            ],
            ["00031", "Мамедов Эльчин Рашид оглы", 32874, "Склад", "", "БАЗ"],
            ["00032", "Орлова Ольга Ивановна", "03.03.1995", "Склад", "", "БАЗ"],
        ],
        headers=[
            "Таб. №",
            "ФИО",
            "Дата рождения",
            "Подразделение",
            "Электронная почта",
            "Код программы",
        ],
    )
    response = upload(hr_client, contract, content, "1c.xlsx", django_capture_on_commit_callbacks)
    page = hr_client.get(response["Location"]).content.decode()

    # then: «добавить» ×2 with numbers to be assigned, «изменить» ×1
    batch = ImportBatch.objects.get()
    assert (batch.to_add, batch.to_change, batch.rows_invalid) == (2, 1, 0), batch.message
    assert page.count("будет присвоен") == 2
    assert "Кузнецова" in page and "Смирнова" in page

    with django_capture_on_commit_callbacks(execute=True):
        response = hr_client.post(import_url(contract, "policies_contract_import_apply", batch.pk))
    page = hr_client.get(response["Location"]).content.decode()
    assert "Присвоено номеров полисов: 2" in page
    listed = import_url(contract, "policies_contract_import_list", batch.pk, "csv")
    assert listed in page
    text = b"".join(hr_client.get(listed).streaming_content).decode()
    assert f"{contract.number}-000001;Мамедов;Эльчин;Рашид оглы;01.01.1990" in text
    assert f"{contract.number}-000002;Орлова" in text
    assert "Д-0500;Кузнецова;Анна" in text
    assert AuditLogEntry.objects.filter(staff_user=hr_user).exists()


def test_unrecognised_columns_are_mapped_once_and_remembered_for_the_employer(
    hr_client, hr_user, contract, django_capture_on_commit_callbacks
):
    from employers.models import ColumnMapping

    headers = ["Фамилия работника", "Имя", "Дата рожд-я", "Код программы", "Примечание"]
    content = (";".join(headers) + "\n" + "Иванов;Пётр;12.04.1988;БАЗ;новый\n").encode("utf-8")

    # when: a list with headers the import does not know is uploaded
    response = upload(
        hr_client, contract, content, "spisok.csv", django_capture_on_commit_callbacks
    )
    batch = ImportBatch.objects.get()

    # then: refused for the missing columns, and HR is asked what each unknown column holds
    assert batch.status == ImportBatch.Status.REJECTED
    assert batch.unknown_headers == ["Фамилия работника", "Дата рожд-я", "Примечание"]
    page = hr_client.get(response["Location"]).content.decode()
    assert "Нераспознанные столбцы" in page

    # when: the fields are chosen (the note left out)
    columns = import_url(contract, "policies_contract_import_columns", batch.pk)
    with django_capture_on_commit_callbacks(execute=True):
        hr_client.post(columns, {"column_0": "last_name", "column_1": "birth_date", "column_2": ""})

    # then: the list is checked again with them, and they are kept for the employer
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.CHECKED, batch.message
    assert (batch.to_add, batch.rows_invalid, batch.unknown_headers) == (1, 0, [])
    assert ColumnMapping.objects.filter(policyholder=contract.policyholder).count() == 3

    # and the next upload of the same layout needs no mapping
    upload(hr_client, contract, content, "spisok2.csv", django_capture_on_commit_callbacks)
    again = ImportBatch.objects.latest("pk")
    assert again.status == ImportBatch.Status.CHECKED and again.unknown_headers == []


def test_a_mapping_with_one_field_twice_is_refused_in_russian(
    hr_client, contract, django_capture_on_commit_callbacks
):
    headers = ["Фам.", "Имя2", "Имя", "Дата рождения", "Код программы"]
    content = (";".join(headers) + "\nИванов;Пётр;Пётр;12.04.1988;БАЗ\n").encode("utf-8")
    upload(hr_client, contract, content, "spisok.csv", django_capture_on_commit_callbacks)
    batch = ImportBatch.objects.get()
    columns = import_url(contract, "policies_contract_import_columns", batch.pk)

    response = hr_client.post(
        columns, {"column_0": "last_name", "column_1": "last_name"}, follow=True
    )

    assert "Одно поле выбрано для двух столбцов." in response.content.decode()
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.REJECTED


def test_the_administrator_corrects_or_forgets_a_column_mapping_on_the_company_page(
    client, contract
):
    from django.contrib.auth.models import Group

    from employers.models import ColumnMapping
    from portal.core import roles
    from tests.conftest import staff_login
    from tests.factories import StaffUserFactory

    wrong = ColumnMapping.objects.create(
        policyholder=contract.policyholder, header="отдел", field="personnel_number"
    )
    administrator = StaffUserFactory()
    administrator.groups.add(Group.objects.get(name=roles.ADMINISTRATOR))
    staff_login(client, administrator)
    url = reverse("admin:policies_policyholder_change", args=[contract.policyholder.pk])

    # the company's page lists what its HR chose
    page = client.get(url).content.decode()
    assert "Столбцы списков, сопоставленные HR-менеджерами" in page
    assert "отдел" in page

    # when: the administrator sets the right field
    form = client.get(url).context["adminform"].form
    data = {
        "name": form.initial["name"],
        "inn": form.initial["inn"],
        **{f"{prefix}-TOTAL_FORMS": "0" for prefix in ("contracts", "managers")},
        **{f"{prefix}-INITIAL_FORMS": "0" for prefix in ("contracts", "managers")},
        "column_mappings-TOTAL_FORMS": "1",
        "column_mappings-INITIAL_FORMS": "1",
        "column_mappings-0-id": str(wrong.pk),
        "column_mappings-0-policyholder": str(contract.policyholder.pk),
        "column_mappings-0-field": "department",
    }
    response = client.post(url, data)

    # then: it is kept
    assert response.status_code == 302, response.context and response.context["errors"]
    wrong.refresh_from_db()
    assert wrong.field == "department"
