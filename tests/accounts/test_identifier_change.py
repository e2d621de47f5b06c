"""A person's login identifiers are never edited by staff (issue 17, item 1): an operator's POST
of a new e-mail or phone on the user's admin page changes nothing; a change the person asked
support for is a request that the person confirms in the cabinet with the PIN and an SMS code
sent to the current phone; each staff step is in the audit log, before → after."""

import datetime

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from portal.accounts.models import AccountEvent, IdentifierChangeRequest, User
from portal.accounts.services import (
    identifier_change_code_send,
    identifier_change_confirm_by_sms,
    identifier_change_request_create,
)
from portal.core.models import AuditLogEntry, OutboxMessage
from tests.broker import assert_waiting, deliver_after_return
from tests.conftest import staff_login
from tests.factories import StaffUserFactory, SuperUserFactory

from .conftest import PIN, last_sms_code, sms_messages, verified_person

pytestmark = pytest.mark.django_db

OLD_EMAIL = "anna.old@example.com"
OLD_PHONE = "+79161112233"
NEW_EMAIL = "anna.new@example.com"
NEW_PHONE = "+79035554433"


@pytest.fixture
def person():
    return verified_person(email=OLD_EMAIL, phone=OLD_PHONE, last_name="Орлова")


@pytest.fixture
def operator(db):
    staff = StaffUserFactory()
    staff.groups.add(Group.objects.get(name="Оператор"))
    return staff


@pytest.fixture
def operator_client(client, operator):
    return staff_login(client, operator)


def change_url(user: User) -> str:
    return reverse("admin:accounts_user_change", args=[user.pk])


def admin_post_data(user: User, **changes) -> dict:
    data = {
        "email": user.email,
        "last_name": user.last_name,
        "first_name": user.first_name,
        "middle_name": user.middle_name,
        "birth_date": user.birth_date.isoformat(),
        "phone": user.phone,
    }
    # the read-only inlines still post their management forms
    for prefix in ("consents", "account_events", "remembered_devices", "phone_verifications"):
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    data.update(changes)
    return data


def inline_prefixes(page) -> dict:
    """The management-form prefixes of the change page's inlines."""
    return {
        formset.formset.prefix: formset.formset.total_form_count()
        for formset in page.context["inline_admin_formsets"]
    }


def post_change(client, user: User, **changes):
    page = client.get(change_url(user))
    assert page.status_code == 200
    data = admin_post_data(user, **changes)
    for prefix, total in inline_prefixes(page).items():
        data[f"{prefix}-TOTAL_FORMS"] = str(total)
        data[f"{prefix}-INITIAL_FORMS"] = str(total)
    return client.post(change_url(user), data)


def changes_of(user: User):
    return AuditLogEntry.objects.filter(
        action=AuditLogEntry.Action.CHANGE,
        subject_type=ContentType.objects.get_for_model(User),
        subject_id=str(user.pk),
    ).order_by("pk")


# --- the admin: identifiers are read-only for every staff member ---------------------------------


@pytest.mark.parametrize("who", ["operator", "superuser"])
def test_a_staff_post_of_a_new_email_and_phone_changes_nothing(client, person, operator, who):
    staff = operator if who == "operator" else SuperUserFactory()
    staff_login(client, staff)

    # when: the user's admin page is posted with another e-mail and phone
    response = post_change(client, person, email="thief@example.com", phone="+79990001122")

    # then: saved without them — the account, its addresses and login stay the person's
    assert response.status_code == 302, response.context["adminform"].form.errors
    person.refresh_from_db()
    assert (person.email, person.phone) == (OLD_EMAIL, OLD_PHONE)
    assert list(EmailAddress.objects.filter(user=person).values_list("email", flat=True)) == [
        OLD_EMAIL
    ]
    assert not User.objects.filter(email="thief@example.com").exists()
    page = client.get(change_url(person)).content.decode()
    assert 'name="email"' not in page and 'name="phone"' not in page
    assert "Запросить смену" in page


def test_a_staff_change_of_another_field_is_in_the_audit_log_before_and_after(
    operator_client, operator, person
):
    response = post_change(operator_client, person, last_name="Орлова-Смирнова")

    assert response.status_code == 302
    person.refresh_from_db()
    assert person.last_name == "Орлова-Смирнова"
    [entry] = changes_of(person)
    assert entry.staff_user == operator
    assert entry.changes == {"last_name": {"before": "Орлова", "after": "Орлова-Смирнова"}}
    assert entry.person_label == person.full_name
    # the log is not editable, by the admin or by code
    with pytest.raises(Exception, match="не редактируется"):
        AuditLogEntry.objects.filter(pk=entry.pk).update(what="ничего")
    with pytest.raises(Exception, match="не редактируется"):
        AuditLogEntry.objects.filter(pk=entry.pk).delete()
    assert AuditLogEntry.objects.get(pk=entry.pk).what == entry.what


