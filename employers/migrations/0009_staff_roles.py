"""The staff roles of portal.core.roles as groups, each with exactly its permissions: the
support operator («Оператор») loses the network, the service-line editing and the ICD-10
dictionary, which go to the new network manager and register specialist (the dictionary
read-only); the administrator's group is new; the HR manager's is unchanged.

Reversed, the new groups are removed and the operator gets back what 0002, 0004 and
payments 0006 gave."""

import importlib

from django.db import migrations

from portal.core import roles

NEW_GROUPS = (roles.NETWORK_MANAGER, roles.REGISTER_SPECIALIST, roles.ADMINISTRATOR)


def operator_restore(apps, schema_editor) -> None:
    old = [
        *importlib.import_module("employers.migrations.0002_staff_groups").OPERATOR_PERMISSIONS,
        *importlib.import_module(
            "employers.migrations.0004_operator_permissions_registers_appeals"
        ).ADDED,
        *importlib.import_module("payments.migrations.0006_operator_copay_permissions").ADDED,
    ]
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    Group.objects.filter(name__in=NEW_GROUPS).delete()
    operator, _created = Group.objects.get_or_create(name=roles.SUPPORT_OPERATOR)
    operator.permissions.set(
        [
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
            for app_label, codename in old
        ]
    )


class Migration(migrations.Migration):
    dependencies = [
        ("employers", "0008_invitation_keys_indexed_by_their_pairs"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("axes", "0010_accessattemptexpiration"),
        ("core", "0001_initial"),
        ("accounts", "0002_accounts_security"),
        ("policies", "0005_register_indexes_only_where_looked_up"),
        ("clinics", "0002_saved_places_booking_history_reminders"),
        ("claims", "0004_icd10_dictionary"),
        ("feedback", "0004_appealmessage_notified_at"),
        ("payments", "0006_operator_copay_permissions"),
        ("shop", "0010_seed_travel_tariffs"),
    ]

    operations = [migrations.RunPython(roles.groups_sync, operator_restore)]
