"""Applying a checked list to the register: all or nothing, once.

The apply runs in one transaction that first locks the contract row (the import lock: one apply
per contract at a time) and the batch row (a second run of the same task waits, then finds the
batch applied and does nothing). It refuses when the register changed after the check, so that
what the HR manager saw in the diff is what is written. New persons, their DMS policies and their
invitations are written by one INSERT ... SELECT each over the staged rows; changed and removed
persons are updated from the staged rows in chunks, with their policies; nobody is ever deleted.
"""

from collections.abc import Iterable
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from policies.models import Contract, InsuredPerson, Policy, PolicyLink
from portal.core.bulk import Sql, analyze, copy_rows, insert_select

from ..models import ImportBatch, ImportRow, Invitation
from ..progress import progress_clear, progress_set
from .checking import CHUNK_ROWS, _chunks, register_fingerprint
from .register import VZR_COLUMNS, medical_policies_sync, vzr_policy_row

# A constraint as PostgreSQL names it, or as SQLite does (by its columns), and what it means.
KNOWN_CONSTRAINTS = {
    "policy_number_per_product": gettext_lazy("номер полиса ДМС или ВЗР уже занят другим полисом"),
    "policies_policy.product, policies_policy.number": gettext_lazy(
        "номер полиса ДМС или ВЗР уже занят другим полисом"
    ),
    "policy_number_key": gettext_lazy("номер полиса уже занят другим застрахованным"),
    "policies_insuredperson.policy_number": gettext_lazy(
        "номер полиса уже занят другим застрахованным"
    ),
    "insured_child_has_parent": gettext_lazy("у ребёнка нет родителя"),
    "insured_ends_after_start": gettext_lazy("дата окончания раньше даты начала"),
    "policy_ends_after_start": gettext_lazy("дата окончания полиса раньше даты начала"),
}
# A list this large refreshes the planner's statistics of the register before it commits (the
# next check joins it at once).
ANALYZE_AFTER = 10_000
PERSON_FIELDS = (
    "last_name",
    "first_name",
    "middle_name",
    "birth_date",
    "email",
    "phone",
    "program",
    "starts_on",
    "ends_on",
    "relation",
    "parent",
    "updated_at",
)


def import_batch_apply_request(*, batch: ImportBatch, user, skip_invalid: bool) -> ImportBatch:
    """The HR manager pressed «Применить»: mark the batch and queue the apply after commit."""
    from ..tasks import import_batch_apply_task

    with transaction.atomic():
        locked = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        if locked.status != ImportBatch.Status.CHECKED:
            raise ValidationError(
                _("Этот список нельзя применить: он %(status)s.")
                % {"status": locked.get_status_display()}
            )
        if locked.rows_invalid and not skip_invalid:
            raise ValidationError(
                _(
                    "В списке есть строки с ошибками (%(count)s). Исправьте файл и загрузите его "
                    "заново или отметьте «Пропустить строки с ошибками»."
                )
                % {"count": locked.rows_invalid}
            )
        if locked.rows_total == locked.rows_invalid:
            raise ValidationError(_("В списке нет ни одной строки без ошибок."))
        locked.status = ImportBatch.Status.APPLYING
        locked.skip_invalid = bool(locked.rows_invalid)
        locked.applied_by = user
        locked.message = ""
        locked.save(update_fields=["status", "skip_invalid", "applied_by", "message", "updated_at"])
        transaction.on_commit(lambda: import_batch_apply_task.delay(locked.pk))
    return locked


def import_batch_recheck(*, batch: ImportBatch) -> ImportBatch:
    """Check a stale or checked batch again against today's register (the same stored file)."""
    from ..tasks import import_batch_check_task

    with transaction.atomic():
        locked = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        if locked.status not in (ImportBatch.Status.CHECKED, ImportBatch.Status.STALE):
            raise ValidationError(
                _("Этот список нельзя проверить заново: он %(status)s.")
                % {"status": locked.get_status_display()}
            )
        locked.status = ImportBatch.Status.UPLOADED
        locked.save(update_fields=["status", "updated_at"])
        transaction.on_commit(lambda: import_batch_check_task.delay(locked.pk))
    return locked


