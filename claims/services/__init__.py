"""Writes of claims: declaring one, its documents, and the one function that moves its case."""

from .numbers import claim_number_next, claim_numbers_start_after
from .status import claim_set_status
from .submission import (
    OtherParty,
    PayoutChoice,
    claim_documents_add,
    claim_documents_send,
    claim_submit,
    claim_upload_rules,
)

__all__ = [
    "OtherParty",
    "PayoutChoice",
    "claim_documents_add",
    "claim_documents_send",
    "claim_number_next",
    "claim_numbers_start_after",
    "claim_set_status",
    "claim_submit",
    "claim_upload_rules",
]
