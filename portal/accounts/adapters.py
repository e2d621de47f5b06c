from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.internal.stagekit import get_pending_stage
from allauth.account.models import EmailAddress
from allauth.account.utils import filter_users_by_email
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils.translation import gettext as _

from portal.core.client_ip import client_ip

from .devices import REMEMBER_SESSION_KEY, device_cookie_read, device_cookie_set, device_label
from .selectors import remembered_device_for_id
from .services import device_remember, user_register
from .stages import PhoneConfirmStage


class AccountAdapter(DefaultAccountAdapter):
    def get_client_ip(self, request):
        # allauth's limits (login, signup, password reset, and ours) count per client behind
        # the proxies that TRUSTED_PROXIES names, like axes and the audit log.
        ip = client_ip(request)
        if not ip:
            raise PermissionDenied("Unable to determine client IP address")
        return ip

    def save_user(self, request, user, form, commit=True):
        from .forms import SignupForm

        if not isinstance(form, SignupForm):
            return super().save_user(request, user, form, commit=commit)
        data = form.cleaned_data
        return user_register(
            email=data["email"],
            password=data["password1"],
            last_name=data["last_name"],
            first_name=data["first_name"],
            middle_name=data["middle_name"],
            no_middle_name=data["no_middle_name"],
            birth_date=data["birth_date"],
            passport_series=data["passport_series"],
            passport_number=data["passport_number"],
            phone=data["phone"],
            pin=data["pin1"],
        )

    def send_account_already_exists_mail(self, email: str) -> None:
        # A signup with a known passport and a new address goes the same way as one with a known
        # address (forms.SignupForm.try_save); the new address has no owner to tell.
        if not filter_users_by_email(email):
            return
        super().send_account_already_exists_mail(email)

    def send_password_reset_mail(self, user, email, context):
        # allauth falls back to User.email when no verified address matches: a link goes only to
        # an address this account has verified (the web form and the app API both come here).
        if not EmailAddress.objects.filter(user=user, email__iexact=email, verified=True).exists():
            return
        super().send_password_reset_mail(user, email, context)

    def get_login_stages(self) -> list[str]:
        stages = super().get_login_stages()
        email_stage = "allauth.account.stages.EmailVerificationStage"
        position = stages.index(email_stage) if email_stage in stages else len(stages)
        stages.insert(position, "portal.accounts.stages.PhoneConfirmStage")
        return stages

    def get_email_verification_redirect_url(self, email_address):
        # A link followed before the SMS code was entered: back to the SMS step of the login.
        stage = get_pending_stage(self.request)
        if stage is not None and stage.key == PhoneConfirmStage.key:
            return reverse(stage.urlname)
        return super().get_email_verification_redirect_url(email_address)

    def post_login(self, request, user, **kwargs):
        response = super().post_login(request, user, **kwargs)
        if request.session.pop(REMEMBER_SESSION_KEY, False):
            self._remember_device(request, response, user)
        return response

    def _remember_device(self, request, response, user) -> None:
        current = remembered_device_for_id(device_cookie_read(request) or "")
        if current is not None and current.user_id == user.pk:
            return
        try:
            _device, device_id = device_remember(user=user, label=device_label(request))
        except ValidationError as error:
            messages.warning(request, " ".join(error.messages))
            return
        device_cookie_set(response, device_id)
        messages.info(request, _("Устройство запомнено: в следующий раз можно войти по PIN-коду"))
