"""Card binding, the co-pay ledger's charges and purchases: built by the co-pay issue.

For now only the co-pay enrollment that the clinics' booking rule reads: a person on a co-pay
program may visit clinics 30 minutes after binding a card (`clinic_access_from`), and the program
is active within 24 hours (`active_from`).
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from policies.models import InsuredPerson, Program
from portal.core.models import TimeStampedModel


class CopayEnrollment(TimeStampedModel):
    """An insured person's switch to a co-pay program: consent first, then a bound card."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="copay_enrollments",
        verbose_name=_("пользователь"),
    )
    insured_person = models.ForeignKey(
        InsuredPerson,
        on_delete=models.PROTECT,
        related_name="copay_enrollments",
        verbose_name=_("застрахованный"),
    )
    program = models.ForeignKey(
        Program, on_delete=models.PROTECT, related_name="+", verbose_name=_("программа")
    )
    consent_at = models.DateTimeField(_("согласие с условиями"))
    terms_version = models.CharField(_("версия условий"), max_length=32)
    card_bound_at = models.DateTimeField(_("карта привязана"), null=True, blank=True)
    clinic_access_from = models.DateTimeField(
        _("обращения в клиники с"),
        null=True,
        blank=True,
        help_text=_("Через 30 минут после привязки карты."),
    )
    active_from = models.DateTimeField(
        _("программа действует с"),
        null=True,
        blank=True,
        help_text=_("В течение 24 часов после привязки карты."),
    )

    class Meta:
        verbose_name = _("подключение со-оплатной программы")
        verbose_name_plural = _("подключения со-оплатной программы")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["insured_person"], name="copayenrollment_one_per_insured"
            ),
            # No access to clinics before a card is bound, and never before the binding.
            models.CheckConstraint(
                condition=Q(clinic_access_from__isnull=True)
                | (Q(card_bound_at__isnull=False) & Q(clinic_access_from__gte=F("card_bound_at"))),
                name="copayenrollment_access_after_card",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.insured_person}: {self.program.code}"
