"""Health data of the DMS service lines (152-FZ art. 9): the one rule of what a person is shown.

A service line's name and code and its ICD-10 diagnosis are health data: a person sees them, for
themselves and for the children their cabinet shows, only while their separate health-data
consent is in force (portal.accounts). Without it every page, PDF, e-mail and export shows the
line's date, clinic and amounts, and in place of the service's name the words of SERVICE_HIDDEN.
Pages use the template filters of claims/templatetags/health_data.py, code the functions below;
both ask `health_data_visible` of the person the text is for.
"""

from django.utils.translation import gettext_lazy as _

from portal.accounts.models import User
from portal.accounts.selectors import health_consent_given

from .models import ServiceLine

# The fields of a service line that are health data.
HEALTH_FIELDS = ("service_code", "service_name", "icd10_code", "icd10_name", "icd10_flag")
SERVICE_HIDDEN = _("наименование скрыто")


def health_data_visible(user: User | None) -> bool:
    """Whether `user` may be shown the service names and diagnoses of their service lines."""
    if user is None or not user.is_authenticated:
        return False
    return health_consent_given(user)


def service_name_for(line: ServiceLine, user: User | None) -> str:
    """The line's service name as `user` is shown it."""
    return line.service_name if health_data_visible(user) else str(SERVICE_HIDDEN)


def service_line_reference(line: ServiceLine) -> str:
    """The line named without health data, for texts that are kept and sent (an appeal's subject,
    an operator's answer, its PDF and e-mail): its date and clinic. Such a text is written once
    and read later, when the consent may have been withdrawn."""
    return _("услуга от %(date)s (%(clinic)s)") % {
        "date": f"{line.service_date:%d.%m.%Y}",
        "clinic": line.clinic.name,
    }


def diagnosis_for(line: ServiceLine, user: User | None) -> str:
    """The line's ICD-10 diagnosis as `user` is shown it ("" when hidden or when it has none):
    the dictionary's name (read by claims.selectors as `diagnosis_name`), else the register's,
    else the code."""
    if not health_data_visible(user):
        return ""
    return getattr(line, "diagnosis_name", None) or line.icd10_name or line.icd10_code
