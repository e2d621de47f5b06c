"""The cabinet's pages that span apps: the dashboard, the policy cards with their co-pay debt,
the person's data changes (checked against the register), download and deletion."""

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from portal.accounts.devices import device_cookie_delete
from portal.accounts.forms import AccountDeleteForm, PinConfirmForm, ProfileForm
from portal.accounts.models import AccountEvent
from portal.accounts.services import access_log_digest_set, account_event_record

from .export import personal_data_archive
from .pwa import keep_offline
from .selectors import (
    access_log_for_user,
    access_log_rows,
    dashboard_for_user,
    policy_card_for_user,
    policy_cards_for_user,
)
from .services import ProfileChangeRefused, latin_name_update, profile_update
from .services import account_delete as delete_account


def home(request: HttpRequest) -> HttpResponse:
    """The dashboard for a logged-in person, the landing page otherwise."""
    if not request.user.is_authenticated:
        return render(request, "core/landing.html")
    # Drafts (an unfinished purchase) have no card in «Мои полисы»: the dashboard leaves them out.
    return render(request, "core/dashboard.html", {"dashboard": dashboard_for_user(request.user)})


@login_required
def policy_list(request: HttpRequest) -> HttpResponse:
    found = policy_cards_for_user(request.user)
    response = render(
        request,
        "policies/policy_list.html",
        {
            "policies": found.policies,
            "sections": found.sections,
            "has_unpaid": found.has_unpaid,
            "saved_at": timezone.localtime(),
        },
    )
    return keep_offline(response)  # the installable app shows it offline (cabinet.pwa)


@login_required
def policy_detail(request: HttpRequest, pk: int) -> HttpResponse:
    card = policy_card_for_user(request.user, pk)
    if card is None:
        raise Http404
    return render(request, "policies/policy_detail.html", {"card": card, "policy": card.policy})


@login_required
@require_http_methods(["GET", "POST"])
def profile_edit(request: HttpRequest) -> HttpResponse:
    user = request.user
    initial = {
        "last_name": user.last_name,
        "first_name": user.first_name,
        "middle_name": user.middle_name,
        "no_middle_name": user.no_middle_name,
        "birth_date": user.birth_date,
        "last_name_latin": user.last_name_latin,
        "first_name_latin": user.first_name_latin,
    }
    form = ProfileForm(request.POST or None, user=user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            changed = profile_update(
                user=user,
                last_name=data["last_name"],
                first_name=data["first_name"],
                middle_name=data["middle_name"],
                no_middle_name=data["no_middle_name"],
                birth_date=data["birth_date"],
                passport_series=data["passport_series"],
                passport_number=data["passport_number"],
            )
        except ProfileChangeRefused as error:
            form.add_error(None, error)
        except ValidationError as error:
            form.add_error("passport_number", error)
        else:
            changed += latin_name_update(
                user=user,
                last_name_latin=data["last_name_latin"],
                first_name_latin=data["first_name_latin"],
            )
            messages.success(
                request, _("Данные сохранены") if changed else _("Изменений нет: данные те же")
            )
            return redirect("accounts:profile")
    return render(request, "accounts/profile_edit.html", {"form": form, "person": user})


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def data_export(request: HttpRequest) -> HttpResponse:
    user = request.user
    form = PinConfirmForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        archive = personal_data_archive(user)
        account_event_record(user=user, kind=AccountEvent.Kind.DATA_EXPORTED)
        return FileResponse(
            archive,
            as_attachment=True,
            filename=f"personal-data-{timezone.localdate():%Y-%m-%d}.zip",
            content_type="application/zip",
        )
    return render(request, "accounts/data_export.html", {"form": form, "person": user})


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def account_delete(request: HttpRequest) -> HttpResponse:
    return _account_delete_page(request, template="accounts/account_delete.html")


def _account_delete_page(request: HttpRequest, *, template: str) -> HttpResponse:
    user = request.user
    form = AccountDeleteForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        delete_account(user=user)
        logout(request)
        response = redirect("accounts:account_deleted")
        device_cookie_delete(response)
        return response
    return render(request, template, {"form": form, "person": user})


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def personal_data_consent_withdraw(request: HttpRequest) -> HttpResponse:
    """Withdrawing the personal-data consent closes the account (152-FZ art. 9 part 5: nothing
    is left to process it under): the page says so, and its confirmation is the deletion's."""
    return _account_delete_page(request, template="accounts/personal_data_withdraw.html")


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def access_log(request: HttpRequest) -> HttpResponse:
    """«Журнал доступа»: who at the insurer (role and staff number, not the name) opened the
    person's medical data or account in the admin, when, and what; a POST turns the weekly
    e-mail about it on or off."""
    if request.method == "POST":
        enabled = request.POST.get("digest") == "on"
        access_log_digest_set(user=request.user, enabled=enabled)
        messages.success(
            request,
            _("Письма о доступе к вашим данным включены: раз в неделю, если данные открывали")
            if enabled
            else _("Письма о доступе к вашим данным отключены"),
        )
        return redirect("accounts:access_log")
    paginator = Paginator(access_log_for_user(request.user), 50)
    page = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "accounts/access_log.html",
        {"page": page, "rows": access_log_rows(list(page))},
    )
