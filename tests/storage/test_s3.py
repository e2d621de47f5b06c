"""Files on a real S3-compatible server (moto's server mode): uploads and policy PDFs go to the
bucket and come back from it on any instance; a PDF gone from the bucket is made again once."""

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse

from policies import services as policy_services
from policies.models import PolicyDocument
from tests.claims.conftest import JPEG, photo, submit

from .conftest import fresh_instance

pytestmark = pytest.mark.django_db


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def test_a_file_is_uploaded_read_back_and_deleted(bucket):
    name = default_storage.save("checks/probe.txt", ContentFile("Проверка хранилища".encode()))

    assert bucket.keys() == [name]
    fresh_instance()
    with default_storage.open(name, "rb") as stored:
        assert stored.read().decode() == "Проверка хранилища"
    default_storage.delete(name)
    assert bucket.keys() == []
    assert not default_storage.exists(name)


def test_an_attachment_uploaded_on_one_instance_is_served_by_another(bucket, client, person, kasko):
    # given: a claim with a photo, uploaded through the storage of "this" instance
    claim = submit(person, kasko, documents=[("photos", photo("Фото ДТП.jpg"))])
    document = claim.documents.get()
    assert bucket.keys() == [document.file.name]
    assert bucket.read(document.file.name) == photo().read()

    # when: another instance, with nothing in memory, serves the download
    fresh_instance()
    client.force_login(person)
    response = client.get(reverse("claims:document_download", args=[claim.pk, document.pk]))

    # then
    assert response.status_code == 200
    assert body(response) == JPEG


def test_an_attachment_missing_from_the_bucket_is_not_found_not_a_server_error(
    bucket, client, person, kasko
):
    claim = submit(person, kasko)
    document = claim.documents.get()
    bucket.delete(document.file.name)
    client.force_login(person)

    response = client.get(reverse("claims:document_download", args=[claim.pk, document.pk]))

    assert response.status_code == 404


@pytest.fixture
def renders(monkeypatch):
    """Counts the PDFs actually rendered (WeasyPrint runs), whatever queued them."""
    made = []
    real = policy_services.policy_pdf_bytes

    def counting(*args, **kwargs):
        made.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(policy_services, "policy_pdf_bytes", counting)
    return made


def test_a_policy_pdf_is_rendered_into_the_bucket_and_downloaded_from_it(
    bucket, person_client, dms_policy, renders, django_capture_on_commit_callbacks
):
    url = reverse("policies:pdf", args=[dms_policy.pk])
    with django_capture_on_commit_callbacks(execute=True):
        person_client.get(url)

    document = PolicyDocument.objects.get(policy=dms_policy)
    assert document.status == PolicyDocument.Status.READY
    assert bucket.keys() == [document.file.name]
    assert bucket.read(document.file.name).startswith(b"%PDF")

    fresh_instance()
    response = person_client.get(url)
    assert response["Content-Type"] == "application/pdf"
    assert body(response) == bucket.read(document.file.name)
    assert len(renders) == 1


def test_a_ready_pdf_missing_from_the_bucket_is_made_again_once_not_on_every_poll(
    bucket, person_client, dms_policy, renders, django_capture_on_commit_callbacks
):
    # given: a ready PDF, then its file gone from the bucket (another host's disk, a lost object)
    pdf_url = reverse("policies:pdf", args=[dms_policy.pk])
    status_url = reverse("policies:pdf_status", args=[dms_policy.pk])
    with django_capture_on_commit_callbacks(execute=True):
        person_client.get(pdf_url)
    document = PolicyDocument.objects.get(policy=dms_policy)
    bucket.delete(document.file.name)

    # when: the person asks for it (the worker runs what is queued), then downloads it
    with django_capture_on_commit_callbacks(execute=True):
        person_client.get(pdf_url)
    response = person_client.get(pdf_url)

    # then: made again once, into the bucket, and downloaded
    assert len(renders) == 2
    assert response["Content-Type"] == "application/pdf"
    document.refresh_from_db()
    assert bucket.keys() == [document.file.name]

    # when: it goes missing again (the storage loses it), and the waiting page polls 20 times
    bucket.delete(document.file.name)
    for _poll in range(20):
        with django_capture_on_commit_callbacks(execute=True):
            poll = person_client.get(status_url)

    # then: no third render; the person is told it failed, polling stops
    assert len(renders) == 2
    document.refresh_from_db()
    assert document.status == PolicyDocument.Status.FAILED
    content = poll.content.decode()
    assert "Не удалось сформировать документ" in content
    assert "hx-get" not in content
