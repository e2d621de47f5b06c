"""Appeals (reviews, complaints, thanks, "service not provided") and guarantee letters."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from claims.models import ServiceLine
from clinics.models import Clinic
from policies.models import CareKind, InsuredPerson
from portal.core.models import TimeStampedModel
from portal.core.uploads import private_upload_path


class Appeal(TimeStampedModel):
    """A person's appeal to the insurer; every appeal is answered before its due date."""

    class Kind(models.TextChoices):
        REVIEW = "review", _("отзыв")
        COMPLAINT = "complaint", _("жалоба")
        THANKS = "thanks", _("благодарность")
        NOT_PROVIDED = "not_provided", _("услуга не оказана")
        QUESTION = "question", _("вопрос")
        CLINIC_REFUSED = "clinic_refused", _("клиника отказала / врач недоступен")

    class Status(models.TextChoices):
        NEW = "new", _("зарегистрировано")
        IN_PROGRESS = "in_progress", _("в работе")
        ANSWERED = "answered", _("дан ответ")
        CLOSED = "closed", _("закрыто")

    number = models.CharField(_("номер обращения"), max_length=32, unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="appeals",
        verbose_name=_("автор"),
    )
    kind = models.CharField(_("вид"), max_length=16, choices=Kind.choices)
    status = models.CharField(
        _("статус"), max_length=16, choices=Status.choices, default=Status.NEW
    )
    subject = models.CharField(_("тема"), max_length=255)
    due_on = models.DateField(_("срок ответа"))
    service_line = models.ForeignKey(
        ServiceLine,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="appeals",
        verbose_name=_("услуга"),
        # The database's key is (service_line_id, service_line_date): claims/partitions.py
        db_constraint=False,
    )
    clinic = models.ForeignKey(
        Clinic,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="appeals",
        verbose_name=_("клиника"),
    )
    rating = models.PositiveSmallIntegerField(
        _("оценка"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    # The settlement of a "service not provided" dispute: confirmed or rejected (with a reason).
    dispute_outcome = models.CharField(
        _("решение по спору"),
        max_length=16,
        blank=True,
        choices=[("confirmed", _("подтверждено")), ("rejected", _("отклонено"))],
    )
    dispute_reason = models.TextField(_("причина отказа"), blank=True)

    class Meta:
        verbose_name = _("обращение")
        verbose_name_plural = _("обращения")
        ordering = ["due_on", "-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="not_provided") | Q(service_line__isnull=False),
                name="appeal_not_provided_names_service",
            ),
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | (Q(rating__gte=1) & Q(rating__lte=5)),
                name="appeal_rating_1_5",
            ),
        ]

    def __str__(self) -> str:
        return f"№ {self.number}: {self.subject}"

    @property
    def is_overdue(self) -> bool:
        open_statuses = (self.Status.NEW, self.Status.IN_PROGRESS)
        return self.status in open_statuses and timezone.localdate() > self.due_on


class AppealMessage(models.Model):
    appeal = models.ForeignKey(
        Appeal, on_delete=models.CASCADE, related_name="messages", verbose_name=_("обращение")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("автор"),
    )
    from_staff = models.BooleanField(_("ответ страховщика"), default=False)
    body = models.TextField(_("текст"))
    sent_at = models.DateTimeField(_("отправлено"), default=timezone.now)
    # Set when the person was e-mailed about this (staff) message: the e-mail goes out once.
    notified_at = models.DateTimeField(_("уведомление отправлено"), null=True, blank=True)

    class Meta:
        verbose_name = _("сообщение по обращению")
        verbose_name_plural = _("сообщения по обращениям")
        ordering = ["sent_at", "pk"]

    def __str__(self) -> str:
        return f"{self.appeal}: {self.sent_at:%d.%m.%Y %H:%M}"


