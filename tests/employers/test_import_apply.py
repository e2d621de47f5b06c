"""Applying a checked list: persons and their DMS/ВЗР policies, idempotence, all-or-nothing,
skipped rows, removals, and the cabinet invitations sent once."""

import datetime

import pytest
from django.core import mail
from django.db import IntegrityError, transaction

from employers.models import ImportBatch, ImportRow, Invitation
from employers.services import applying
from employers.services.applying import import_batch_apply, import_batch_apply_request
from employers.services.invitations import invitations_send
from employers.services.register import medical_policies_new
from policies.models import InsuredPerson, Policy
from tests.factories import InsuredPersonFactory, PolicyFactory, PolicyLinkFactory, UserFactory

from .conftest import checked_batch, child_row, csv_bytes, email_for, person_row, ru, today

LIST = [
    person_row("А-0001"),
    person_row("А-0002", **{"Фамилия": "Смирнова", "Код программы": "ВЗР+"}),
    child_row("А-0003", parent="А-0002"),
]


def applied(batch: ImportBatch, user, *, skip_invalid: bool = False) -> ImportBatch:
    import_batch_apply_request(batch=batch, user=user, skip_invalid=skip_invalid)
    return import_batch_apply(batch_id=batch.pk)


def register_state(contract) -> list[tuple]:
    """Everything the apply may write, to compare before and after."""
    people = list(
        InsuredPerson.objects.filter(contract=contract)
        .order_by("policy_number")
        .values_list(
            "policy_number",
            "last_name",
            "email",
            "program__code",
            "starts_on",
            "ends_on",
            "parent__policy_number",
            "updated_at",
        )
    )
    policies = list(
        Policy.objects.filter(insured_person__contract=contract)
        .order_by("product", "number")
        .values_list("product", "number", "starts_on", "ends_on", "status", "updated_at")
    )
    return [*people, *policies, Invitation.objects.count()]


def test_apply_adds_people_with_their_dms_and_vzr_policies(contract, hr_user):
    # given
    batch = checked_batch(contract, hr_user, csv_bytes(LIST))

    # when
    batch = applied(batch, hr_user)

    # then
    assert batch.status == ImportBatch.Status.APPLIED, batch.message
    assert batch.result["added"] == 3
    people = {p.policy_number: p for p in InsuredPerson.objects.filter(contract=contract)}
    assert set(people) == {"А-0001", "А-0002", "А-0003"}
    assert people["А-0003"].parent == people["А-0002"]
    assert people["А-0003"].relation == InsuredPerson.Relation.CHILD
    dms = Policy.objects.get(product=Policy.Product.DMS, number="А-0002")
    assert dms.insured_person == people["А-0002"]
    assert (dms.starts_on, dms.ends_on, dms.status) == (
        contract.starts_on,
        contract.ends_on,
        Policy.Status.ACTIVE,
    )
    assert Policy.objects.filter(
        product=Policy.Product.VZR, insured_person=people["А-0002"]
    ).exists()
    assert not Policy.objects.filter(
        product=Policy.Product.VZR, insured_person=people["А-0001"]
    ).exists()


def test_applying_the_same_file_again_finds_and_changes_nothing(contract, hr_user):
    # given: the list applied once
    applied(checked_batch(contract, hr_user, csv_bytes(LIST)), hr_user)
    before = register_state(contract)

    # when: the same file is uploaded again
    again = checked_batch(contract, hr_user, csv_bytes(LIST))

    # then: the diff is empty, and applying it writes nothing
    assert (again.to_add, again.to_change, again.to_remove, again.unchanged) == (0, 0, 0, 3)
    again = applied(again, hr_user)
    assert again.status == ImportBatch.Status.APPLIED
    assert register_state(contract) == before


def test_the_same_batch_applied_twice_is_applied_once(contract, hr_user):
    batch = applied(checked_batch(contract, hr_user, csv_bytes(LIST)), hr_user)
    before = register_state(contract)

    import_batch_apply(batch_id=batch.pk)  # a redelivered task

    assert register_state(contract) == before


