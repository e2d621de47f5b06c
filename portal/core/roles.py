"""The staff roles and what each may do in the admin, as data: the one source of the groups'
permissions (employers/migrations/0009_staff_roles.py and every later sync), of docs/ROLES.md
(`manage.py roles_doc`) and of the tests that hold them equal.

A permission is written as the model's label and the action, "claims.serviceline" and "view";
its codename is "<action>_<model name>" (Django's own and this project's custom permissions
alike: reconcile_charge, apply_importbatch). Only strings here: this module sits at the bottom
of the layers and imports no app.

Every model of the project's apps has a row, an empty one when no role touches it (a superuser
only, or nobody): a new model adds its row here and a migration that calls `groups_sync`, or
tests/core/test_roles.py fails. Superusers (break-glass accounts) hold no group: they alone read
the staff audit log, give rights and set passwords, whatever a group holds.
"""

from collections.abc import Mapping
from dataclasses import dataclass

SUPPORT_OPERATOR = "Оператор"
NETWORK_MANAGER = "Менеджер сети клиник"
REGISTER_SPECIALIST = "Специалист по реестрам"
HR_MANAGER = "HR-менеджер"
ADMINISTRATOR = "Администратор"

ROLES: tuple[str, ...] = (
    SUPPORT_OPERATOR,
    NETWORK_MANAGER,
    REGISTER_SPECIALIST,
    HR_MANAGER,
    ADMINISTRATOR,
)

ROLE_DUTIES: Mapping[str, str] = {
    SUPPORT_OPERATOR: (
        "support operator: answers appeals, issues guarantee letters, moves claims through their "
        "statuses, reconciles and refunds co-pay charges, corrects a person's account and lifts "
        "login lockouts; reads the register, the network and the service lines (audit-logged)"
    ),
    NETWORK_MANAGER: (
        "network manager: clinics, doctors, schedules (slots) and which programs cover which "
        "clinic for which kind of care (program networks); no personal data"
    ),
    REGISTER_SPECIALIST: (
        "register specialist: imports clinics' service registers and keeps their lines; reads the "
        "ICD-10 dictionary (filled by the registers; never edited by hand — reloading it from the "
        "published source will come with a permission of its own) and the insured persons the "
        "lines name"
    ),
    HR_MANAGER: (
        "HR manager of a policyholder: their companies' contracts and insured persons only (the "
        "admin scopes them), the employee-list imports; never medical data"
    ),
    ADMINISTRATOR: (
        "administrator: policyholders, contracts, programs, kinds of care, the shop's tariffs, "
        "offers and boxed policy cards, which HR manager serves which company; reads the staff "
        "accounts and the groups; no medical data. Rights, passwords and the audit log stay with "
        "superusers"
    ),
}

S, N, R, H, A = ROLES  # short names for the table below

