"""One row of «Мои документы» (the page is cabinet.documents): each app that makes documents for
a person gives a provider, a function of the user returning these rows."""

import datetime
from dataclasses import dataclass


@dataclass(frozen=True)
class DocumentEntry:
    group: str  # the list's section: «Полисы», «Чеки», «Страховые случаи», ...
    title: str  # «Полис ДМС № ДМС-0147-000001»
    url: str  # the download (or the page that makes it): owner-checked by its view
    subtitle: str = ""  # whose, what for: «Смирнов Алексей Петрович»
    date: datetime.date | None = None  # the document's date, for sorting and display
    state: str = ""  # «готов» / «будет сформирован при скачивании»
    file_type: str = "PDF"
    order: int = 0  # within the group: lower first
