"""Writes of the appeals section: appeals with their thread, status and the "service not
provided" dispute (appeals), their numbers and due dates (numbering), guarantee letters
(letters), and the e-mails that go out once (notifications)."""

from .appeals import (
    PERSON_KINDS,
    appeal_answer,
    appeal_create,
    appeal_message_add,
    appeal_set_status,
    service_dispute_settle,
    service_line_dispute,
)
from .letters import guarantee_letter_issue, guarantee_letter_refuse, guarantee_letter_request
from .notifications import appeal_answer_email_send, letters_expire, letters_expiry_remind
from .numbering import appeal_due_on, appeal_number_next, appeal_with_number

__all__ = [
    "PERSON_KINDS",
    "appeal_answer",
    "appeal_answer_email_send",
    "appeal_create",
    "appeal_due_on",
    "appeal_message_add",
    "appeal_number_next",
    "appeal_set_status",
    "appeal_with_number",
    "guarantee_letter_issue",
    "guarantee_letter_refuse",
    "guarantee_letter_request",
    "letters_expire",
    "letters_expiry_remind",
    "service_dispute_settle",
    "service_line_dispute",
]
