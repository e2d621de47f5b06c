"""The co-pay program in the admin: read-only for the insurer's staff. Enrolments, cards,
charges and refunds are written by the payment services and the provider's webhooks only; card
data never reaches the portal (the provider holds it), and a charge's client secret is never
shown. Operators act on charges through two admin actions that call the services, each behind
its own permission and written to the staff audit log: reconcile charges in doubt with the
provider, and refund the co-pay of lines whose "service not provided" dispute was confirmed.
Each charge and refund shows its history (ChargeEvent, RefundEvent: every status step, when,
by whom — empty for the payment service itself — and why)."""

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gateways.payments_base import GatewayError
from portal.core.admin import (
    AuditedAdminMixin,
    PortalModelAdmin,
    PortalTabularInline,
    ReadOnlyAdminMixin,
)
from portal.core.audit import audit_log_record
from portal.core.formatting import money
from portal.core.models import AuditLogEntry

from . import services
from .models import (
    Charge,
    ChargeEvent,
    ChargeLine,
    ClinicAttachmentList,
    CopayEnrollment,
    CopayNotice,
    PaymentCard,
    ProcessedEvent,
    Receipt,
    Refund,
    RefundEvent,
)


class ReadOnlyInline(ReadOnlyAdminMixin, PortalTabularInline):
    extra = 0


class ChargeEventInline(ReadOnlyInline):
    model = ChargeEvent
    fields = ("at", "from_status", "to_status", "by", "note")
    readonly_fields = fields
    verbose_name_plural = gettext_lazy("история состояний")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("by")


class RefundEventInline(ChargeEventInline):
    model = RefundEvent


class PaymentCardInline(ReadOnlyInline):
    model = PaymentCard
    fields = ("brand", "last4", "exp_month", "exp_year", "gateway", "created_at", "removed_at")
    readonly_fields = fields


class ClinicAttachmentListInline(ReadOnlyInline):
    model = ClinicAttachmentList
    fields = ("clinic", "sent_at", "processed_by")
    readonly_fields = fields


@admin.register(CopayEnrollment)
class CopayEnrollmentAdmin(ReadOnlyAdminMixin, PortalModelAdmin):
    list_display = (
        "user",
        "insured_person",
        "program",
        "consent_at",
        "card_bound_at",
        "active_from",
    )
    search_fields = ("user__email", "insured_person__policy_number")
    raw_id_fields = ("user", "insured_person", "program")
    list_select_related = ("user", "insured_person", "program")
    inlines = [PaymentCardInline, ClinicAttachmentListInline]


class ChargeLineInline(ReadOnlyInline):
    model = ChargeLine
    fields = ("service_line", "service", "amount", "active", "dispute", "refund_status")
    readonly_fields = fields
    verbose_name_plural = gettext_lazy("строки списания")

    # The line's __str__ leaves the service name out (health data, claims.health); the operator,
    # whose view is audited, reads it here as on the service lines' own admin page.
    @admin.display(description=gettext_lazy("услуга"))
    def service(self, obj: ChargeLine) -> str:
        return obj.service_line.service_name

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("service_line", "refund")

    @admin.display(description=gettext_lazy("обращение «услуга не оказана»"))
    def dispute(self, obj: ChargeLine) -> str:
        line = obj.service_line
        if line.recovery_flagged_at:
            return _("подтверждено")
        return _("рассматривается") if line.disputed_at else "—"

    @admin.display(description=gettext_lazy("возврат"))
    def refund_status(self, obj: ChargeLine) -> str:
        refund = getattr(obj, "refund", None)
        return refund.get_status_display() if refund else "—"


class RefundInline(ReadOnlyInline):
    model = Refund
    fields = (
        "service_line",
        "amount",
        "status",
        "provider_refund_id",
        "failure_code",
        "settled_at",
    )
    readonly_fields = fields


def _audit(request: HttpRequest, charge: Charge, what: str) -> None:
    audit_log_record(
        request=request,
        subject=charge,
        person_label=charge.insured_person.full_name,
        what=what,
        action=AuditLogEntry.Action.CHANGE,
    )