# model label → {role: "actions"}; the actions of a role are space-separated.
MATRIX: Mapping[str, Mapping[str, str]] = {
    # Third-party models a role needs (the rest are the superusers').
    "auth.group": {A: "view"},
    "axes.accessattempt": {S: "view delete"},  # deleting an attempt lifts a lockout
    "axes.accessfailurelog": {S: "view"},
    "axes.accesslog": {S: "view"},
    # portal.core
    "core.auditlogentry": {},  # superusers only (its admin refuses anyone else)
    "core.destructionact": {A: "view"},  # acts of destruction: counts, no personal data
    "core.insurerdetails": {A: "view add change"},  # the requisites every policy PDF prints
    "core.outboxmessage": {},  # queued tasks and their errors: superusers only
    "core.jobrun": {},  # runs of scheduled jobs: superusers only
    "core.versioncounter": {},  # versions of cached data: nobody edits them
    # portal.accounts
    "accounts.user": {S: "view change", A: "view"},  # staff accounts: superusers only
    "accounts.consent": {S: "view"},
    "accounts.phoneverification": {},
    "accounts.remembereddevice": {},
    "accounts.accountevent": {},
    "accounts.notificationpreference": {},  # the person's own choices (the user's page inline)
    "accounts.pushsubscription": {},  # push endpoints and keys: no one reads them
    # a change of a person's e-mail or phone, asked for by support and confirmed by the person
    "accounts.identifierchangerequest": {S: "view add"},
    # policies
    "policies.policyholder": {S: "view", A: "view add change"},
    "policies.contract": {S: "view", H: "view", A: "view add change"},
    "policies.carekind": {S: "view", N: "view", A: "view add change"},
    "policies.program": {S: "view", N: "view", H: "view", A: "view add change"},
    "policies.insuredperson": {S: "view", R: "view", H: "view change"},
    "policies.policy": {S: "view"},
    "policies.policylink": {S: "view"},
    "policies.policydocument": {},
    "policies.boxedpolicycard": {A: "view add change"},
    "policies.assistancecompany": {S: "view", A: "view add change"},
    "policies.programdocument": {},
    # clinics
    "clinics.clinic": {S: "view", N: "view add change", R: "view"},
    "clinics.programclinic": {S: "view", N: "view add change delete"},
    "clinics.doctor": {S: "view", N: "view add change"},
    "clinics.slot": {S: "view", N: "view add change"},
    "clinics.appointment": {S: "view"},  # read-only admin: bookings change by the service
    "clinics.appointmentevent": {S: "view"},
    "clinics.savedplace": {},
    # claims
    "claims.serviceline": {S: "view", R: "view add change"},  # add = the register import
    "claims.icd10diagnosis": {R: "view reload"},  # reload = from the Ministry's file
    "claims.claim": {S: "view change"},  # change = the workflow actions
    "claims.claimevent": {S: "view"},
    "claims.claimdocument": {S: "view"},
    "claims.claimnumbersequence": {},
    # feedback
    "feedback.appeal": {S: "view change"},
    "feedback.appealmessage": {S: "view add"},
    "feedback.appealevent": {S: "view"},
    "feedback.appealattachment": {S: "view"},
    "feedback.appealnumbersequence": {},
    "feedback.guaranteeletter": {S: "view change"},
    # payments
    "payments.copayenrollment": {S: "view"},
    "payments.paymentcard": {S: "view"},
    "payments.charge": {S: "view reconcile refund"},
    "payments.chargeevent": {S: "view"},  # a charge's history, inline on its page
    "payments.chargeline": {S: "view"},
    "payments.processedevent": {},
    "payments.clinicattachmentlist": {},
    "payments.copaynotice": {S: "view"},
    "payments.refund": {S: "view"},
    "payments.refundevent": {S: "view"},  # a refund's history, inline on its page
    "payments.receipt": {S: "view"},  # 54-ФЗ receipts and «квитанции»: written by the services
    # shop: the tariff tables are versioned (a new version, not a deletion)
    "shop.tariffversion": {A: "view add change"},
    "shop.region": {A: "view add change"},
    "shop.baserate": {A: "view add change"},
    "shop.territorycoefficient": {A: "view add change"},
    "shop.bonusmalusclass": {A: "view add change"},
    "shop.ageexperiencecoefficient": {A: "view add change"},
    "shop.driverscoefficient": {A: "view add change"},
    "shop.powercoefficient": {A: "view add change"},
    "shop.seasoncoefficient": {A: "view add change"},
    "shop.violationscoefficient": {A: "view add change"},
    "shop.trailercoefficient": {A: "view add change"},
    "shop.quote": {},
    "shop.purchase": {},
    "shop.offer": {A: "view add change delete"},
    "shop.personalrate": {A: "view add change"},
    "shop.personaloption": {A: "view add change"},
    "shop.propertyrate": {A: "view add change"},
    "shop.kaskorate": {A: "view add change"},
    "shop.kaskodeductible": {A: "view add change"},
    "shop.kaskodrivercoefficient": {A: "view add change"},
    "shop.country": {A: "view add change"},
    "shop.currencyrate": {A: "view add change"},
    "shop.travelrate": {A: "view add change"},
    "shop.travelagecoefficient": {A: "view add change"},
    "shop.travelsportoption": {A: "view add change"},
    # employers
    "employers.employermanager": {A: "view add change delete"},
    "employers.importbatch": {H: "view add apply"},
    "employers.importrow": {},  # superusers only (its admin refuses anyone else)
    # HR managers choose them on the import page (employers.services.column_mappings_save);
    # the administrator corrects or forgets a wrong choice on the policyholder's page.
    "employers.columnmapping": {A: "view change delete"},
    "employers.invitation": {H: "view"},
}


