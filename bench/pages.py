"""The pages the bench measures: the one list to extend when an issue adds a page.

A page is a path of the product spec's route map, with `{s.<field>}` filled from
the bench subjects (the bench person's policy, claim, appeal...), and who requests it: the bench
person, or a staff user. Paths rather than URL names: the route map is the stable contract.
"""

from dataclasses import dataclass
from typing import Literal

from django.urls import reverse

from bench.subjects import Subjects
from cabinet.navigation import SHOP, SIDEBAR

Audience = Literal["person", "operator", "hr"]


@dataclass(frozen=True)
class Page:
    label: str
    path: str  # e.g. "/policies/{s.dms_policy_id}/"; may end with a query, "?city=Москва"
    audience: Audience = "person"

    def url(self, subjects: Subjects) -> str:
        return self.path.format(s=subjects)


HOME = Page("Главная", "/")

# What an insured person sees besides the sidebar (which is read from cabinet.navigation).
PERSON_PAGES: tuple[Page, ...] = (
    Page("Полис ДМС", "/policies/{s.dms_policy_id}/"),
    Page("Полис ДМС ребёнка", "/policies/{s.child_dms_policy_id}/"),
    Page("Карта ЛПУ", "/clinics/map/"),
    # Every clinic of the network, no bbox: the map's heaviest request.
    Page("GeoJSON ЛПУ (вся сеть)", "/clinics/geojson/?policy=all"),
    Page("Клиника с онлайн-записью", "/clinics/{s.clinic_id}/"),
    Page("Со-оплата", "/copay/"),
    Page("Купить полис онлайн", "/shop/"),
    Page("ОСАГО: расчёт", "/shop/osago/"),
    Page("Специальные предложения", "/offers/"),
    Page("Гарантийные письма", "/guarantee-letters/"),
    # /cases/ and /appeals/ are in the sidebar; their deeper pages:
    Page("Страховые случаи ДМС, стр. 2", "/cases/?page=2"),
    Page("Обращение", "/appeals/{s.appeal_id}/"),
    Page("Новое обращение", "/appeals/new/"),
    Page("healthz", "/healthz/"),
    Page("Страховые случаи", "/claims/"),
    Page("Заявить страховой случай", "/claims/new/"),
    Page("Заявить: выбор события", "/claims/new/?policy={s.bought_policy_id}"),
    Page("Убыток", "/claims/{s.claim_id}/"),
    Page("Полис ОСАГО", "/policies/{s.bought_policy_id}/"),
    Page("Добавить полис", "/policies/add/"),
    Page("Добавить полис ребёнка", "/policies/add-child/"),
    # The first request makes the PDF (a warm-up: eager Celery in the bench settings); the
    # measured ones check the data hash and stream the stored file.
    Page("PDF полиса ДМС", "/policies/{s.dms_policy_id}/pdf/"),
    # Add the person's pages here as they are built.
)

# What an HR manager sees in the admin (their company's register, the bench person's company).
# Operators' queues may be added with audience="operator"; the goals are the person's and HR's.
STAFF_PAGES: tuple[Page, ...] = (
    Page("HR: администрирование", "/admin/", audience="hr"),
    Page("HR: договоры", "/admin/policies/contract/", audience="hr"),
    Page("HR: договор", "/admin/policies/contract/{s.contract_id}/change/", audience="hr"),
    Page("HR: программы", "/admin/policies/program/", audience="hr"),
    Page("HR: застрахованные", "/admin/policies/insuredperson/", audience="hr"),
    # The cabinet filter: each of the company's people probed for an active link (a page
    # number would not exist at every scale: the company has 12 people at micro).
    Page(
        "HR: застрахованные без кабинета",
        "/admin/policies/insuredperson/?cabinet=no",
        audience="hr",
    ),
    Page("HR: поиск застрахованного", "/admin/policies/insuredperson/?q=Проверкин",
         audience="hr"),
    Page(
        "HR: застрахованный",
        "/admin/policies/insuredperson/{s.insured_person_id}/change/",
        audience="hr",
    ),
    Page("HR: загрузка списка", "/admin/policies/contract/{s.contract_id}/import/",
         audience="hr"),
    Page("HR: загрузки списков", "/admin/employers/importbatch/", audience="hr"),
    Page("HR: приглашения", "/admin/employers/invitation/", audience="hr"),
)  # fmt: skip


def sidebar_pages() -> list[Page]:
    return [Page(str(entry.label), reverse(entry.url_name)) for entry in (*SIDEBAR, SHOP)]


def pages() -> list[Page]:
    """Every page to measure, each path once per audience (a page added by hand may also have
    made it into the sidebar since)."""
    seen: set[tuple[str, str]] = set()
    unique = []
    for page in (HOME, *sidebar_pages(), *PERSON_PAGES, *STAFF_PAGES):
        if (page.path, page.audience) not in seen:
            seen.add((page.path, page.audience))
            unique.append(page)
    return unique
