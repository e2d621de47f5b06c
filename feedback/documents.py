"""«Мои документы» providers: issued guarantee letters and answers to appeals, as PDFs made on
download (each view checks the owner)."""

from collections.abc import Iterable

from django.db.models import Exists, OuterRef, Subquery
from django.urls import reverse
from django.utils import timezone

from portal.core.documents import DocumentEntry

from .models import AppealMessage, GuaranteeLetter
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
    """Answers to the person's appeals, one PDF each (made on download).

    The latest answer's time is a subquery, not an aggregate: the selected service line's table
    is partitioned with a composite key, so PostgreSQL refuses a GROUP BY on its id alone."""
    answers = AppealMessage.objects.filter(appeal=OuterRef("pk"), from_staff=True)
    answered = (
        appeals_for_user(user)
        .filter(Exists(answers))
        .annotate(answered_at=Subquery(answers.order_by("-sent_at").values("sent_at")[:1]))
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
