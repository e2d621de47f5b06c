"""The policies' entries of «Мои документы» (cabinet.documents): each DMS and ВЗР/ВПМК
policy's PDF, made already or to be made on download."""

from collections.abc import Iterator

from django.urls import reverse
from django.utils.timezone import localdate
from django.utils.translation import gettext as _

from portal.accounts.models import User
from portal.core.documents import DocumentEntry

from .models import Policy, PolicyDocument
from .pdf.data import FILE_LABELS
from .selectors import policy_documents_for_user

ENTRY_FIELDS = (
    "product",
    "number",
    "starts_on",
    "ends_on",
    "insured_person__last_name",
    "insured_person__first_name",
    "insured_person__middle_name",
    "document__status",
    "document__generated_at",
)


def policy_documents(user: User) -> Iterator[DocumentEntry]:
    policies = (
        policy_documents_for_user(user)
        # what an entry shows: the contract, the policyholder and the register row in full cost
        # more to convert than to read
        .select_related(None)
        .select_related("insured_person", "document")
        .only(*ENTRY_FIELDS)
    )
    for position, policy in enumerate(policies):
        document = getattr(policy, "document", None)
        ready = document is not None and document.status == PolicyDocument.Status.READY
        yield DocumentEntry(
            group=str(_("Полисы")),
            title=f"{FILE_LABELS[Policy.Product(policy.product)]} № {policy.number}",
            subtitle=_("%(name)s, срок действия с %(start)s по %(end)s")
            % {
                "name": policy.insured_person.full_name,
                "start": f"{policy.starts_on:%d.%m.%Y}",
                "end": f"{policy.ends_on:%d.%m.%Y}",
            },
            url=reverse("policies:pdf", args=[policy.pk]),
            date=localdate(document.generated_at) if ready and document.generated_at else None,
            state=str(_("готов")) if ready else str(_("будет сформирован при скачивании")),
            # The policies' own order (DMS first, then ВЗР); expired ones last.
            order=position + (10_000 if policy.term_state == "expired" else 0),
        )
