"""Errors of the API as JSON with Russian messages: `detail` says what went wrong, `errors` names
the fields (the API's own names) with their messages, `fields` gives each field's Russian label.

The same ValidationError a page turns into a form message becomes this body: the rule lives in
the service, once."""

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

NON_FIELD = "__all__"


class ApiError(Exception):
    def __init__(self, detail: str, *, status: int = 400, errors: dict | None = None, **extra):
        super().__init__(detail)
        self.detail = detail
        self.status = status
        self.errors = errors or {}
        self.extra = extra


def body(detail: str, *, errors: dict | None = None, fields: dict | None = None, **extra) -> dict:
    data = {"detail": detail, **extra}
    if errors:
        data["errors"] = errors
    if fields:
        data["fields"] = fields
    return data


def validation_error(error: ValidationError) -> ApiError:
    """A service's ValidationError: field errors by name, the others under `__all__`."""
    if hasattr(error, "error_dict"):
        errors = {
            name: [str(m) for m in ValidationError(e).messages]
            for name, e in error.error_dict.items()
        }
    else:
        errors = {NON_FIELD: [str(m) for m in error.messages]}
    detail = " ".join(m for messages in errors.values() for m in messages)
    return ApiError(detail, errors=errors, code=getattr(error, "code", None) or "invalid")


def form_error(form: forms.Form) -> ApiError:
    """A form's errors (the same form the page uses) with its fields' Russian labels."""
    errors = {name: [str(m) for m in messages] for name, messages in form.errors.items()}
    fields = {name: str(form.fields[name].label or name) for name in errors if name in form.fields}
    if set(errors) - {NON_FIELD}:
        labels = ", ".join(f"«{fields.get(name, name)}»" for name in errors if name != NON_FIELD)
        detail = _("Проверьте поля: %(fields)s") % {"fields": labels}
    else:
        detail = " ".join(errors.get(NON_FIELD, [])) or _("Проверьте введённые данные")
    return ApiError(detail, errors=errors, fields=fields)


# Pydantic's error types of the request's parameters, said in Russian.
PYDANTIC_MESSAGES = {
    "missing": "Обязательное поле",
    "int_parsing": "Введите целое число",
    "int_type": "Введите целое число",
    "float_parsing": "Введите число",
    "bool_parsing": "Введите true или false",
    "date_parsing": "Введите дату в формате ГГГГ-ММ-ДД",
    "date_from_datetime_parsing": "Введите дату в формате ГГГГ-ММ-ДД",
    "datetime_parsing": "Введите дату и время в формате ISO 8601",
    "datetime_from_date_parsing": "Введите дату и время в формате ISO 8601",
    "string_type": "Введите строку",
    "string_too_long": "Слишком длинная строка",
    "string_too_short": "Слишком короткая строка",
    "json_invalid": "Тело запроса — не JSON",
    "model_attributes_type": "Ожидается объект JSON",
    "dict_type": "Ожидается объект JSON",
    "list_type": "Ожидается список",
    "greater_than_equal": "Слишком маленькое значение",
    "less_than_equal": "Слишком большое значение",
    "less_than": "Слишком большое значение",
    "greater_than": "Слишком маленькое значение",
    "enum": "Недопустимое значение",
    "literal_error": "Недопустимое значение",
}
# Where a parameter came from and the endpoint's argument that holds it: the first elements of
# ninja's `loc`, not fields of their own.
LOCATIONS = {"body", "query", "path", "form", "file", "header", "cookie", "data", "filters"}


def request_validation_errors(items: list[dict]) -> ApiError:
    errors: dict[str, list[str]] = {}
    for item in items:
        loc = [str(part) for part in item.get("loc", ())]
        while loc[:-1] and loc[0] in LOCATIONS:
            loc = loc[1:]
        name = ".".join(loc) or NON_FIELD
        message = PYDANTIC_MESSAGES.get(item.get("type", ""), "Недопустимое значение")
        errors.setdefault(name, []).append(message)
    labels = ", ".join(f"«{name}»" for name in errors if name != NON_FIELD)
    detail = (
        _("Проверьте поля: %(fields)s") % {"fields": labels}
        if labels
        else _("Проверьте введённые данные")
    )
    return ApiError(detail, errors=errors)


def install(api) -> None:
    """The API's exception handlers: every refusal is JSON in Russian, never a page or a 500."""
    from django.core.exceptions import PermissionDenied
    from django.http import Http404
    from ninja.errors import AuthenticationError, HttpError, Throttled
    from ninja.errors import ValidationError as NinjaValidationError

    def respond(request: HttpRequest, status: int, data: dict) -> HttpResponse:
        return api.create_response(request, data, status=status)

    @api.exception_handler(ApiError)
    def api_error(request, exc: ApiError):
        return respond(request, exc.status, body(exc.detail, errors=exc.errors, **exc.extra))

    @api.exception_handler(ValidationError)
    def service_error(request, exc: ValidationError):
        error = validation_error(exc)
        return respond(request, 400, body(error.detail, errors=error.errors, **error.extra))

    @api.exception_handler(NinjaValidationError)
    def request_error(request, exc: NinjaValidationError):
        error = request_validation_errors(exc.errors)
        return respond(request, 400, body(error.detail, errors=error.errors))

    @api.exception_handler(Http404)
    def not_found(request, exc):
        return respond(request, 404, body(_("Не найдено")))

    @api.exception_handler(AuthenticationError)
    def unauthorized(request, exc):
        return respond(request, 401, body(_("Войдите в приложение: сессия не найдена или истекла")))

    @api.exception_handler(PermissionDenied)
    def forbidden(request, exc):
        return respond(request, 403, body(_("Недостаточно прав")))

    @api.exception_handler(Throttled)
    def throttled(request, exc):
        return respond(request, 429, body(_("Слишком много запросов. Попробуйте позже")))

    @api.exception_handler(HttpError)
    def http_error(request, exc: HttpError):
        return respond(request, exc.status_code, body(str(exc)))
