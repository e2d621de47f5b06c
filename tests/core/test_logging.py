"""No passport, card number, code or diagnosis reaches a log line."""

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
