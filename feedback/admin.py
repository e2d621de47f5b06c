from django.contrib import admin

from .models import Appeal, AppealMessage, GuaranteeLetter


class AppealMessageInline(admin.StackedInline):
    model = AppealMessage
    extra = 0
    raw_id_fields = ("author",)


@admin.register(Appeal)
class AppealAdmin(admin.ModelAdmin):
    list_display = ("number", "kind", "status", "subject", "due_on", "user")
    list_filter = ("kind", "status")
    search_fields = ("number", "subject", "user__email")
    raw_id_fields = ("user", "service_line", "clinic")
    inlines = [AppealMessageInline]
    list_select_related = ("user",)


@admin.register(GuaranteeLetter)
class GuaranteeLetterAdmin(admin.ModelAdmin):
    list_display = ("number", "status", "clinic", "care_kind", "valid_until", "user")
    list_filter = ("status",)
    search_fields = ("number", "clinic__name", "user__email")
    raw_id_fields = ("user", "insured_person", "clinic")
    list_select_related = ("clinic", "care_kind", "user")