def import_batch_apply(*, batch_id: int) -> ImportBatch:
    """Apply a batch marked APPLYING; a database error rolls everything back and is reported on
    the batch. Safe to run twice."""
    contract_id = ImportBatch.objects.values_list("contract_id", flat=True).get(pk=batch_id)
    try:
        with transaction.atomic():
            contract = Contract.objects.select_for_update().get(pk=contract_id)
            batch = ImportBatch.objects.select_for_update().get(pk=batch_id)
            batch.contract = contract
            if batch.status != ImportBatch.Status.APPLYING:
                return batch
            if register_fingerprint(contract) != batch.register_fingerprint:
                batch.status = ImportBatch.Status.STALE
                batch.message = _(
                    "Реестр договора изменился после проверки этого списка (применён другой "
                    "список или изменены данные). Ничего не записано: проверьте список заново."
                )
                batch.save(update_fields=["status", "message", "updated_at"])
                return batch
            result = _apply(batch)
            batch.status = ImportBatch.Status.APPLIED
            batch.applied_at = timezone.now()
            batch.result = result
            batch.save()
            if result["invitations"]:
                from ..tasks import invitations_send_task

                transaction.on_commit(lambda: invitations_send_task.delay(batch_id))
    except DatabaseError as exc:
        return import_batch_fail(batch_id=batch_id, reason=_constraint_reason(exc))
    finally:
        progress_clear(batch_id)
    return batch


def import_batch_fail(*, batch_id: int, reason: str) -> ImportBatch:
    """Record that the apply wrote nothing, and why."""
    with transaction.atomic():
        batch = ImportBatch.objects.select_for_update().get(pk=batch_id)
        if batch.status == ImportBatch.Status.APPLYING:
            batch.status = ImportBatch.Status.FAILED
            batch.message = _(
                "Список не применён, в реестре ничего не изменилось: %(reason)s. Исправьте файл "
                "и загрузите его заново."
            ) % {"reason": reason}
            batch.save(update_fields=["status", "message", "updated_at"])
    return batch


def _constraint_reason(exc: DatabaseError) -> str:
    # The database's own message may quote row values; only the constraint's meaning is shown.
    text = str(exc)
    for name, meaning in KNOWN_CONSTRAINTS.items():
        if name in text:
            return str(meaning)
    return _("база данных отклонила изменения")


def _apply(batch: ImportBatch) -> dict[str, int]:
    today = timezone.localdate()
    total = batch.to_add + batch.to_change + batch.to_remove
    done = 0

    def advance(count: int) -> None:
        nonlocal done
        done += count
        progress_set(batch.pk, phase="apply", done=done, total=total)

    if batch.to_add:
        advance(_persons_add(batch, today=today))

    changed = ImportRow.objects.filter(batch=batch, action=ImportRow.Action.CHANGE).select_related(
        "program"
    )
    for chunk in _chunks(changed):
        _persons_change(batch, chunk, today=today)
        advance(len(chunk))

    removed = ImportRow.objects.filter(batch=batch, action=ImportRow.Action.REMOVE)
    for chunk in _chunks(removed):
        _persons_remove(batch, chunk, today=today)
        advance(len(chunk))

    if total >= ANALYZE_AFTER:
        analyze(InsuredPerson)
    return {
        "added": batch.to_add,
        "changed": batch.to_change,
        "removed": batch.to_remove,
        "unchanged": batch.unchanged,
        "skipped": batch.rows_invalid,
        "invitations": Invitation.objects.filter(batch=batch).count(),
    }