@dataclass(frozen=True)
class Grant:
    app_label: str
    model_name: str
    action: str

    @property
    def codename(self) -> str:
        return f"{self.action}_{self.model_name}"


def grants(role: str) -> list[Grant]:
    """The role's permissions, in the matrix's order."""
    found = []
    for label, row in MATRIX.items():
        app_label, model_name = label.split(".")
        found += [Grant(app_label, model_name, action) for action in row.get(role, "").split()]
    return found


def permissions(role: str) -> set[str]:
    """The role's permissions as "app_label.codename", as User.has_perm names them."""
    return {f"{grant.app_label}.{grant.codename}" for grant in grants(role)}


def _permissions_ensure(apps) -> None:
    # Permissions are normally made after all migrations (post_migrate); the groups need them now.
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        # A historical app config has no models module, which create_permissions requires.
        models_module = getattr(app_config, "models_module", None)
        app_config.models_module = models_module or True
        try:
            create_permissions(app_config, apps=apps, verbosity=0)
        finally:
            app_config.models_module = models_module


def groups_sync(apps, schema_editor=None) -> None:
    """RunPython: each role's group holds exactly its matrix permissions (one added by hand is
    taken away). A permission whose model or custom permission does not exist yet at this point
    of the migrations is left for the later migration that brings it (and syncs again)."""
    _permissions_ensure(apps)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    existing = {
        (app_label, codename): pk
        for pk, app_label, codename in Permission.objects.values_list(
            "pk", "content_type__app_label", "codename"
        )
    }
    for role in ROLES:
        wanted = [(grant.app_label, grant.codename) for grant in grants(role)]
        group, _created = Group.objects.get_or_create(name=role)
        group.permissions.set([existing[key] for key in wanted if key in existing])


ACTIONS_ORDER = ("view", "add", "change", "delete")


def _cell(actions: str) -> str:
    given = actions.split()
    standard = [action for action in ACTIONS_ORDER if action in given]
    custom = [action for action in given if action not in ACTIONS_ORDER]
    return " · ".join(standard + [f"*{action}*" for action in custom]) or "—"


def model_titles() -> dict[str, str]:
    """Each model's label and its plural name in Russian, for the page's first column."""
    from django.apps import apps
    from django.utils import translation

    with translation.override("ru"):
        return {m._meta.label_lower: str(m._meta.verbose_name_plural) for m in apps.get_models()}


def matrix_markdown(titles: Mapping[str, str]) -> str:
    """docs/ROLES.md; `titles` names each model label (the models' verbose names)."""
    lines = [
        "# Staff roles",
        "",
        "<!-- Made from portal/core/roles.py by `python manage.py roles_doc`: do not edit. -->",
        "",
        "Each role is a group made by a migration (`portal.core.roles.groups_sync`) and holds",
        "exactly the permissions below; tests/core/test_roles.py holds the groups, this page and",
        "the list of models to it. A model of the project with no row fails that test: a new model",
        "adds its row to `MATRIX` and a migration that syncs the groups again.",
        "",
        "Superusers hold no group: they alone read the staff audit log, give rights and set",
        "passwords. The admin narrows some permissions further (an HR manager sees only their",
        "companies; an operator cannot change a staff account; service-written rows are",
        "read-only for everyone).",
        "",
        "## Roles",
        "",
    ]
    lines += [f"- **{role}** — {ROLE_DUTIES[role]}." for role in ROLES]
    lines += [
        "",
        "## Matrix",
        "",
        "view · add · change · delete are Django's permissions; *italic* ones are the model's own",
        "(*apply*: apply an employee list; *reconcile*, *refund*: act on a co-pay charge). "
        "— is none.",
        "",
        "| model | " + " | ".join(ROLES) + " |",
        "| --- | " + " | ".join("---" for _role in ROLES) + " |",
    ]
    for label, row in MATRIX.items():
        title = titles.get(label, "")
        name = f"`{label}` {title}".rstrip()
        lines.append(f"| {name} | " + " | ".join(_cell(row.get(role, "")) for role in ROLES) + " |")
    return "\n".join(lines) + "\n"