def test_changes_and_removals_update_people_and_policies_and_delete_nobody(contract, hr_user):
    # given: the list applied; one person starts next month
    later = today() + datetime.timedelta(days=30)
    first = [*LIST, person_row("А-0004", **{"Дата начала": ru(later)})]
    applied(checked_batch(contract, hr_user, csv_bytes(first)), hr_user)

    # when: a new list changes one person, moves one off ВЗР and leaves out two
    second = [
        person_row("А-0002", **{"Фамилия": "Петрова", "Код программы": "БАЗ"}),
        child_row("А-0003", parent="А-0002"),
    ]
    batch = checked_batch(contract, hr_user, csv_bytes(second), effective=today())
    assert (batch.to_change, batch.to_remove) == (1, 2)
    batch = applied(batch, hr_user)

    # then
    yesterday = today() - datetime.timedelta(days=1)
    changed = InsuredPerson.objects.get(policy_number="А-0002")
    assert (changed.last_name, changed.program.code) == ("Петрова", "БАЗ")
    vzr = Policy.objects.get(product=Policy.Product.VZR, insured_person=changed)
    assert vzr.status == Policy.Status.CANCELLED
    removed = InsuredPerson.objects.get(policy_number="А-0001")
    assert removed.ends_on == yesterday
    removed_policy = Policy.objects.get(product=Policy.Product.DMS, number="А-0001")
    assert removed_policy.ends_on == yesterday
    not_started = InsuredPerson.objects.get(policy_number="А-0004")
    assert not_started.ends_on == not_started.starts_on == later
    assert Policy.objects.get(number="А-0004").status == Policy.Status.CANCELLED
    assert InsuredPerson.objects.filter(contract=contract).count() == 4  # nobody deleted


def test_a_list_with_errors_is_not_applied_unless_the_bad_rows_are_skipped(contract, hr_user):
    # given
    rows = [*LIST, person_row("А-0005", **{"Дата рождения": "вчера"})]
    batch = checked_batch(contract, hr_user, csv_bytes(rows))
    assert batch.rows_invalid == 1

    # when / then: refused as is
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="строки с ошибками"):
        import_batch_apply_request(batch=batch, user=hr_user, skip_invalid=False)
    assert not InsuredPerson.objects.filter(contract=contract).exists()

    # and applied without the bad row when the HR manager chooses so
    batch = applied(batch, hr_user, skip_invalid=True)
    assert batch.status == ImportBatch.Status.APPLIED
    assert batch.result["skipped"] == 1
    assert batch.skip_invalid
    assert not InsuredPerson.objects.filter(policy_number="А-0005").exists()
    skipped = ImportRow.objects.get(batch=batch, action=ImportRow.Action.INVALID)
    assert skipped.row_number == 5


def test_an_added_persons_vzr_policy_is_the_one_the_register_issues(contract, hr_user):
    # The apply numbers ВЗР policies in one statement (PostgreSQL) or row by row (SQLite):
    # either way as medical_policies_new, the admin's way, makes them.
    rows = [person_row("ДМС/01-2.345-б", **{"Код программы": "ВЗР+"}), person_row("А-0001")]

    applied(checked_batch(contract, hr_user, csv_bytes(rows)), hr_user)

    person = InsuredPerson.objects.select_related("program").get(policy_number="ДМС/01-2.345-б")
    expected = medical_policies_new(person, today=today())[-1]
    vzr = Policy.objects.get(product=Policy.Product.VZR, insured_person=person)
    fields = ("number", "starts_on", "ends_on", "status", "premium", "product_data")
    assert [getattr(vzr, f) for f in fields] == [getattr(expected, f) for f in fields]
    assert vzr.number == "ВЗР-012345"
    assert Policy.objects.filter(product=Policy.Product.VZR).count() == 1


