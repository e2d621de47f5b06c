"""Who the pages are measured as, and the objects their URLs name.

The fill creates these people with fixed e-mails (bench.fill.bench_person_create); the measuring
side finds them again by e-mail, so measuring can run on a database filled earlier.
"""

from dataclasses import dataclass

from claims.models import Claim
from clinics.models import Clinic
from feedback.models import Appeal
from policies.models import Policy
from portal.accounts.models import User

BENCH_PERSON_EMAIL = "bench.person@bench.example"
BENCH_CHILD_POLICY = "BENCH-CHILD-0000001"
BENCH_OWN_POLICY = "BENCH-0000001"
OPERATOR_EMAIL = "operator@bench.example"
HR_EMAIL = "hr@bench.example"
# The bench's own logins (bench.load logs in over HTTP): published here, not secrets.
BENCH_PASSWORD = "bench-pass-2026"  # noqa: S105
BENCH_STAFF_TOTP_SECRET = "BENCHSTAFFTOTPSECRETKEYAAAAAAAAA"  # noqa: S105


@dataclass(frozen=True)
class Subjects:
    """The bench person with their objects, and the staff users for the staff pages."""

    person: User
    dms_policy_id: int
    child_dms_policy_id: int
    bought_policy_id: int
    claim_id: int
    appeal_id: int
    clinic_id: int
    contract_id: int  # the bench person's, whose company the HR manager manages
    insured_person_id: int  # the bench person's own register row
    operator: User
    hr: User


def subjects_load() -> Subjects:
    person = User.objects.get(email=BENCH_PERSON_EMAIL)
    bought = Policy.objects.filter(holder=person).order_by("pk").first()
    if bought is None:
        raise LookupError("the bench person has no bought policy: run the fill first")
    own = Policy.objects.get(product="dms", number=BENCH_OWN_POLICY)
    return Subjects(
        person=person,
        dms_policy_id=own.pk,
        child_dms_policy_id=Policy.objects.get(product="dms", number=BENCH_CHILD_POLICY).pk,
        bought_policy_id=bought.pk,
        claim_id=Claim.objects.filter(policy=bought).order_by("pk").values_list("pk", flat=True)[0],
        appeal_id=Appeal.objects.filter(user=person).order_by("pk").values_list("pk", flat=True)[0],
        clinic_id=Clinic.objects.filter(online_booking=True).order_by("pk").first().pk,
        contract_id=own.insured_person.contract_id,
        insured_person_id=own.insured_person_id,
        operator=User.objects.get(email=OPERATOR_EMAIL),
        hr=User.objects.get(email=HR_EMAIL),
    )