def test_a_superuser_changing_rights_is_logged_and_cannot_set_a_persons_password(client, person):
    admin = staff_login(client, SuperUserFactory())

    password_page = admin.get(reverse("admin:auth_user_password_change", args=[person.pk]))
    response = post_change(admin, person, is_active="on", is_staff="on")

    assert response.status_code == 302
    [entry] = changes_of(person)
    assert entry.changes["is_staff"] == {"before": False, "after": True}
    # a person's password is the person's: a reset goes to their verified address
    assert password_page.status_code == 403


def test_allauth_addresses_and_esia_links_are_read_only_in_the_admin(client, person):
    from allauth.socialaccount.models import SocialAccount

    admin = staff_login(client, SuperUserFactory())
    address = EmailAddress.objects.get(user=person)
    link = SocialAccount.objects.create(user=person, provider="esia", uid="1000299651")

    posted = admin.post(
        reverse("admin:account_emailaddress_change", args=[address.pk]),
        {"user": person.pk, "email": "thief@example.com", "verified": "on", "primary": "on"},
    )
    moved = admin.post(
        reverse("admin:socialaccount_socialaccount_change", args=[link.pk]),
        {"user": StaffUserFactory().pk, "provider": "esia", "uid": "1000299651"},
    )
    deleted = admin.post(
        reverse("admin:account_emailaddress_delete", args=[address.pk]), {"post": "yes"}
    )

    assert posted.status_code == moved.status_code == deleted.status_code == 403
    address.refresh_from_db()
    link.refresh_from_db()
    assert (address.email, link.user) == (OLD_EMAIL, person)


# --- the request: written by support, confirmed by the person ------------------------------------


def test_the_operator_writes_a_request_and_nothing_changes_until_the_person_confirms(
    operator_client, operator, person, django_capture_on_commit_callbacks
):
    add_url = reverse("admin:accounts_identifierchangerequest_add")
    assert operator_client.get(add_url, {"user": person.pk}).status_code == 200

    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = operator_client.post(
            add_url,
            {
                "user": person.pk,
                "field": "email",
                "new_value": "  Anna.New@Example.com ",
                "reason": "обращение по телефону",
            },
        )

    # then: a pending request, normalised; the account untouched
    assert response.status_code == 302
    change_request = IdentifierChangeRequest.objects.get()
    assert (change_request.status, change_request.new_value, change_request.old_value) == (
        "pending",
        NEW_EMAIL,
        OLD_EMAIL,
    )
    assert change_request.created_by == operator
    person.refresh_from_db()
    assert person.email == OLD_EMAIL
    # the audit log names the staff member and the values
    [entry] = changes_of(person)
    assert entry.staff_user == operator
    assert entry.changes == {"email": {"before": OLD_EMAIL, "after": NEW_EMAIL}}
    # the person is told at the current address
    [message] = mail.outbox
    assert message.to == [OLD_EMAIL]
    assert NEW_EMAIL in message.body


def test_a_wrong_new_value_is_shown_beside_the_field_and_writes_nothing(operator_client, person):
    other = verified_person(email="taken@example.com")

    for field, value, message in (
        ("email", "не адрес", "Введите адрес электронной почты"),
        ("email", other.email, "уже указан в другой учётной записи"),
        ("email", OLD_EMAIL, "текущий адрес"),
        ("phone", "12345", "+7"),
    ):
        response = operator_client.post(
            reverse("admin:accounts_identifierchangerequest_add"),
            {"user": person.pk, "field": field, "new_value": value},
        )
        assert response.status_code == 200
        assert message in response.content.decode(), (field, value)
    assert not IdentifierChangeRequest.objects.exists()
    assert not changes_of(person).exists()


def test_staff_accounts_get_no_requests(operator):
    with pytest.raises(ValidationError, match="сотрудника"):
        identifier_change_request_create(
            user=StaffUserFactory(), staff_user=operator, field="email", new_value=NEW_EMAIL
        )


def _request(person, operator, field="email", value=NEW_EMAIL) -> IdentifierChangeRequest:
    return identifier_change_request_create(
        user=person, staff_user=operator, field=field, new_value=value
    )


