"""The health-data rule itself (claims.health): one answer per user object, forgotten when the
consent is given or withdrawn; a line's own name for itself holds no health data."""

import pytest
from django.template import Context, Template

from claims.health import (
    diagnosis_for,
    health_data_visible,
    service_line_reference,
    service_name_for,
)
from portal.accounts.services import health_consent_give, health_consent_withdraw
from tests.factories import ServiceLineFactory

pytestmark = pytest.mark.django_db


def test_the_rule_follows_the_consent_and_asks_the_database_once(
    user, insured, django_assert_num_queries
):
    line = ServiceLineFactory(insured_person=insured, icd10_code="K29.7", icd10_name="Гастрит")
    with django_assert_num_queries(1):
        assert [health_data_visible(user) for _ in range(5)] == [False] * 5
    assert service_name_for(line, user) == "наименование скрыто"
    assert diagnosis_for(line, user) == ""

    health_consent_give(user=user)
    assert service_name_for(line, user) == line.service_name
    assert diagnosis_for(line, user) == "Гастрит"

    health_consent_withdraw(user=user)
    assert service_name_for(line, user) == "наименование скрыто"


def test_nobody_and_the_anonymous_see_nothing(insured):
    from django.contrib.auth.models import AnonymousUser

    line = ServiceLineFactory(insured_person=insured)
    assert service_name_for(line, None) == "наименование скрыто"
    assert service_name_for(line, AnonymousUser()) == "наименование скрыто"


def test_the_template_filters_apply_the_rule(user, insured):
    line = ServiceLineFactory(insured_person=insured)
    template = Template(
        "{% load health_data %}{{ line|service_name_for:user }}"
        "{% if user|health_data_visible %}!{% endif %}"
    )
    assert template.render(Context({"line": line, "user": user})) == "наименование скрыто"
    health_consent_give(user=user)
    assert template.render(Context({"line": line, "user": user})) == f"{line.service_name}!"


def test_a_line_names_itself_without_health_data(insured):
    line = ServiceLineFactory(insured_person=insured)
    for text in (str(line), service_line_reference(line)):
        assert line.service_name not in text
        assert f"{line.service_date:%d.%m.%Y}" in text
    assert line.clinic.name in service_line_reference(line)


def test_cases_are_never_kept_by_the_browser(person_client, insured):
    assert "no-store" in person_client.get("/cases/")["Cache-Control"]
