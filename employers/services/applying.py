"""Applying a checked list to the register: all or nothing, once.

The apply runs in one transaction that first locks the contract row (the import lock: one apply
per contract at a time) and the batch row (a second run of the same task waits, then finds the
batch applied and does nothing). It refuses when the register changed after the check, so that
what the HR manager saw in the diff is what is written. New persons, their DMS policies and their
invitations are written by one INSERT ... SELECT each over the staged rows; changed and removed
persons are updated from the staged rows in chunks, with their policies; nobody is ever deleted.
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction
from django.db.models import Exists, OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from policies.models import Contract, InsuredPerson, Policy, PolicyLink, Program
from portal.core import outbox
from portal.core.bulk import Sql, analyze, copy_rows, insert_select, sort_memory_local

from ..models import ImportBatch, ImportRow, Invitation
from ..progress import progress_clear, progress_set
from .checking import REGISTER_FIELDS, _chunks, register_fingerprint
from .register import VZR_COLUMNS, VZR_PRODUCT_DATA, vzr_number, vzr_policy_row

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
# Memory for each sort of the apply's statements (work_mem, for the apply's transaction only).
APPLY_SORT_MB = 64
# The register's columns the next check joins and filters on (autovacuum analyzes the rest).
REGISTER_KEYS = ("id", "policy_number", "contract", "parent", "program", "ends_on")
# What a CHANGE row writes over its person (and the parent, found by number).
CHANGED_FIELDS = REGISTER_FIELDS


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
        outbox.send(import_batch_apply_task, locked.pk)
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
        outbox.send(import_batch_check_task, locked.pk)
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
            stale = _stale_reason(batch)
            if stale:
                batch.status = ImportBatch.Status.STALE
                batch.message = stale
                batch.save(update_fields=["status", "message", "updated_at"])
                return batch
            # The inserts order 100,000 joined rows by the file's order (~15 MB to sort).
            sort_memory_local(APPLY_SORT_MB)
            result = _apply(batch)
            batch.status = ImportBatch.Status.APPLIED
            batch.applied_at = timezone.now()
            batch.result = result
            batch.save()
            if result["invitations"]:
                from ..tasks import invitations_send_task

                outbox.send(invitations_send_task, batch_id)
    except DatabaseError as exc:
        return import_batch_fail(batch_id=batch_id, reason=_constraint_reason(exc))
    finally:
        progress_clear(batch_id)
    return batch


def _stale_reason(batch: ImportBatch) -> str:
    """Why the batch's diff no longer describes what its apply would write, or ""."""
    if register_fingerprint(batch.contract) != batch.register_fingerprint:
        return _(
            "Реестр договора изменился после проверки этого списка (применён другой "
            "список или изменены данные). Ничего не записано: проверьте список заново."
        )
    # The staged rows live in an UNLOGGED table (migration 0006): a crash of the database empties
    # it, and an apply from fewer rows than the check counted would silently write less.
    if ImportRow.objects.filter(batch=batch).count() != batch.rows_total + batch.to_remove:
        return _(
            "Результат проверки этого списка утерян (сбой сервера базы данных). Ничего не "
            "записано: проверьте список заново."
        )
    return ""


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

    assigned = 0
    if batch.to_add:
        assigned = _numbers_assign(batch)
        advance(_persons_add(batch, today=today))

    if batch.to_change:
        _persons_change(batch, today=today)
        advance(batch.to_change)
    if batch.to_remove:
        _persons_remove(batch, today=today)
        advance(batch.to_remove)

    if total >= ANALYZE_AFTER:
        analyze(InsuredPerson, REGISTER_KEYS)
    return {
        "added": batch.to_add,
        "changed": batch.to_change,
        "removed": batch.to_remove,
        "unchanged": batch.unchanged,
        "skipped": batch.rows_invalid,
        "invitations": Invitation.objects.filter(batch=batch).count(),
        "numbers_assigned": assigned,
    }


# How many times a block of new numbers is moved on past numbers the register has already.
NUMBER_ATTEMPTS = 5
NUMBER_DIGITS = 6
NUMBER_MAX_LENGTH = 32


def number_prefix(contract: Contract) -> str:
    """The contract's number as the start of the policy numbers it assigns (the characters a
    policy number may hold, short enough to leave room for the serial)."""
    kept = "".join(ch for ch in contract.number if ch.isalnum() or ch in "-/.").strip("-/.")
    return (kept or "ДМС")[: NUMBER_MAX_LENGTH - NUMBER_DIGITS - 2]


