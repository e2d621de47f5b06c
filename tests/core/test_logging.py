"""No passport, card number, code or diagnosis reaches a log line."""

import json
import logging

import pytest

from portal.core.logging import PersonalDataFilter

SECRETS = (
    "4510 123456",
    "4510123456",
    "4276 3800 1234 5678",
    "4276380012345678",
    "123456",
    "Ушиб грудной клетки",
)


class ListHandler(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []
        self.addFilter(PersonalDataFilter())
        self.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@pytest.fixture
def log():
    logger = logging.getLogger("tests.personal_data")
    handler = ListHandler()
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    yield logger, handler.lines
    logger.removeHandler(handler)


def assert_clean(line: str) -> None:
    for secret in SECRETS:
        assert secret not in line


def test_personal_data_in_the_message_is_hidden(log):
    # given
    logger, lines = log

    # when
    logger.warning(
        "Регистрация: паспорт 4510 123456, карта 4276 3800 1234 5678, код 123456, "
        "диагноз: Ушиб грудной клетки"
    )

    # then
    (line,) = lines
    assert_clean(line)
    assert "[паспорт скрыт]" in line
    assert "[номер скрыт]" in line
    assert "код [скрыто]" in line
    assert "диагноз: [скрыто]" in line
    assert line.startswith("WARNING tests.personal_data: Регистрация: паспорт")


def test_personal_data_in_the_arguments_is_hidden(log):
    logger, lines = log

    logger.info("паспорт %s, карта %s, %s", "4510123456", "4276380012345678", "код 123456")
    logger.info("Услуга оказана, диагноз: %s", "Ушиб грудной клетки")

    assert len(lines) == 2
    for line in lines:
        assert_clean(line)


def test_lines_without_personal_data_are_left_alone(log):
    logger, lines = log

    logger.info("Импортировано %d строк реестра %s", 412, "R-2026-01")

    assert lines == ["INFO tests.personal_data: Импортировано 412 строк реестра R-2026-01"]


def test_the_configured_console_handler_applies_the_filter():
    handlers = logging.getLogger().handlers

    assert any(isinstance(f, PersonalDataFilter) for handler in handlers for f in handler.filters)


# --- Every kind of personal data, as the production JSON lines show it ----------------------

PERSONAL = {
    "e-mail": "ivan.smirnov@example.ru",
    "phone": "+7 916 123-45-67",
    "phone (8)": "8 (495) 765 43 21",
    "name": "Смирнов Алексей Петрович",
    "name (initials)": "Смирнова А. П.",
    "address": "ул. Профсоюзная, д. 15, кв. 42",
    "passport": "4510 123456",
    "policy": "ДМС-0147-000001",
    "card": "4276 3800 1234 5678",
    "SMS code": "739182",
    "diagnosis": "Острый бронхит",
}
MESSAGE = (
    f"Запись: {PERSONAL['e-mail']}, тел. {PERSONAL['phone']}, доп. {PERSONAL['phone (8)']}, "
    f"{PERSONAL['name']} ({PERSONAL['name (initials)']}), проживает {PERSONAL['address']}; "
    f"паспорт {PERSONAL['passport']}, полис {PERSONAL['policy']}, карта {PERSONAL['card']}, "
    f"SMS-код {PERSONAL['SMS code']}, диагноз: {PERSONAL['diagnosis']}"
)


def json_handler() -> logging.Handler:
    """A handler made exactly as settings.LOGGING makes production's console handler."""
    from django.conf import settings
    from django.utils.module_loading import import_string

    config = dict(settings.LOGGING["formatters"]["json"])
    formatter = import_string(config.pop("()"))(**config)
    handler = ListHandler()
    handler.setFormatter(formatter)
    return handler


@pytest.fixture
def json_log():
    logger = logging.getLogger("tests.personal_data.json")
    handler = json_handler()
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    yield logger, handler.lines
    logger.removeHandler(handler)
    logger.propagate = True


def assert_masked(text: str) -> None:
    for kind, value in PERSONAL.items():
        assert value not in text, kind
    assert "Алексей" not in text and "ivan.smirnov" not in text and "123-45-67" not in text


def test_every_kind_of_personal_data_in_a_message_is_masked_in_the_json_line(json_log):
    logger, lines = json_log

    logger.warning(MESSAGE)

    (line,) = lines
    record = json.loads(line)
    assert record["level"] == "WARNING"
    assert record["logger"] == "tests.personal_data.json"
    assert_masked(line)
    for mark in (
        "[e-mail скрыт]",
        "[телефон скрыт]",
        "[ФИО скрыто]",
        "[адрес скрыт]",
        "[паспорт скрыт]",
        "[полис скрыт]",
        "[номер скрыт]",
        "SMS-код [скрыто]",
        "диагноз: [скрыто]",
    ):
        assert mark in record["message"]


def test_an_exception_carrying_personal_data_is_masked_in_its_traceback(json_log):
    logger, lines = json_log

    try:
        raise ValueError(MESSAGE)
    except ValueError:
        logger.exception("Не удалось записать %s", PERSONAL["name"])

    (line,) = lines
    record = json.loads(line)
    assert record["message"] == "Не удалось записать [ФИО скрыто]"
    assert "Traceback (most recent call last)" in record["exc_info"]
    assert "ValueError: Запись: [e-mail скрыт]" in record["exc_info"]
    assert_masked(line)


def test_person_fields_passed_as_extra_are_hidden(json_log):
    logger, lines = json_log

    logger.info(
        "Профиль изменён",
        extra={
            "user_id": 42,
            "email": PERSONAL["e-mail"],
            "last_name": "Смирнов",
            "first_name": "Алексей",
            "middle_name": "Петрович",
            "phone": PERSONAL["phone"],
            "changes": {"passport_number": "4510123456", "city": "Москва"},
            "note": f"позвонить {PERSONAL['phone']}",
        },
    )

    record = json.loads(lines[0])
    assert record["user_id"] == 42
    for key in ("email", "last_name", "first_name", "middle_name", "phone"):
        assert record[key] == "[скрыто]"
    assert record["changes"] == {"passport_number": "[скрыто]", "city": "Москва"}
    assert record["note"] == "позвонить [телефон скрыт]"
    assert_masked(lines[0])
    assert "Смирнов" not in lines[0]


def test_plain_words_numbers_and_codes_of_the_portal_are_not_masked():
    from portal.core.logging import redact

    for text in (
        "Импортировано 412 строк реестра R-2026-01",
        "Главное Управление Москвы",
        "GET /clinics/geojson/ 200 in 0.25 s",
        "Claim У-2026-000123 moved to review",
    ):
        assert redact(text) == text


CELERY_PROBE = """
import logging, sys
import django
django.setup()
from portal.celery import app
from celery.utils.log import get_task_logger
app.log.setup(loglevel="INFO", redirect_stdouts=False)  # what `celery worker` and `beat` call
get_task_logger("payments.tasks").warning("charge failed for ivan.smirnov@example.ru")
logging.getLogger("celery.worker").info("worker ready, phone +7 916 123-45-67")
try:
    raise RuntimeError("Смирнов Алексей Петрович, паспорт 4510 123456")
except RuntimeError:
    logging.getLogger("celery.app.trace").exception("Task failed")
"""


def test_worker_and_beat_log_json_through_the_masking_filter_under_production_settings():
    from tests.core.test_settings import production_env, run

    result = run(["-c", CELERY_PROBE], "portal.settings.production", **production_env())

    assert result.returncode == 0, result.stderr
    records = [json.loads(line) for line in result.stderr.splitlines() if line.startswith("{")]
    assert [r["logger"] for r in records] == ["payments.tasks", "celery.worker", "celery.app.trace"]
    assert records[0]["message"] == "charge failed for [e-mail скрыт]"
    assert records[1]["message"] == "worker ready, phone [телефон скрыт]"
    assert "RuntimeError: [ФИО скрыто], паспорт [паспорт скрыт]" in records[2]["exc_info"]
    assert "ivan.smirnov" not in result.stderr and "Алексей" not in result.stderr


def test_celery_leaves_the_root_logger_to_the_settings():
    from celery import signals

    from portal.celery import app

    assert app.conf.worker_hijack_root_logger is False
    assert signals.setup_logging.receivers


GUNICORN_PROBE = """
import logging, logging.config, runpy
config = runpy.run_path("gunicorn.conf.py")["logconfig_dict"]
logging.config.dictConfig(config)
logging.getLogger("gunicorn.error").info("Booting worker with pid: 42")
logging.getLogger("gunicorn.access").info('203.0.113.5 "GET /?email=ivan.smirnov@example.ru" 200')
"""


def test_gunicorn_logs_json_through_the_mask_under_production_settings():
    from tests.core.test_settings import production_env, run

    result = run(["-c", GUNICORN_PROBE], "portal.settings.production", **production_env())

    assert result.returncode == 0, result.stderr
    records = [json.loads(line) for line in result.stderr.splitlines() if line.startswith("{")]
    assert [r["logger"] for r in records] == ["gunicorn.error", "gunicorn.access"]
    assert records[1]["message"] == '[IP скрыт] "GET /?email=[e-mail скрыт]" 200'