def test_the_person_confirms_an_email_change_with_pin_and_sms_end_to_end(
    client, person, operator, sms_outbox, django_capture_on_commit_callbacks
):
    change_request = _request(person, operator)
    client.force_login(person)

    # the profile shows the notice with a link to the request
    profile = client.get(reverse("accounts:profile")).content.decode()
    page_url = reverse("accounts:identifier_change", args=[change_request.pk])
    assert page_url in profile and "Поддержка подготовила смену" in profile
    page = client.get(page_url)
    assert page.status_code == 200 and NEW_EMAIL in page.content.decode()

    # when: a code goes to the current phone, and the person enters it with the PIN
    sent = client.post(reverse("accounts:identifier_change_code", args=[change_request.pk]))
    assert sent.status_code == 302
    [sms] = sms_messages(sms_outbox)
    assert sms["phone"] == OLD_PHONE
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(page_url, {"pin": PIN, "code": last_sms_code(sms_outbox)})

    # then: the new address is the login, the one primary verified address; the old one is gone
    assert done.status_code == 302 and done.url == reverse("accounts:profile")
    person.refresh_from_db()
    assert person.email == NEW_EMAIL
    assert list(
        EmailAddress.objects.filter(user=person).values_list("email", "primary", "verified")
    ) == [(NEW_EMAIL, True, True)]
    change_request.refresh_from_db()
    assert (change_request.status, change_request.confirmed_by) == ("confirmed", "pin_sms")
    assert change_request.decided_at is not None
    assert AccountEvent.objects.filter(user=person, kind=AccountEvent.Kind.EMAIL_CHANGED).exists()
    # the audit log: the request and the change, both under the operator's name
    entries = list(changes_of(person))
    assert [e.staff_user for e in entries] == [operator, operator]
    assert entries[1].changes == {"email": {"before": OLD_EMAIL, "after": NEW_EMAIL}}
    assert "PIN" in entries[1].what
    # the person is told at both addresses and by SMS
    assert sorted(m.to[0] for m in mail.outbox) == sorted([NEW_EMAIL, OLD_EMAIL])
    assert "данные для входа" in sms_messages(sms_outbox)[-1]["text"]
    # the old address no longer logs in; the session goes on
    assert client.get(reverse("accounts:profile")).status_code == 200
    assert (
        "Поддержка подготовила смену"
        not in client.get(reverse("accounts:profile")).content.decode()
    )


def test_with_the_broker_down_the_request_and_the_change_are_saved_and_told_later(
    client, person, operator, sms_outbox, broker, django_capture_on_commit_callbacks
):
    # given: the broker unreachable (a closed port)
    broker.down()

    # when: the operator writes the request
    with django_capture_on_commit_callbacks(execute=True):
        change_request = _request(person, operator)

    # then: saved, nothing told yet; the e-mail waits in the outbox
    assert change_request.status == "pending"
    assert mail.outbox == []
    assert_waiting("identifier_change_requested_notify_task")

    # when: the person confirms it, the broker still down
    client.force_login(person)
    client.post(reverse("accounts:identifier_change_code", args=[change_request.pk]))
    page_url = reverse("accounts:identifier_change", args=[change_request.pk])
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(page_url, {"pin": PIN, "code": last_sms_code(sms_outbox)})

    # then: changed, answered as usual, told nobody yet
    assert done.status_code == 302 and done.url == reverse("accounts:profile")
    person.refresh_from_db()
    assert person.email == NEW_EMAIL
    assert mail.outbox == []
    texts_before = len(sms_messages(sms_outbox))

    # when: the broker is back and the beat job runs (twice: nothing is sent twice)
    deliver_after_return(broker)
    deliver_after_return(broker)

    # then: the request's e-mail to the old address, the change's to both, and the SMS, once
    assert sorted((m.subject, m.to[0]) for m in mail.outbox) == [
        ("Данные для входа изменены", NEW_EMAIL),
        ("Данные для входа изменены", OLD_EMAIL),
        ("Подтвердите смену данных для входа", OLD_EMAIL),
    ]
    texts = sms_messages(sms_outbox)[texts_before:]
    assert len(texts) == 1 and "данные для входа" in texts[0]["text"]
    assert not OutboxMessage.objects.filter(acked_at__isnull=True).exists()


def test_the_person_confirms_a_phone_change(client, person, operator, sms_outbox):
    change_request = _request(person, operator, field="phone", value="8 903 555-44-33")
    client.force_login(person)
    page_url = reverse("accounts:identifier_change", args=[change_request.pk])

    client.post(reverse("accounts:identifier_change_code", args=[change_request.pk]))
    done = client.post(page_url, {"pin": PIN, "code": last_sms_code(sms_outbox)})

    assert done.status_code == 302
    person.refresh_from_db()
    assert person.phone == NEW_PHONE and person.phone_confirmed_at is not None
    assert changes_of(person).last().changes == {"phone": {"before": OLD_PHONE, "after": NEW_PHONE}}