def _numbers_assign(batch: ImportBatch) -> int:
    """The ADD rows without a policy number get the next numbers of the contract's numbering
    («<contract number>-000001», in the file's order), in one statement. The contract row is
    locked by the apply, so two applies never take the same serial, and its counter only grows:
    a number is never given twice, even when an apply that took it fails (the counter is
    rolled back with it and nothing was issued). A block that would reuse a number the register
    has (typed in by hand) is moved on past it."""
    rows = _table(ImportRow)
    waiting = ImportRow.objects.filter(batch=batch, action=ImportRow.Action.ADD, policy_number="")
    count = waiting.count()
    if not count:
        return 0
    contract = batch.contract
    prefix = number_prefix(contract) + "-"
    start = contract.policy_serial
    for _attempt in range(NUMBER_ATTEMPTS):
        width = max(NUMBER_DIGITS, len(str(start + count)))
        if connection.vendor == "postgresql":
            number = f"%s || lpad((%s + s.n)::text, {width}, '0')"
        else:
            number = f"%s || printf('%%0{width}d', %s + s.n)"
        wanted = [prefix + str(start + n).zfill(width) for n in (1, count)]
        # Any register number between the block's first and last (an index range, whatever the
        # block's size; a false alarm only moves the block on).
        if not InsuredPerson.objects.filter(
            policy_number__gte=wanted[0], policy_number__lte=wanted[1]
        ).exists():
            break
        start += count
    else:
        raise DatabaseError("policy_number_key")
    with connection.cursor() as cursor:
        cursor.execute(
            f"""UPDATE {rows} SET policy_number = {number}
            FROM (SELECT id, row_number() OVER (ORDER BY id) AS n FROM {rows}
                  WHERE batch_id = %s AND action = %s AND policy_number = '') s
            WHERE {rows}.id = s.id""",  # noqa: S608 (names quoted from the models)
            [prefix, start, batch.pk, ImportRow.Action.ADD],
        )
    Contract.objects.filter(pk=contract.pk).update(policy_serial=start + count)
    contract.policy_serial = start + count
    return count


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _persons_add(batch: ImportBatch, *, today) -> int:
    """The ADD rows become register persons with their policies and invitations, each table in
    one statement over the staged rows (employees first: children's parents are found by number,
    among them or in the register); returns how many persons were added."""
    rows, persons = _table(ImportRow), _table(InsuredPerson)
    staged = f"FROM {rows} r WHERE r.batch_id = %s AND r.action = %s"
    person_columns = {name: Sql(f"r.{name}") for name in ("policy_number", *REGISTER_FIELDS)}
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
    # A new person's policy: the person's term, and a status by its dates.
    term = {
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
    }
    insert_select(
        Policy,
        {"product": Policy.Product.DMS, "number": Sql("p.policy_number"), **term},
        f"{new} {where} ORDER BY r.id",
        [batch.pk, ImportRow.Action.ADD],
    )
    if connection.vendor == "postgresql":
        # The ВЗР number is the DMS number's digits (vzr_number): the only digits an added row's
        # number may hold are 0-9 (POLICY_NUMBER_RE), so a pattern keeps the same ones.
        digits = Sql("%s || regexp_replace(p.policy_number, '[^0-9]+', '', 'g')", vzr_number(""))
        insert_select(
            Policy,
            {
                "product": Policy.Product.VZR,
                "number": digits,
                **term,
                "product_data": VZR_PRODUCT_DATA,
            },
            f"{new} JOIN {_table(Program)} g ON g.id = r.program_id {where} AND g.includes_vzr "
            "ORDER BY r.id",
            [batch.pk, ImportRow.Action.ADD],
        )
    else:
        _vzr_add_by_rows(batch, today=today)
    # A new person has no invitation yet: nothing to skip, so no conflict handling is needed.
    insert_select(
        Invitation,
        {"insured_person_id": Sql("p.id"), "email": Sql("p.email"), "batch": batch.pk},
        f"{new} {where} AND r.email <> '' ORDER BY r.id",
        [batch.pk, ImportRow.Action.ADD],
    )
    return added


def _vzr_add_by_rows(batch: ImportBatch, *, today) -> None:
    """The added persons' ВЗР policies, numbered in Python (SQLite has no pattern replace): the
    staged rows by keyset, each with its new person's id (an index probe per row)."""
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


def _persons_change(batch: ImportBatch, *, today) -> None:
    """The CHANGE rows written over their persons in one UPDATE ... FROM, new addresses invited
    first (they are told from the old ones), then the persons' policies brought in step."""
    rows, persons = _table(ImportRow), _table(InsuredPerson)
    links, invitations = _table(PolicyLink), _table(Invitation)
    # An invitation per person and new address, unless the person has a cabinet already; an
    # address invited before is not invited again (the unique pair).
    insert_select(
        Invitation,
        {"insured_person_id": Sql("p.id"), "email": Sql("r.email"), "batch": batch.pk},
        f"""FROM {rows} r JOIN {persons} p ON p.id = r.person_id
        WHERE r.batch_id = %s AND r.action = %s AND r.email <> '' AND r.email <> p.email
        AND NOT EXISTS (SELECT 1 FROM {links} l
                        WHERE l.insured_person_id = p.id AND l.unlinked_at IS NULL)
        AND NOT EXISTS (SELECT 1 FROM {invitations} i
                        WHERE i.insured_person_id = p.id AND i.email = r.email)
        ORDER BY r.id""",  # noqa: S608 (names quoted from the models; values are parameters)
        [batch.pk, ImportRow.Action.CHANGE],
    )
    quote = connection.ops.quote_name
    assigned = ", ".join(f"{quote(name)} = r.{quote(name)}" for name in CHANGED_FIELDS)
    parent = f"(SELECT q.id FROM {persons} q WHERE q.policy_number = r.parent_number)"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(
            f"""UPDATE {persons} SET {assigned}, parent_id = {parent}, updated_at = %s
            FROM {rows} r
            WHERE r.person_id = {persons}.id AND r.batch_id = %s AND r.action = %s""",  # noqa: S608
            [timezone.now(), batch.pk, ImportRow.Action.CHANGE],
        )
    _policies_sync(batch, ImportRow.Action.CHANGE, today=today)


