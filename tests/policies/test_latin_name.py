"""Issue 22: the ВПМК issued with a DMS policy names the person in Latin as their foreign passport
does. The HR list's name is transliterated; the person corrects it in «Личная информация» (PIN
confirmed), and the document is made again; a Latin name with Cyrillic letters, digits or too
long is refused at the field and nothing is saved."""

import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from policies.models import PolicyDocument
from tests.accounts.conftest import PIN

from .family import family_for

pytestmark = pytest.mark.django_db
EDIT_URL = "/profile/edit/"


def profile_form(user, **changes) -> dict:
    data = {
        "last_name": user.last_name,
        "first_name": user.first_name,
        "middle_name": user.middle_name,
        "birth_date": user.birth_date.isoformat(),
        "passport_series": "",
        "passport_number": "",
        "last_name_latin": "",
        "first_name_latin": "",
        "pin": PIN,
    }
    data.update(changes)
    return data


def vzr_text(client, policy, on_commit) -> str:
    url = reverse("policies:pdf", args=[policy.pk])
    with on_commit():
        response = client.get(url)
    if response["Content-Type"].startswith("text/html"):
        response = client.get(url)
    data = b"".join(response.streaming_content)
    return " ".join("\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages).split())


@pytest.fixture
def with_pin(user):
    user.set_pin(PIN)
    user.save()
    return user


def test_the_latin_name_is_transliterated_then_corrected_and_the_pdf_remade(
    person_client, with_pin, on_commit
):
    user = with_pin
    family = family_for(user)
    transliterated = f"{user.latin_name}"
    assert transliterated in vzr_text(person_client, family.vzr, on_commit)

    with on_commit():
        response = person_client.post(
            EDIT_URL, profile_form(user, last_name_latin="Ivanov-Petrov", first_name_latin="Alexey")
        )

    assert response.status_code == 302, response.context["form"].errors
    user.refresh_from_db()
    assert (user.last_name_latin, user.first_name_latin) == ("IVANOV-PETROV", "ALEXEY")
    document = PolicyDocument.objects.get(policy=family.vzr)
    assert document.status == PolicyDocument.Status.READY  # remade by the worker on save
    text = vzr_text(person_client, family.vzr, on_commit)
    assert "IVANOV-PETROV ALEXEY" in text
    page = person_client.get("/profile/").content.decode()
    assert "IVANOV-PETROV ALEXEY" in page


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("Иванов", "русские буквы здесь не подходят"),
        ("Ivanov2", "Цифр в имени быть не может"),
        ("I" * 41, "Не длиннее 40 символов"),
        ("Ivanov_", "Только латинские буквы"),
    ],
)
def test_a_bad_latin_name_is_refused_at_the_field(person_client, with_pin, value, message):
    user = with_pin

    response = person_client.post(EDIT_URL, profile_form(user, last_name_latin=value))

    assert response.status_code == 200
    assert message in str(response.context["form"].errors["last_name_latin"])
    user.refresh_from_db()
    assert user.last_name_latin == ""
