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