def _persons_remove(batch: ImportBatch, *, today) -> None:
    """The REMOVE rows' new end written over their persons (one UPDATE ... FROM); the policies of
    those whose cover had not started yet are cancelled, the others' end with them."""
    rows, persons = _table(ImportRow), _table(InsuredPerson)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""UPDATE {persons} SET ends_on = r.ends_on, updated_at = %s
            FROM {rows} r
            WHERE r.person_id = {persons}.id AND r.batch_id = %s AND r.action = %s""",  # noqa: S608
            [timezone.now(), batch.pk, ImportRow.Action.REMOVE],
        )
    _policies_sync(batch, ImportRow.Action.REMOVE, today=today, cancel_from=batch.effective_date)


def _policies_sync(batch: ImportBatch, action: str, *, today, cancel_from=None) -> None:
    """medical_policies_sync over the persons of the batch's `action` rows, in a few statements:
    DMS, and ВЗР while the program includes it, take the person's term and a status by the dates
    (cancelled for a person whose cover starts on or after `cancel_from`); a ВЗР policy the program
    no longer includes is cancelled; a missing one is issued."""
    policies, persons, rows = _table(Policy), _table(InsuredPerson), _table(ImportRow)
    programs = _table(Program)
    cancelled = "p.starts_on >= %s" if cancel_from else "1 = 0"
    status = f"CASE WHEN {cancelled} THEN %s WHEN p.ends_on < %s THEN %s ELSE %s END"
    status_params = [
        *([connection.ops.adapt_datefield_value(cancel_from)] if cancel_from else []),
        Policy.Status.CANCELLED,
        connection.ops.adapt_datefield_value(today),
        Policy.Status.EXPIRED,
        Policy.Status.ACTIVE,
    ]
    theirs = (
        f"FROM {persons} p JOIN {rows} r ON r.person_id = p.id "
        f"JOIN {programs} g ON g.id = p.program_id WHERE r.batch_id = %s AND r.action = %s"
    )
    now = timezone.now()
    dms, vzr = Policy.Product.DMS, Policy.Product.VZR
    with connection.cursor() as cursor:
        cursor.execute(
            f"""UPDATE {policies} SET starts_on = p.starts_on, ends_on = p.ends_on,
                status = {status}, updated_at = %s
            {theirs} AND {policies}.insured_person_id = p.id
            AND ({policies}.product = %s OR ({policies}.product = %s AND g.includes_vzr))
            AND NOT ({policies}.starts_on = p.starts_on AND {policies}.ends_on = p.ends_on
                     AND {policies}.status = {status})""",  # noqa: S608
            [*status_params, now, batch.pk, action, dms, vzr, *status_params],
        )
        cursor.execute(
            f"""UPDATE {policies} SET status = %s, updated_at = %s
            {theirs} AND {policies}.insured_person_id = p.id AND {policies}.product = %s
            AND NOT g.includes_vzr AND {policies}.status <> %s""",  # noqa: S608
            [Policy.Status.CANCELLED, now, batch.pk, action, vzr, Policy.Status.CANCELLED],
        )
    missing = f"NOT EXISTS (SELECT 1 FROM {policies} x WHERE x.insured_person_id = p.id AND x.product = %s)"  # noqa: E501, S608
    insert_select(
        Policy,
        {
            "product": dms,
            "number": Sql("p.policy_number"),
            "insured_person_id": Sql("p.id"),
            "starts_on": Sql("p.starts_on"),
            "ends_on": Sql("p.ends_on"),
            "status": Sql(status, *status_params),
            "premium": Decimal("0"),
        },
        f"{theirs} AND {missing} ORDER BY r.id",
        [batch.pk, action, dms],
    )
    # A missing ВЗР policy: its number from the DMS number's digits, in Python.
    wanted = ImportRow.objects.filter(
        batch=batch, action=action, person__program__includes_vzr=True
    ).exclude(Exists(Policy.objects.filter(insured_person=OuterRef("person_id"), product=vzr)))
    chunks = _chunks(
        wanted.values_list(
            "pk", "person_id", "person__policy_number", "person__starts_on", "person__ends_on"
        )
    )
    for chunk in chunks:
        new = []
        for _pk, person_id, number, starts_on, ends_on in chunk:
            row = vzr_policy_row(person_id, number, starts_on, ends_on, today=today)
            if cancel_from and starts_on >= cancel_from:
                row = (*row[:5], Policy.Status.CANCELLED, *row[6:])
            new.append(row)
        copy_rows(Policy, VZR_COLUMNS, new)
