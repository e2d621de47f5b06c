"""The policies' entries of «Мои документы» (cabinet.documents): each policy's PDF (DMS,
ВЗР/ВПМК, and the bought and activated ones), made already or to be made on download; and the
DMS programs' own PDFs (the program, the clinic list per kind of care)."""

from collections.abc import Iterator

from django.urls import reverse
from django.utils.timezone import localdate
from django.utils.translation import gettext as _

from portal.accounts.models import User
from portal.core.documents import DocumentEntry

from .cards import CLINICS_PATH
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
    "insured_person__program_id",
    "holder__last_name",
    "holder__first_name",
    "holder__middle_name",
    "holder__email",
    "document__status",
    "document__generated_at",
)


def policy_documents(user: User) -> Iterator[DocumentEntry]:
    policies = (
        policy_documents_for_user(user)
        # what an entry shows: the contract, the policyholder and the register row in full cost
        # more to convert than to read
        .select_related(None)
        .select_related("insured_person", "holder", "document")
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
                "name": (
                    policy.insured_person.full_name
                    if policy.insured_person
                    else policy.holder.full_name or policy.holder.email
                ),
                "start": f"{policy.starts_on:%d.%m.%Y}",
                "end": f"{policy.ends_on:%d.%m.%Y}",
            },
            url=reverse("policies:pdf", args=[policy.pk]),
            date=localdate(document.generated_at) if ready and document.generated_at else None,
            state=str(_("готов")) if ready else str(_("будет сформирован при скачивании")),
            # The policies' own order (DMS first, then ВЗР); expired ones last.
            order=position + (10_000 if policy.term_state == "expired" else 0),
        )


def program_documents(user: User) -> Iterator[DocumentEntry]:
    """«Программа страхования (PDF)» and the clinic list of each kind of care, once per program
    of the person's DMS policies in force (two queries)."""
    policies = (
        policy_documents_for_user(user)
        .filter(
            product=Policy.Product.DMS,
            status=Policy.Status.ACTIVE,
            ends_on__gte=localdate(),
        )
        .select_related(None)
        .select_related("insured_person__program")
        .prefetch_related("insured_person__program__care_kinds")
        .only("number", "insured_person__program__name", "insured_person__program__code")
    )
    seen: set[int] = set()
    for policy in policies:
        program = policy.insured_person.program
        if program.pk in seen:
            continue
        seen.add(program.pk)
        group = str(_("Программы страхования и клиники"))
        yield DocumentEntry(
            group=group,
            title=_("Программа страхования «%(name)s»") % {"name": program.name},
            subtitle=_("виды помощи, лимиты, исключения, как получить помощь"),
            url=reverse("policies:program_pdf", args=[policy.pk]),
            state=str(_("формируется при скачивании по текущим данным")),
        )
        for kind in program.care_kinds.all():
            yield DocumentEntry(
                group=group,
                title=_("Список клиник: %(kind)s") % {"kind": kind.name},
                subtitle=_("программа «%(name)s»") % {"name": program.name},
                url=f"{CLINICS_PATH}pdf/{policy.pk}/{kind.code}.pdf",
                state=str(_("формируется при скачивании по текущей сети")),
                order=1 + kind.order,
            )