def test_a_wrong_pin_or_code_changes_nothing(client, person, operator, sms_outbox):
    change_request = _request(person, operator)
    client.force_login(person)
    page_url = reverse("accounts:identifier_change", args=[change_request.pk])
    client.post(reverse("accounts:identifier_change_code", args=[change_request.pk]))
    code = last_sms_code(sms_outbox)
    wrong_code = f"{(int(code) + 1) % 1_000_000:06d}"

    wrong_pin = client.post(page_url, {"pin": "9999", "code": code})
    bad_code = client.post(page_url, {"pin": PIN, "code": wrong_code})
    not_digits = client.post(page_url, {"pin": PIN, "code": "abc"})

    assert "Неверный PIN-код" in wrong_pin.content.decode()
    assert "Неверный код" in bad_code.content.decode()
    assert "Код — 6 цифр из SMS" in not_digits.content.decode()
    person.refresh_from_db()
    change_request.refresh_from_db()
    assert person.email == OLD_EMAIL and change_request.status == "pending"
    assert changes_of(person).count() == 1  # the request only


def test_the_person_cancels_a_request_they_did_not_make(client, person, operator):
    change_request = _request(person, operator)
    client.force_login(person)

    response = client.post(reverse("accounts:identifier_change_cancel", args=[change_request.pk]))

    assert response.status_code == 302
    change_request.refresh_from_db()
    assert change_request.status == "cancelled" and change_request.cancelled_by == person
    with pytest.raises(ValidationError, match="закрыт"):
        identifier_change_code_send(change_request=change_request)
    person.refresh_from_db()
    assert person.email == OLD_EMAIL


def test_an_expired_request_cannot_be_confirmed(person, operator, sms_outbox, time_machine):
    change_request = _request(person, operator)
    identifier_change_code_send(change_request=change_request)
    code = last_sms_code(sms_outbox)
    time_machine.move_to(timezone.now() + datetime.timedelta(hours=73))

    with pytest.raises(ValidationError, match="истёк"):
        identifier_change_confirm_by_sms(change_request=change_request, pin=PIN, code=code)

    change_request.refresh_from_db()
    person.refresh_from_db()
    assert change_request.status == "expired" and person.email == OLD_EMAIL


def test_an_address_taken_meanwhile_is_refused_at_confirmation(person, operator, sms_outbox):
    change_request = _request(person, operator)
    identifier_change_code_send(change_request=change_request)
    verified_person(email=NEW_EMAIL)

    with pytest.raises(ValidationError, match="другой учётной записи"):
        identifier_change_confirm_by_sms(
            change_request=change_request, pin=PIN, code=last_sms_code(sms_outbox)
        )

    person.refresh_from_db()
    change_request.refresh_from_db()
    assert person.email == OLD_EMAIL and change_request.status == "pending"


def test_the_operator_cancels_a_request_from_the_list(operator_client, operator, person):
    change_request = _request(person, operator)

    response = operator_client.post(
        reverse("admin:accounts_identifierchangerequest_changelist"),
        {"action": "cancel_requests", "_selected_action": [change_request.pk]},
    )

    assert response.status_code == 302
    change_request.refresh_from_db()
    assert change_request.status == "cancelled" and change_request.cancelled_by == operator
    assert changes_of(person).last().changes == {
        "status": {"before": "pending", "after": "cancelled"}
    }
    # requests are never edited or deleted
    edit = operator_client.post(
        reverse("admin:accounts_identifierchangerequest_change", args=[change_request.pk]),
        {"new_value": "thief@example.com"},
    )
    assert edit.status_code == 403


# --- password reset: only to a verified address ---------------------------------------------------


def test_a_password_reset_goes_only_to_a_verified_address_of_the_account(client, person):
    # given: an account whose e-mail field names an address it never verified
    unverified = verified_person(email="unverified@example.com")
    EmailAddress.objects.filter(user=unverified).update(verified=False)
    stray = verified_person(email="stray@example.com")
    EmailAddress.objects.filter(user=stray).delete()

    for address in (unverified.email, stray.email, OLD_EMAIL):
        response = client.post(reverse("account_reset_password"), {"email": address})
        assert response.status_code == 302

    # then: only the verified address got a reset link
    reset_links = [m for m in mail.outbox if "password/reset/key" in m.body]
    assert [m.to for m in reset_links] == [[OLD_EMAIL]]


def test_a_second_pending_request_for_the_same_field_is_refused(operator_client, operator, person):
    _request(person, operator)

    response = operator_client.post(
        reverse("admin:accounts_identifierchangerequest_add"),
        {"user": person.pk, "field": "email", "new_value": "third@example.com"},
        follow=True,
    )

    assert response.status_code == 200
    assert "уже есть неподтверждённый запрос" in response.content.decode()
    assert IdentifierChangeRequest.objects.count() == 1