def _parent_ids(rows: Iterable[ImportRow]) -> dict[str, int]:
    numbers = {row.parent_number for row in rows if row.parent_number}
    if not numbers:
        return {}
    return dict(
        InsuredPerson.objects.filter(policy_number__in=numbers).values_list("policy_number", "id")
    )


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _persons_add(batch: ImportBatch, *, today) -> int:
    """The ADD rows become register persons with their policies and invitations, each table in
    one statement over the staged rows (employees first: children's parents are found by number,
    among them or in the register); returns how many persons were added."""
    rows, persons = _table(ImportRow), _table(InsuredPerson)
    staged = f"FROM {rows} r WHERE r.batch_id = %s AND r.action = %s"
    person_columns = {
        name: Sql(f"r.{name}")
        for name in (
            "policy_number",
            "last_name",
            "first_name",
            "middle_name",
            "birth_date",
            "email",
            "phone",
            "program_id",
            "starts_on",
            "ends_on",
            "relation",
        )
    }
    added = 0
    for relation, parent in (
        (InsuredPerson.Relation.EMPLOYEE, None),
        (
            InsuredPerson.Relation.CHILD,
            Sql(f"(SELECT p.id FROM {persons} p WHERE p.policy_number = r.parent_number)"),  # noqa: S608
        ),
    ):
        added += insert_select(
            InsuredPerson,
            {**person_columns, "contract": batch.contract_id, "parent_id": parent},
            f"{staged} AND r.relation = %s ORDER BY r.id",
            [batch.pk, ImportRow.Action.ADD, relation],
        )
    # The new persons, joined to their staged rows by the (unique) policy number.
    new = f"FROM {rows} r JOIN {persons} p ON p.policy_number = r.policy_number"
    where = "WHERE r.batch_id = %s AND r.action = %s"
    insert_select(
        Policy,
        {
            "product": Policy.Product.DMS,
            "number": Sql("p.policy_number"),
            "insured_person_id": Sql("p.id"),
            "starts_on": Sql("p.starts_on"),
            "ends_on": Sql("p.ends_on"),
            # policy_status_for: expired once past its end, else in force (or about to be).
            "status": Sql(
                "CASE WHEN p.ends_on < %s THEN %s ELSE %s END",
                connection.ops.adapt_datefield_value(today),
                Policy.Status.EXPIRED,
                Policy.Status.ACTIVE,
            ),
            "premium": Decimal("0"),
        },
        f"{new} {where} ORDER BY r.id",
        [batch.pk, ImportRow.Action.ADD],
    )
    # ВЗР numbers are made from the DMS number's digits, in Python (no portable SQL for it): the
    # staged rows by keyset, each with its new person's id (an index probe per row).
    vzr = ImportRow.objects.filter(
        batch=batch, action=ImportRow.Action.ADD, program__includes_vzr=True
    ).values_list(
        "pk",
        Subquery(
            InsuredPerson.objects.filter(policy_number=OuterRef("policy_number")).values("pk")[:1]
        ),
        "policy_number",
        "starts_on",
        "ends_on",
    )
    for chunk in _chunks(vzr):
        rows = [vzr_policy_row(*person, today=today) for _pk, *person in chunk]
        copy_rows(Policy, VZR_COLUMNS, rows)
    # A new person has no invitation yet: nothing to skip, so no conflict handling is needed.
    insert_select(
        Invitation,
        {"insured_person_id": Sql("p.id"), "email": Sql("p.email"), "batch": batch.pk},
        f"{new} {where} AND r.email <> '' ORDER BY r.id",
        [batch.pk, ImportRow.Action.ADD],
    )
    return added


def _persons_change(batch: ImportBatch, chunk: list[ImportRow], *, today) -> None:
    now = timezone.now()
    parents = _parent_ids(chunk)
    persons = InsuredPerson.objects.in_bulk([row.person_id for row in chunk])
    changed = []
    new_addresses = []
    for row in chunk:
        person = persons[row.person_id]
        if row.email and row.email != person.email:
            new_addresses.append((person.pk, row.email))
        person.last_name = row.last_name
        person.first_name = row.first_name
        person.middle_name = row.middle_name
        person.birth_date = row.birth_date
        person.email = row.email
        person.phone = row.phone
        person.program = row.program
        person.starts_on = row.starts_on
        person.ends_on = row.ends_on
        person.relation = row.relation
        person.parent_id = parents.get(row.parent_number) if row.parent_number else None
        person.updated_at = now
        changed.append(person)
    InsuredPerson.objects.bulk_update(changed, PERSON_FIELDS, batch_size=CHUNK_ROWS)
    medical_policies_sync(changed, today=today)
    _invitations_create(batch, new_addresses)


def _persons_remove(batch: ImportBatch, chunk: list[ImportRow], *, today) -> None:
    now = timezone.now()
    persons = InsuredPerson.objects.select_related("program").in_bulk(
        [row.person_id for row in chunk]
    )
    leaving = []
    cancelled = set()
    for row in chunk:
        person = persons[row.person_id]
        if person.starts_on >= batch.effective_date:
            cancelled.add(person.pk)
        person.ends_on = row.ends_on
        person.updated_at = now
        leaving.append(person)
    InsuredPerson.objects.bulk_update(leaving, ["ends_on", "updated_at"], batch_size=CHUNK_ROWS)
    medical_policies_sync(leaving, today=today, cancelled=cancelled)


def _invitations_create(batch: ImportBatch, addresses: list[tuple[int, str]]) -> None:
    """An invitation per person and new address, unless the person has a cabinet already; an
    address invited before is not invited again (the unique pair)."""
    if not addresses:
        return
    activated = set(
        PolicyLink.objects.filter(
            insured_person_id__in=[pk for pk, _email in addresses], unlinked_at__isnull=True
        ).values_list("insured_person_id", flat=True)
    )
    addresses = [(pk, email) for pk, email in addresses if pk not in activated]
    Invitation.objects.bulk_create(
        [Invitation(insured_person_id=pk, email=email, batch=batch) for pk, email in addresses],
        ignore_conflicts=True,
        batch_size=CHUNK_ROWS,
    )
