"""How much of everything the bench holds (a `Scale`), the counts derived from it and the index
arithmetic that ties the tables together (a `Plan`), and the few constants the rows share."""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from bench import vocab

MSK = ZoneInfo("Europe/Moscow")
# Django reads a leading "!" as "no password: cannot log in"; force_login does not need one.
UNUSABLE_PASSWORD = "!bench-no-password"  # noqa: S105
CONSENT_VERSION = "2025-01"

# What the bench person has on top of the bulk (the test checks the counts with these).
BENCH_OWN_LINES = 45
BENCH_CHILD_LINES = 15
BENCH_EXTRA = {
    "accounts.User": 1,
    "accounts.Consent": 1,
    "policies.InsuredPerson": 2,
    "policies.PolicyLink": 2,
    "policies.Policy": 3,
    "claims.ServiceLine": BENCH_OWN_LINES + BENCH_CHILD_LINES,
    "claims.Claim": 2,
    "feedback.Appeal": 4,
    "feedback.GuaranteeLetter": 1,
    "clinics.Appointment": 3,
}


@dataclass(frozen=True)
class Scale:
    """How much of everything: the sizes the rest of the data set is derived from."""

    name: str
    insured: int
    clinics: int
    service_lines: int
    appointments: int
    appeals: int
    claims: int
    clinics_per_program: int
    doctors_per_clinic: int = 4
    slots_per_doctor: int = 20
    # The clinic register import's lines (bench.register_import), in files of at most
    # claims.registers.MAX_ROWS lines, as the admin's upload takes them.
    register_lines: int = 100_000


SCALES: dict[str, Scale] = {
    s.name: s
    for s in (
        Scale("micro", 20, 3, 100, 10, 5, 2, clinics_per_program=3),
        Scale("tiny", 100, 10, 1_000, 100, 50, 20, clinics_per_program=10),
        Scale("small", 1_000, 50, 10_000, 1_000, 500, 200, clinics_per_program=40),
        Scale("medium", 10_000, 500, 100_000, 10_000, 5_000, 2_000, clinics_per_program=150),
        Scale("large", 100_000, 5_000, 1_000_000, 100_000, 50_000, 20_000, clinics_per_program=300),
        # Ten times large in what grows with the insured; the network stays a national one of
        # 5,000 clinics, each with a doctor of every specialty and more slots, so that a million
        # bookings leave half the slots free (bench/README.md, «The scales»).
        Scale(
            "xlarge",
            1_000_000,
            5_000,
            10_000_000,
            1_000_000,
            500_000,
            200_000,
            clinics_per_program=300,
            doctors_per_clinic=8,
            slots_per_doctor=50,
            register_lines=1_000_000,
        ),
    )
}


@dataclass(frozen=True)
class Plan:
    """Counts derived from a scale, and the index arithmetic that ties the tables together.

    Indexes are 0-based, ids are index + 1. Insured persons are the employees first, then the
    children; employee `e` is program `program_of_employee(e)`; the first `users` employees have
    a cabinet (user id e + 1), and so do the children of those employees.
    """

    scale: Scale

    @property
    def employees(self) -> int:
        return self.scale.insured - self.children

    @property
    def children(self) -> int:
        return self.scale.insured // 5

    @property
    def users(self) -> int:
        return max(1, self.employees * 2 // 5)

    @property
    def policyholders(self) -> int:
        return max(2, self.scale.insured // 1_000)

    @property
    def programs(self) -> int:
        return self.policyholders * len(vocab.PROGRAM_SHAPES)

    @property
    def doctors(self) -> int:
        return self.scale.clinics * self.scale.doctors_per_clinic

    @property
    def slots(self) -> int:
        return self.doctors * self.scale.slots_per_doctor

    @property
    def vzr_policies(self) -> int:
        """Employees of the premium programs (shape 2: `(e // policyholders) % 3 == 2`), each
        with a ВЗР policy; counted without walking the employees."""
        h, shapes = self.policyholders, len(vocab.PROGRAM_SHAPES)
        cycles, rest = divmod(self.employees, h * shapes)
        return cycles * h + min(h, max(0, rest - (shapes - 1) * h))

    @property
    def bought_policies(self) -> int:
        return max(1, self.users // 3)

    @property
    def guarantee_letters(self) -> int:
        return max(1, self.scale.appeals // 10)

    @property
    def operator_id(self) -> int:
        return self.users + 1

    @property
    def hr_id(self) -> int:
        return self.users + 2

    @property
    def window(self) -> int:
        """How many clinics each program covers."""
        return min(self.scale.clinics, self.scale.clinics_per_program)

    def program_of_employee(self, e: int) -> int:
        """Program index: contract `e % policyholders`, shape `(e // policyholders) % 3`."""
        h = self.policyholders
        return (e % h) * len(vocab.PROGRAM_SHAPES) + (e // h) % len(vocab.PROGRAM_SHAPES)

    def parent_of_child(self, j: int) -> int:
        # 3 * children <= employees, so no employee is the parent of two of them.
        return (j * 3) % self.employees

    def program_of_person(self, p: int) -> int:
        if p < self.employees:
            return self.program_of_employee(p)
        return self.program_of_employee(self.parent_of_child(p - self.employees))

    def copay_share(self, q: int) -> int:
        """The base program of every other contract has a 20 % co-pay."""
        return 20 if q % 6 == 0 else 0

    def program_clinic(self, q: int, n: int) -> int:
        """The id of the n-th clinic (mod window) that program q covers."""
        start = (q * 37) % self.scale.clinics
        return (start + n % self.window) % self.scale.clinics + 1


def money_text(kopecks: int) -> str:
    """Kopecks as the text of a rouble amount for COPY: 123456 → "1234.56"."""
    return f"{kopecks // 100}.{kopecks % 100:02d}"


def person_name(n: int) -> tuple[str, str, str]:
    """(last, first, middle) of person n: a Russian name, the gender alternating."""
    female = n % 2
    last = vocab.SURNAMES[(n * 31 + n // 7) % len(vocab.SURNAMES)] + ("а" if female else "")
    names = vocab.FEMALE_NAMES if female else vocab.MALE_NAMES
    first = names[(n * 7 + n // 13) % len(names)]
    middle = vocab.PATRONYMICS[(n * 11 + n // 3) % len(vocab.PATRONYMICS)][female]
    return last, first, middle
