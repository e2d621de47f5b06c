"""The emulator's test persons, shaped as ESIA's REST API gives them (/rs/prns/{oid}, docs, ctts).

Made-up people: the passports, phones and e-mails belong to nobody (example.com / example.ru).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Person:
    oid: str
    last_name: str
    first_name: str
    middle_name: str
    birth_date: str  # ESIA's form: dd.mm.yyyy
    gender: str
    passport: tuple[str, str] | None = None  # series, number
    mobile: str = ""
    email: str = ""
    email_verified: bool = True
    trusted: bool = True
    note: str = ""
    documents: tuple[dict, ...] = field(default=())

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.last_name, self.first_name, self.middle_name) if p)

    @property
    def passport_display(self) -> str:
        return (
            f"{self.passport[0][:2]} {self.passport[0][2:]} {self.passport[1]}"
            if self.passport
            else ""
        )

    def prns(self, scope: set[str]) -> dict:
        data: dict = {
            "stateFacts": ["EntityRoot"],
            "eTag": f"E{self.oid}",
            "trusted": self.trusted,
            "status": "REGISTERED",
            "verifying": False,
            "citizenship": "RUS",
            "updatedOn": 1767225600,
        }
        if "fullname" in scope:
            data |= {"firstName": self.first_name, "lastName": self.last_name}
            if self.middle_name:
                data["middleName"] = self.middle_name
        if "birthdate" in scope:
            data["birthDate"] = self.birth_date
        if "gender" in scope:
            data["gender"] = self.gender
        return data

    def docs(self) -> list[dict]:
        docs = []
        if self.passport:
            docs.append(
                {
                    "stateFacts": ["EntityRoot"],
                    "id": int(self.oid[-6:]) * 10 + 1,
                    "type": "RF_PASSPORT",
                    "vrfStu": "VERIFIED",
                    "series": self.passport[0],
                    "number": self.passport[1],
                    "issueDate": "15.05.2015",
                    "issueId": "770-001",
                    "issuedBy": "ОТДЕЛЕНИЕМ УФМС РОССИИ ПО Г. МОСКВЕ",
                    "eTag": f"D{self.oid}",
                }
            )
        docs.extend(self.documents)
        return docs

    def ctts(self, scope: set[str]) -> list[dict]:
        contacts = []
        if self.mobile and "mobile" in scope:
            contacts.append(
                {
                    "stateFacts": ["Identifiable"],
                    "id": int(self.oid[-6:]) * 10 + 2,
                    "type": "MBT",
                    "vrfStu": "VERIFIED",
                    "value": self.mobile,
                    "eTag": f"M{self.oid}",
                }
            )
        if self.email and "email" in scope:
            contacts.append(
                {
                    "stateFacts": ["Identifiable"],
                    "id": int(self.oid[-6:]) * 10 + 3,
                    "type": "EML",
                    "vrfStu": "VERIFIED" if self.email_verified else "NOT_VERIFIED",
                    "value": self.email,
                    "eTag": f"C{self.oid}",
                }
            )
        return contacts


PERSONS: tuple[Person, ...] = (
    Person(
        oid="1000299651",
        last_name="Соколова",
        first_name="Мария",
        middle_name="Игоревна",
        birth_date="14.03.1989",
        gender="F",
        passport=("4512", "345678"),
        mobile="+7(916)5550123",
        email="m.sokolova@example.ru",
        note="Подтверждённая учётная запись: паспорт, телефон и почта",
    ),
    Person(
        oid="1000299652",
        last_name="Ким",
        first_name="Виктор",
        middle_name="",
        birth_date="02.11.1994",
        gender="M",
        passport=("4019", "112233"),
        mobile="+7(921)5550456",
        email="",
        note="Без отчества и без электронной почты в Госуслугах",
    ),
    Person(
        oid="1000299653",
        last_name="Смирнов",
        first_name="Алексей",
        middle_name="Петрович",
        birth_date="12.04.1988",
        gender="M",
        passport=("4510", "123456"),
        mobile="+7(916)1234567",
        email="demo@example.com",
        note="Госуслуги демо-пользователя: почта и паспорт уже в кабинете — привяжите из профиля",
    ),
    Person(
        oid="1000299654",
        last_name="Орлова",
        first_name="Екатерина",
        middle_name="Андреевна",
        birth_date="30.07.2001",
        gender="F",
        passport=None,
        mobile="+7(999)5550321",
        email="e.orlova@example.ru",
        email_verified=False,
        trusted=False,
        note="Упрощённая учётная запись: паспорт не указан, почта не подтверждена",
        documents=(
            {
                "stateFacts": ["EntityRoot"],
                "id": 2996540,
                "type": "FID_DOC",
                "vrfStu": "NOT_VERIFIED",
                "series": "",
                "number": "X1234567",
                "eTag": "F1000299654",
            },
        ),
    ),
)

BY_OID = {p.oid: p for p in PERSONS}
