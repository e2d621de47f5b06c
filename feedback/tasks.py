"""Celery tasks of appeals and guarantee letters: they take ids and are safe to run twice."""

from celery import shared_task

from .services.notifications import appeal_answer_email_send, letters_expire, letters_expiry_remind


@shared_task
def appeal_answer_notify(message_id: int) -> bool:
    """E-mail the person that the insurer answered (queued on commit by appeal_answer)."""
    return appeal_answer_email_send(message_id=message_id)


@shared_task
def guarantee_letters_expiry_remind() -> int:
    """Daily: letters past their validity expire; those expiring in 3 days are reminded of
    (each letter once)."""
    letters_expire()
    return letters_expiry_remind()
