"""Staff changes of a person's account, policy links, cards and consents (issue 17, item 1): made
only where the admin allows them, each written to the audit log with its values before and
after; the log itself cannot be edited, not even by a superuser or by code."""

import pytest
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.test import RequestFactory
from django.urls import reverse

from payments.models import PaymentCard
from policies.models import PolicyLink
from portal.accounts.models import Consent
from portal.core.audit import audit_log_change
from portal.core.models import AuditLogEntry
from tests.factories import InsuredPersonFactory, PolicyLinkFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_a_superuser_only_ends_a_policy_link_and_that_is_logged(superuser_client, superuser):
    # given
    person = UserFactory()
    link = PolicyLinkFactory(user=person, insured_person=InsuredPersonFactory())
    stranger = UserFactory()
    url = reverse("admin:policies_policylink_change", args=[link.pk])
    assert superuser_client.get(url).status_code == 200

    # when: the page is posted with another user and an end date
    response = superuser_client.post(
        url,
        {
            "user": stranger.pk,
            "insured_person": InsuredPersonFactory().pk,
            "unlinked_at_0": "2026-05-01",
            "unlinked_at_1": "10:00:00",
        },
    )

    # then: only the end date is taken, and the audit log says so, before → after
    assert response.status_code == 302
    link.refresh_from_db()
    assert link.user == person
    assert link.unlinked_at is not None
    [entry] = AuditLogEntry.objects.filter(
        subject_type=ContentType.objects.get_for_model(PolicyLink), subject_id=str(link.pk)
    )
    assert entry.action == AuditLogEntry.Action.CHANGE
    assert entry.staff_user == superuser
    assert list(entry.changes) == ["unlinked_at"]
    assert entry.changes["unlinked_at"]["before"] is None
    assert entry.changes["unlinked_at"]["after"].startswith("2026-05-01T10:00:00")
    assert entry.person_label == person.full_name
    # no link is made or deleted by hand
    assert superuser_client.get(reverse("admin:policies_policylink_add")).status_code == 403
    deleted = superuser_client.post(
        reverse("admin:policies_policylink_delete", args=[link.pk]), {"post": "yes"}
    )
    assert deleted.status_code == 403
    assert PolicyLink.objects.filter(pk=link.pk).exists()


def test_cards_and_consents_are_not_editable_anywhere_in_the_admin(superuser):
    request = RequestFactory().get("/admin/")
    request.user = superuser

    assert PaymentCard not in admin.site._registry
    assert Consent not in admin.site._registry
    shown = 0
    for model_admin in admin.site._registry.values():
        for inline in model_admin.get_inline_instances(request):
            if inline.model in (PaymentCard, Consent):
                shown += 1
                assert not inline.has_add_permission(request, None), inline
                assert not inline.has_change_permission(request), inline
                assert not inline.has_delete_permission(request), inline
    assert shown == 2  # on the co-pay enrolment and on the user


def test_the_audit_log_refuses_every_kind_of_rewrite(superuser):
    entry = audit_log_change(
        staff_user=superuser,
        subject=superuser,
        person_label="Иванов",
        what="изменено",
        changes={"last_name": {"before": "Иванов", "after": "Петров"}},
    )

    for rewrite in (
        lambda: AuditLogEntry.objects.filter(pk=entry.pk).update(what="ничего"),
        lambda: AuditLogEntry.objects.all().delete(),
        lambda: AuditLogEntry.objects.bulk_update([entry], ["what"]),
        entry.delete,
    ):
        with pytest.raises(PermissionDenied):
            rewrite()

    entry.refresh_from_db()
    assert entry.what == "изменено"
    assert entry.changes == {"last_name": {"before": "Иванов", "after": "Петров"}}


def test_the_log_shows_before_and_after_to_admins_and_offers_no_edit(superuser_client, superuser):
    entry = audit_log_change(
        staff_user=superuser,
        subject=superuser,
        person_label="Иванов",
        what="изменено",
        changes={"phone": {"before": "+79161112233", "after": "+79035554433"}},
    )

    listed = superuser_client.get(reverse("admin:core_auditlogentry_changelist"))
    page = superuser_client.get(reverse("admin:core_auditlogentry_change", args=[entry.pk]))

    assert "+79161112233 → +79035554433" in listed.content.decode()
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