class AppealEvent(models.Model):
    """A status change of an appeal; written only by appeal_set_status, never edited."""

    appeal = models.ForeignKey(
        Appeal, on_delete=models.CASCADE, related_name="events", verbose_name=_("обращение")
    )
    from_status = models.CharField(
        _("из статуса"), max_length=16, choices=Appeal.Status.choices, blank=True
    )
    to_status = models.CharField(_("в статус"), max_length=16, choices=Appeal.Status.choices)
    at = models.DateTimeField(_("когда"), default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("кто"),
    )
    comment = models.TextField(_("комментарий"), blank=True)

    class Meta:
        verbose_name = _("событие по обращению")
        verbose_name_plural = _("события по обращениям")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.appeal}: {self.get_to_status_display()}"


def appeal_attachment_path(instance: "AppealAttachment", filename: str) -> str:
    # A server-made random name; the person's file name is only a label (original_name).
    return private_upload_path(f"appeals/{instance.appeal_id}", filename)


class AppealAttachment(TimeStampedModel):
    """A photo or PDF attached to an appeal; served only to its author and to staff."""

    appeal = models.ForeignKey(
        Appeal, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("обращение")
    )
    file = models.FileField(_("файл"), upload_to=appeal_attachment_path)
    original_name = models.CharField(_("имя файла"), max_length=255)
    content_type = models.CharField(_("тип"), max_length=64)
    size = models.PositiveIntegerField(_("размер, байт"), default=0)

    class Meta:
        verbose_name = _("вложение к обращению")
        verbose_name_plural = _("вложения к обращениям")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.original_name


class AppealNumberSequence(models.Model):
    """The last appeal serial given in a year: it only goes up, so no number is given twice."""

    year = models.PositiveSmallIntegerField(_("год"), unique=True)
    last = models.PositiveIntegerField(_("последний номер"), default=0)

    class Meta:
        verbose_name = _("счётчик номеров обращений")
        verbose_name_plural = _("счётчики номеров обращений")

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


def referral_path(instance: "GuaranteeLetter", filename: str) -> str:
    return private_upload_path("guarantee-letters", filename)


class GuaranteeLetter(TimeStampedModel):
    """The insurer's confirmation to a clinic that a service is covered."""

    class Status(models.TextChoices):
        REQUESTED = "requested", _("запрошено")
        ISSUED = "issued", _("выдано")
        REFUSED = "refused", _("отказано")
        EXPIRED = "expired", _("истёк срок")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="guarantee_letters",
        verbose_name=_("кто запросил"),
    )
    insured_person = models.ForeignKey(
        InsuredPerson, on_delete=models.PROTECT, related_name="+", verbose_name=_("застрахованный")
    )
    clinic = models.ForeignKey(
        Clinic, on_delete=models.PROTECT, related_name="+", verbose_name=_("клиника")
    )
    care_kind = models.ForeignKey(
        CareKind, on_delete=models.PROTECT, related_name="+", verbose_name=_("вид помощи")
    )
    status = models.CharField(
        _("статус"), max_length=16, choices=Status.choices, default=Status.REQUESTED
    )
    number = models.CharField(_("номер письма"), max_length=32, blank=True)
    valid_until = models.DateField(_("действует до"), null=True, blank=True)
    service_name = models.CharField(_("услуга"), max_length=255, blank=True)
    planned_on = models.DateField(_("планируемая дата"), null=True, blank=True)
    referral = models.FileField(_("направление"), upload_to=referral_path, blank=True)
    referral_name = models.CharField(_("имя файла направления"), max_length=255, blank=True)
    refusal_reason = models.TextField(_("причина отказа (пункт программы)"), blank=True)
    # Set when the "expires in 3 days" reminder went out: it goes out once.
    reminded_at = models.DateTimeField(_("напоминание отправлено"), null=True, blank=True)

    class Meta:
        verbose_name = _("гарантийное письмо")
        verbose_name_plural = _("гарантийные письма")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["number"], condition=~Q(number=""), name="guarantee_letter_number_unique"
            ),
            models.CheckConstraint(
                condition=~Q(status="issued") | (~Q(number="") & Q(valid_until__isnull=False)),
                name="guarantee_letter_issued_has_number",
            ),
        ]

    def __str__(self) -> str:
        return self.number or f"запрос от {self.created_at:%d.%m.%Y}"
