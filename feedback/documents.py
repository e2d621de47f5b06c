"""«Мои документы» providers: issued guarantee letters and answers to appeals, as PDFs made on
download (each view checks the owner)."""

from collections.abc import Iterable

from django.db.models import Max, Q
from django.urls import reverse
from django.utils import timezone

from portal.core.documents import DocumentEntry

from .models import GuaranteeLetter
from .selectors import appeals_for_user, guarantee_letters_for_user


def guarantee_letters(user) -> Iterable[DocumentEntry]:
    for letter in guarantee_letters_for_user(user).filter(status=GuaranteeLetter.Status.ISSUED):
        yield DocumentEntry(
            group="Гарантийные письма",
            title=f"Гарантийное письмо № {letter.number}",
            url=reverse("guarantee_letter_pdf", args=[letter.pk]),
            subtitle=f"{letter.clinic.name} · {letter.insured_person.full_name}",
            date=letter.valid_until,
            state=f"действует до {letter.valid_until:%d.%m.%Y}",
        )


def appeal_answers(user) -> Iterable[DocumentEntry]:
    """Answers to the person's appeals, one PDF each (made on download)."""
    answered = (
        appeals_for_user(user)
        .filter(messages__from_staff=True)
        .annotate(answered_at=Max("messages__sent_at", filter=Q(messages__from_staff=True)))
    )
    for appeal in answered:
        yield DocumentEntry(
            group="Ответы на обращения",
            title=f"Ответ на обращение № {appeal.number}",
            url=reverse("appeal_answer_pdf", args=[appeal.pk]),
            subtitle=appeal.subject,
            date=timezone.localdate(appeal.answered_at),
            state=appeal.get_status_display(),
        )