@admin.register(Charge)
class ChargeAdmin(AuditedAdminMixin, ReadOnlyAdminMixin, PortalModelAdmin):
    list_display = (
        "pk",
        "day",
        "user",
        "insured_person",
        "kind",
        "amount",
        "status",
        "settled_at",
    )
    list_filter = ("status", "kind", ("day", admin.DateFieldListFilter), "refunds__status")
    search_fields = (
        "user__email",
        "insured_person__policy_number",
        "provider_payment_id",
        "idempotency_key",
    )
    search_help_text = gettext_lazy(
        "Номер списания, e-mail пользователя, номер полиса или платёж у провайдера"
    )
    date_hierarchy = "day"
    list_select_related = ("user", "insured_person")
    exclude = ("client_secret", "service_lines")
    inlines = [ChargeEventInline, ChargeLineInline, RefundInline]
    actions = ["reconcile", "refund"]

    def get_search_results(self, request, queryset, search_term):
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        term = search_term.strip().lstrip("№").strip()
        if term.isdigit():  # a charge's number, as the person reads it on the receipt
            queryset |= self.model.objects.filter(pk=int(term))
        return queryset, may_have_duplicates

    def audit_entry(self, request, obj: Charge):
        # its lines name the services received: medical data
        return obj.insured_person.full_name, _("списание со-оплаты и его услуги")

    def has_reconcile_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("payments.reconcile_charge")

    def has_refund_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("payments.refund_charge")

    @admin.action(
        permissions=["reconcile"], description=gettext_lazy("Сверить с платёжной системой")
    )
    def reconcile(self, request: HttpRequest, queryset: QuerySet[Charge]) -> None:
        """Charges in doubt, not yet sent, or awaiting the person: settled from the provider's
        records now rather than at the next reconciliation run."""
        doubtful = (*Charge.OPEN, Charge.Status.REQUIRES_ACTION)
        charges = list(queryset.select_related("card", "insured_person"))
        skipped = [c for c in charges if c.status not in doubtful]
        in_flight = [c for c in charges if services.charge_in_flight(c)]
        done, failed = [], []
        for charge in charges:
            if charge.status not in doubtful or charge in in_flight:
                continue
            _audit(request, charge, _("сверка списания с платёжной системой"))
            try:
                settled = services.charge_reconcile(charge=charge, actor=request.user)
            except GatewayError:
                failed.append(charge)
                continue
            done.append(f"№ {charge.pk}: {settled.get_status_display()}")
        if done:
            messages.success(request, _("Сверено: %(list)s.") % {"list": "; ".join(done)})
        if failed:
            messages.error(
                request,
                _("Платёжная система недоступна, не сверены: %(list)s. Попробуйте позже.")
                % {"list": ", ".join(f"№ {c.pk}" for c in failed)},
            )
        if in_flight:
            messages.warning(
                request,
                _(
                    "Списание отправлено в платёжную систему менее %(minutes)s минут назад, ответ "
                    "может быть ещё в пути; сверьте позже: %(list)s."
                )
                % {
                    "minutes": int(services.RECONCILE_AFTER.total_seconds() // 60),
                    "list": ", ".join(f"№ {c.pk}" for c in in_flight),
                },
            )
        if skipped:
            messages.warning(
                request,
                _("Сверять нечего — списание уже завершено: %(list)s.")
                % {"list": ", ".join(f"№ {c.pk}" for c in skipped)},
            )

    @admin.action(permissions=["refund"], description=gettext_lazy("Вернуть со-оплату"))
    def refund(self, request: HttpRequest, queryset: QuerySet[Charge]) -> None:
        """Only for paid charges, and only their lines whose "service not provided" dispute was
        confirmed (a refund request lost on the way); everything else is refused."""
        charges = list(queryset.select_related("insured_person"))
        refused, made = [], []
        for charge in charges:
            if charge.status != Charge.Status.SUCCEEDED:
                refused.append(charge)
                continue
            if not charge.lines.filter(
                active=True, service_line__recovery_flagged_at__isnull=False
            ).exists():
                refused.append(charge)
                continue
            _audit(request, charge, _("возврат со-оплаты по подтверждённому обращению"))
            refunds = services.charge_refunds_due(charge=charge, actor=request.user)
            made += [
                f"№ {charge.pk}: {money(r.amount)} — {r.get_status_display()}" for r in refunds
            ]
        if made:
            messages.success(request, _("Возвраты: %(list)s.") % {"list": "; ".join(made)})
        if refused:
            messages.warning(
                request,
                _(
                    "Не возвращается: %(list)s. Вернуть можно только оплаченное списание и только "
                    "по услугам, неоказание которых подтверждено по обращению."
                )
                % {"list": ", ".join(f"№ {c.pk}" for c in refused)},
            )


@admin.register(Refund)
class RefundAdmin(AuditedAdminMixin, ReadOnlyAdminMixin, PortalModelAdmin):
    list_display = ("created_at", "charge", "amount", "status", "settled_at")
    list_filter = ("status", ("created_at", admin.DateFieldListFilter))
    search_fields = ("charge__user__email", "provider_refund_id", "idempotency_key")
    list_select_related = ("charge", "service_line")
    raw_id_fields = ("charge", "charge_line", "service_line")
    inlines = [RefundEventInline]

    def audit_entry(self, request, obj: Refund):
        return obj.charge.insured_person.full_name, _("возврат со-оплаты и его услуга")


@admin.register(Receipt)
class ReceiptAdmin(ReadOnlyAdminMixin, PortalModelAdmin):
    """54-ФЗ receipts (and Stripe's «квитанции»): written by the payment services, their fiscal
    attributes read back from the provider; a receipt the cash register refused is «не
    зарегистрирован» here for the operator."""

    list_display = (
        "paid_at",
        "user",
        "kind",
        "source",
        "amount",
        "status",
        "fiscal_document_number",
    )
    list_filter = ("status", "kind", "source", "gateway")
    search_fields = (
        "user__email",
        "provider_payment_id",
        "provider_refund_id",
        "fiscal_document_number",
    )
    list_select_related = ("user",)
    raw_id_fields = ("user",)


@admin.register(CopayNotice)
class CopayNoticeAdmin(ReadOnlyAdminMixin, PortalModelAdmin):
    list_display = ("charge_day", "insured_person", "amount", "created_at", "sent_at")
    search_fields = ("insured_person__policy_number",)
    list_select_related = ("insured_person",)


@admin.register(ProcessedEvent)
class ProcessedEventAdmin(ReadOnlyAdminMixin, PortalModelAdmin):
    """Provider webhook events already handled (each is handled once)."""

    list_display = ("processed_at", "type", "event_id")
    search_fields = ("event_id", "type")