def test_a_bad_row_of_someone_in_the_register_does_not_remove_them(contract, hr_user):
    applied(checked_batch(contract, hr_user, csv_bytes(LIST)), hr_user)

    rows = [person_row("А-0001", **{"Телефон": "не знаю"}), *LIST[1:]]
    batch = checked_batch(contract, hr_user, csv_bytes(rows))

    assert (batch.rows_invalid, batch.to_remove) == (1, 0)


def test_a_constraint_violation_at_the_end_of_apply_leaves_nothing_written(contract, hr_user):
    # given: a crafted row whose ВЗР policy number (the digits of its DMS number) is taken by
    # another policy; the check cannot see it, the database refuses it on the last insert
    squatter = InsuredPersonFactory()
    PolicyFactory(product=Policy.Product.VZR, number="ВЗР-9990001", insured_person=squatter)
    rows = [*LIST, person_row("Я-999-0001", **{"Код программы": "ВЗР+"})]
    batch = checked_batch(contract, hr_user, csv_bytes(rows))
    assert (batch.rows_invalid, batch.to_add) == (0, 4)
    before = register_state(contract)

    # when
    batch = applied(batch, hr_user)

    # then
    assert batch.status == ImportBatch.Status.FAILED
    assert "ничего не изменилось" in batch.message
    assert "номер полиса ДМС или ВЗР уже занят" in batch.message
    assert register_state(contract) == before
    assert not InsuredPerson.objects.filter(policy_number="А-0001").exists()


def test_a_policy_number_taken_in_the_register_is_told_in_russian(db):
    # The database's refusal, as the apply reports it (KNOWN_CONSTRAINTS: PostgreSQL names the
    # constraint, SQLite the column).
    InsuredPersonFactory(policy_number="Б-0001")

    with pytest.raises(IntegrityError) as refused, transaction.atomic():
        InsuredPersonFactory(policy_number="Б-0001")

    reason = applying._constraint_reason(refused.value)
    assert reason == "номер полиса уже занят другим застрахованным"


def test_an_error_after_the_last_write_rolls_back_every_write(contract, hr_user, monkeypatch):
    # given: the register has someone the list removes, and the removal (the last step) fails
    # after writing
    applied(checked_batch(contract, hr_user, csv_bytes(LIST)), hr_user)
    second = [*LIST[1:], person_row("А-0009"), person_row("А-0002", **{"Имя": "Ольга"})][:-1]
    second[0] = person_row("А-0002", **{"Имя": "Ольга", "Код программы": "ВЗР+"})
    batch = checked_batch(contract, hr_user, csv_bytes(second))
    assert (batch.to_add, batch.to_change, batch.to_remove) == (1, 1, 1)
    before = register_state(contract)
    real_remove = applying._persons_remove

    def remove_then_fail(*args, **kwargs):
        real_remove(*args, **kwargs)
        raise IntegrityError("insured_ends_after_start")

    monkeypatch.setattr(applying, "_persons_remove", remove_then_fail)

    # when
    batch = applied(batch, hr_user)

    # then
    assert batch.status == ImportBatch.Status.FAILED
    assert register_state(contract) == before


def test_a_register_changed_after_the_check_makes_the_batch_stale(contract, hr_user):
    from employers.services.applying import import_batch_recheck
    from employers.services.checking import import_batch_check

    batch = checked_batch(contract, hr_user, csv_bytes(LIST))
    InsuredPersonFactory(contract=contract, program=contract.programs.first())  # meanwhile

    batch = applied(batch, hr_user)

    assert batch.status == ImportBatch.Status.STALE
    assert not InsuredPerson.objects.filter(policy_number="А-0001").exists()
    import_batch_recheck(batch=batch)
    batch = import_batch_check(batch_id=batch.pk)
    assert (batch.status, batch.to_add, batch.to_remove) == (ImportBatch.Status.CHECKED, 3, 1)


