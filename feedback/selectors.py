"""Reads of appeals and guarantee letters, limited to what the given user may see."""

from django.db.models import Prefetch, QuerySet

from portal.accounts.models import User

from .models import Appeal, AppealAttachment, AppealEvent, AppealMessage, GuaranteeLetter


def appeals_for_user(user: User) -> QuerySet[Appeal]:
    """The user's own appeals, open ones with the nearest due date first."""
    return (
        Appeal.objects.filter(user=user)
        .select_related("service_line", "clinic")
        .order_by("-created_at", "-pk")
    )


def appeal_for_user(user: User, pk: int) -> Appeal | None:
    """One appeal of the user with its thread, files and history; None for anyone else's."""
    return (
        appeals_for_user(user)
        .select_related("service_line__care_kind")
        .prefetch_related(
            Prefetch(
                "messages",
                queryset=AppealMessage.objects.order_by("sent_at", "pk"),
            ),
            Prefetch("attachments", queryset=AppealAttachment.objects.order_by("created_at")),
            Prefetch("events", queryset=AppealEvent.objects.order_by("at", "pk")),
        )
        .filter(pk=pk)
        .first()
    )


def appeal_attachment_for_user(user: User, *, appeal_id: int, pk: int) -> AppealAttachment | None:
    """A file of an appeal: to its author only. Staff read files through the admin's own view,
    which checks the operator's permission and writes the audit log; an HR manager is staff too
    and must never see an appeal."""
    return AppealAttachment.objects.filter(pk=pk, appeal_id=appeal_id, appeal__user=user).first()


def guarantee_letters_for_user(user: User) -> QuerySet[GuaranteeLetter]:
    return (
        GuaranteeLetter.objects.filter(user=user)
        .select_related("insured_person", "clinic", "care_kind")
        .order_by("-created_at", "-pk")
    )


def guarantee_letters_waiting_for_staff(user: User) -> QuerySet[GuaranteeLetter]:
    """Requested letters waiting for an operator's decision, the oldest request first; none for
    staff who may not see guarantee letters (an HR manager)."""
    if not user.has_perm("feedback.view_guaranteeletter"):
        return GuaranteeLetter.objects.none()
    return (
        GuaranteeLetter.objects.filter(status=GuaranteeLetter.Status.REQUESTED)
        .select_related("clinic", "care_kind")
        .order_by("created_at", "pk")
    )
