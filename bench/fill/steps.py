"""The bulk tables in the order they are filled: for each, the columns its rows carry and the
generator of those rows (one `Step` per table; a new table appends its own)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db import models

from claims.models import Claim, ClaimEvent, ServiceLine
from clinics.models import Appointment, Clinic, Doctor, ProgramClinic, Slot
from feedback.models import Appeal, AppealMessage, GuaranteeLetter
from policies.models import (
    CareKind,
    Contract,
    InsuredPerson,
    Policy,
    Policyholder,
    PolicyLink,
    Program,
)
from portal.accounts.models import Consent, User

from .history import HistoryRows
from .network import NetworkRows
from .register import RegisterRows


class Generator(RegisterRows, NetworkRows, HistoryRows):
    """The rows of every bulk table, as generators of tuples in the order of `columns`."""


@dataclass(frozen=True)
class Step:
    """One bulk table: the model, the attnames its generator yields (space-separated, in
    order), the generator."""

    model: type[models.Model]
    columns: str
    rows: Callable[[Generator], Iterable[tuple]]


# In dependency order (foreign keys are deferred, but reading the list top-down should make
# sense). A later issue that adds a table appends its step here.
STEPS: list[Step] = [
    Step(Policyholder, "id name inn", Generator.policyholders),
    Step(
        Contract,
        "id policyholder_id number starts_on ends_on contact_centres",
        Generator.contracts,
    ),
    Step(CareKind, "id code name order", Generator.care_kinds),
    Step(Program, "id contract_id code name copay_share includes_vzr", Generator.programs),
    Step(Program.care_kinds.through, "id program_id carekind_id", Generator.program_care_kinds),
    Step(
        InsuredPerson,
        "id policy_number last_name first_name middle_name birth_date email phone contract_id "
        "program_id starts_on ends_on relation parent_id",
        Generator.insured_persons,
    ),
    Step(
        User,
        "id password email first_name last_name middle_name is_staff is_active is_superuser "
        "date_joined birth_date phone phone_confirmed_at",
        Generator.users,
    ),
    Step(Consent, "id user_id document version given_at", Generator.consents),
    Step(PolicyLink, "id user_id insured_person_id relation linked_at", Generator.policy_links),
    Step(
        Policy,
        "id product number holder_id insured_person_id starts_on ends_on status premium "
        "product_data tariff_version",
        Generator.policies,
    ),
    Step(
        Clinic,
        "id name address city latitude longitude phones hours site online_booking last_verified_on",
        Generator.clinics,
    ),
    Step(
        ProgramClinic,
        "id program_id clinic_id care_kind_id guarantee_letter_required",
        Generator.program_clinics,
    ),
    Step(Doctor, "id clinic_id full_name specialty care_kind_id", Generator.doctors),
    Step(Slot, "id doctor_id starts_at ends_at", Generator.slots),
    Step(
        Appointment,
        "id slot_id user_id insured_person_id status created_at updated_at",
        Generator.appointments,
    ),
    Step(
        ServiceLine,
        "id clinic_id register_number line_number insured_person_id service_code service_name "
        "care_kind_id service_date quantity amount copay_amount copay_state icd10_code "
        "icd10_name",
        Generator.service_lines,
    ),
    Step(
        Appeal,
        "id number user_id kind status subject due_on service_line_id clinic_id created_at "
        "updated_at",
        Generator.appeals,
    ),
    Step(
        AppealMessage,
        "id appeal_id author_id from_staff body sent_at",
        Generator.appeal_messages,
    ),
    Step(
        GuaranteeLetter,
        "id user_id insured_person_id clinic_id care_kind_id status number valid_until "
        "created_at updated_at",
        Generator.guarantee_letters,
    ),
    Step(
        Claim,
        "id number policy_id event_type event_at place description payout_details status "
        "approved_amount created_at updated_at",
        Generator.claims,
    ),
    Step(
        ClaimEvent,
        "id claim_id from_status to_status at by_id comment",
        Generator.claim_events,
    ),
]