def test_staged_rows_lost_after_the_check_make_the_batch_stale_and_write_nothing(contract, hr_user):
    from employers.services.applying import import_batch_recheck
    from employers.services.checking import import_batch_check

    # given: a checked list whose staged rows are gone (the UNLOGGED table after a crash)
    batch = checked_batch(contract, hr_user, csv_bytes(LIST))
    before = register_state(contract)
    ImportRow.objects.filter(batch=batch, row_number=2).delete()

    batch = applied(batch, hr_user)

    assert batch.status == ImportBatch.Status.STALE
    assert "проверьте список заново" in batch.message
    assert register_state(contract) == before
    import_batch_recheck(batch=batch)
    batch = import_batch_check(batch_id=batch.pk)
    assert (batch.status, batch.to_add) == (ImportBatch.Status.CHECKED, 3)
    assert applied(batch, hr_user).status == ImportBatch.Status.APPLIED


def test_new_addresses_get_one_invitation_each_however_often_sending_runs(contract, hr_user):
    # given: two employees with e-mail, a child without
    batch = applied(checked_batch(contract, hr_user, csv_bytes(LIST)), hr_user)
    assert batch.result["invitations"] == 2

    # when: sending runs twice (a redelivered task)
    assert invitations_send(batch_id=batch.pk) == 2
    assert invitations_send(batch_id=batch.pk) == 0

    # then
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [email_for("А-0001"), email_for("А-0002")]
    )
    assert "А-0001" in mail.outbox[0].body or "А-0002" in mail.outbox[0].body
    assert Invitation.objects.filter(sent_at__isnull=True).count() == 0

    # and: the same list again invites nobody; a changed address is invited once
    applied(checked_batch(contract, hr_user, csv_bytes(LIST)), hr_user)
    changed = [person_row("А-0001", **{"Электронная почта": "new.address@example.com"}), *LIST[1:]]
    third = applied(checked_batch(contract, hr_user, csv_bytes(changed)), hr_user)
    assert third.result["invitations"] == 1
    invitations_send()
    assert len(mail.outbox) == 3
    assert mail.outbox[-1].to == ["new.address@example.com"]


def test_a_person_with_an_activated_cabinet_is_not_invited_on_an_address_change(contract, hr_user):
    applied(checked_batch(contract, hr_user, csv_bytes(LIST)), hr_user)
    invitations_send()
    PolicyLinkFactory(
        user=UserFactory(), insured_person=InsuredPerson.objects.get(policy_number="А-0001")
    )

    changed = [person_row("А-0001", **{"Электронная почта": "other@example.com"}), *LIST[1:]]
    batch = applied(checked_batch(contract, hr_user, csv_bytes(changed)), hr_user)

    assert batch.result["invitations"] == 0


def test_a_change_onto_a_vzr_program_issues_the_vzr_policy_and_moves_the_dms_term(
    contract, hr_user
):
    # given: an employee on the base program, applied
    applied(checked_batch(contract, hr_user, csv_bytes([person_row("В-0001")])), hr_user)
    later = today() + datetime.timedelta(days=10)

    # when: the next list moves them onto the ВЗР program from a later date
    moved = person_row("В-0001", **{"Код программы": "ВЗР+", "Дата начала": ru(later)})
    batch = applied(checked_batch(contract, hr_user, csv_bytes([moved])), hr_user)

    # then
    assert (batch.status, batch.result["changed"]) == (ImportBatch.Status.APPLIED, 1)
    person = InsuredPerson.objects.get(policy_number="В-0001")
    assert (person.program.code, person.starts_on) == ("ВЗР+", later)
    dms = Policy.objects.get(product=Policy.Product.DMS, insured_person=person)
    vzr = Policy.objects.get(product=Policy.Product.VZR, insured_person=person)
    assert (dms.starts_on, dms.status) == (later, Policy.Status.ACTIVE)
    assert (vzr.number, vzr.starts_on, vzr.ends_on) == ("ВЗР-0001", later, person.ends_on)
    assert vzr.status == Policy.Status.ACTIVE and vzr.product_data["currency"] == "EUR"
