"""The staff groups «HR-менеджер» and «Оператор» with their named permissions, and nothing more.

Run again (or after a permission was added by hand), it puts each group back to exactly this list.
Admins are superusers and need no group.
"""

from django.db import migrations

HR_GROUP = "HR-менеджер"
OPERATOR_GROUP = "Оператор"

# (app label, codename). HR managers: their companies' contracts and insured persons (the admin
# limits them to their companies), the list imports; never medical data, appeals or users.
HR_PERMISSIONS = [
    ("policies", "view_contract"),
    ("policies", "view_program"),
    ("policies", "view_insuredperson"),
    ("policies", "change_insuredperson"),
    ("employers", "view_importbatch"),
    ("employers", "add_importbatch"),
    ("employers", "apply_importbatch"),
    ("employers", "view_invitation"),
]

# Support operators: appeals, claims, clinics and schedules, service registers, users (the admin
# masks passports and keeps staff accounts out of their reach), lifting login lockouts.
OPERATOR_PERMISSIONS = [
    ("feedback", "view_appeal"),
    ("feedback", "change_appeal"),
    ("feedback", "view_appealmessage"),
    ("feedback", "add_appealmessage"),
    ("feedback", "view_guaranteeletter"),
    ("feedback", "change_guaranteeletter"),
    ("claims", "view_claim"),
    ("claims", "change_claim"),
    ("claims", "view_claimevent"),
    ("claims", "view_claimdocument"),
    ("claims", "view_serviceline"),
    ("claims", "add_serviceline"),
    ("claims", "change_serviceline"),
    ("clinics", "view_clinic"),
    ("clinics", "add_clinic"),
    ("clinics", "change_clinic"),
    ("clinics", "view_doctor"),
    ("clinics", "add_doctor"),
    ("clinics", "change_doctor"),
    ("clinics", "view_slot"),
    ("clinics", "add_slot"),
    ("clinics", "change_slot"),
    ("clinics", "view_programclinic"),
    ("clinics", "add_programclinic"),
    ("clinics", "change_programclinic"),
    ("clinics", "view_appointment"),
    ("clinics", "change_appointment"),
    ("accounts", "view_user"),
    ("accounts", "change_user"),
    ("accounts", "view_consent"),
    ("policies", "view_policyholder"),
    ("policies", "view_contract"),
    ("policies", "view_program"),
    ("policies", "view_carekind"),
    ("policies", "view_insuredperson"),
    ("policies", "view_policy"),
    ("policies", "view_policylink"),
    ("axes", "view_accessattempt"),
    ("axes", "delete_accessattempt"),
    ("axes", "view_accessfailurelog"),
    ("axes", "view_accesslog"),
]


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


def groups_ensure(apps, schema_editor) -> None:
    _permissions_ensure(apps)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, wanted in ((HR_GROUP, HR_PERMISSIONS), (OPERATOR_GROUP, OPERATOR_PERMISSIONS)):
        permissions = []
        for app_label, codename in wanted:
            permissions.append(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )
        group, _created = Group.objects.get_or_create(name=name)
        group.permissions.set(permissions)


def groups_empty(apps, schema_editor) -> None:
    Group = apps.get_model("auth", "Group")
    for group in Group.objects.filter(name__in=[HR_GROUP, OPERATOR_GROUP]):
        group.permissions.clear()


class Migration(migrations.Migration):
    dependencies = [
        ("employers", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("accounts", "0001_initial"),
        ("policies", "0001_initial"),
        ("claims", "0001_initial"),
        ("clinics", "0001_initial"),
        ("feedback", "0001_initial"),
        ("axes", "0010_accessattemptexpiration"),
    ]

    operations = [migrations.RunPython(groups_ensure, groups_empty)]
