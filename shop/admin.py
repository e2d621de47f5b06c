from django.contrib import admin

from portal.core.admin import PortalModelAdmin

from . import models

TARIFF_FIELDS = ("act", "act_date", "valid_from", "valid_to")
OSAGO_FIELDS = (*TARIFF_FIELDS, "confirmed")


class TariffAdmin(PortalModelAdmin):
    list_filter = ("act", "valid_from")
    search_fields = ("act",)


@admin.register(models.TariffVersion)
class TariffVersionAdmin(PortalModelAdmin):
    list_display = ("code", "title", "valid_from")


@admin.register(models.Region)
class RegionAdmin(PortalModelAdmin):
    list_display = ("code", "name")
    search_fields = ("code", "name")


@admin.register(models.BaseRate)
class BaseRateAdmin(TariffAdmin):
    list_display = (
        "category",
        "purpose",
        "region",
        "value",
        "corridor_min",
        "corridor_max",
        *OSAGO_FIELDS,
    )
    list_filter = ("purpose", "confirmed", "act", "valid_from")


@admin.register(models.TerritoryCoefficient)
class TerritoryAdmin(TariffAdmin):
    list_display = ("region", "town", "value", *OSAGO_FIELDS)
    list_filter = ("confirmed", "act", "valid_from")
    list_select_related = ("region",)
    search_fields = ("region__name", "region__code", "town", "act")


@admin.register(models.ViolationsCoefficient)
class ViolationsAdmin(TariffAdmin):
    list_display = ("violations", "value", *OSAGO_FIELDS)


@admin.register(models.TrailerCoefficient)
class TrailerAdmin(TariffAdmin):
    list_display = ("category", "legal_entity", "value", *OSAGO_FIELDS)


@admin.register(models.BonusMalusClass)
class BonusMalusAdmin(TariffAdmin):
    list_display = ("code", "value", *TARIFF_FIELDS)


@admin.register(models.AgeExperienceCoefficient)
class AgeExperienceAdmin(TariffAdmin):
    list_display = (
        "age_from",
        "age_to",
        "experience_from",
        "experience_to",
        "value",
        *TARIFF_FIELDS,
    )


@admin.register(models.DriversCoefficient)
class DriversAdmin(TariffAdmin):
    list_display = ("unlimited", "value", *TARIFF_FIELDS)


@admin.register(models.PowerCoefficient)
class PowerAdmin(TariffAdmin):
    list_display = ("power_above", "power_to", "value", *TARIFF_FIELDS)


@admin.register(models.SeasonCoefficient)
class SeasonAdmin(TariffAdmin):
    list_display = ("months", "value", *TARIFF_FIELDS)


@admin.register(models.Offer)
class OfferAdmin(PortalModelAdmin):
    list_display = (
        "title",
        "product",
        "audience",
        "audience_product",
        "starts_on",
        "ends_on",
        "is_published",
    )
    list_filter = ("audience", "product", "is_published")
    search_fields = ("title",)


@admin.register(models.Purchase)
class PurchaseAdmin(PortalModelAdmin):
    list_display = ("policy", "user", "status", "amount", "paid_at")
    list_filter = ("status",)
    list_select_related = ("policy", "user")
    readonly_fields = [f.name for f in models.Purchase._meta.fields]
    search_fields = ("policy__number",)

    def has_add_permission(self, request):
        return False


@admin.register(models.PersonalRate)
class PersonalRateAdmin(TariffAdmin):
    list_display = ("product", "age_from", "age_to", "rate_per_mille", *TARIFF_FIELDS)
    list_filter = ("product", "act")


@admin.register(models.PersonalOption)
class PersonalOptionAdmin(TariffAdmin):
    list_display = ("product", "code", "name", "value", *TARIFF_FIELDS)
    list_filter = ("product", "act")


@admin.register(models.PropertyRate)
class PropertyRateAdmin(TariffAdmin):
    list_display = ("kind", "component", "rate_percent", *TARIFF_FIELDS)
    list_filter = ("kind", "act")


@admin.register(models.KaskoRate)
class KaskoRateAdmin(TariffAdmin):
    list_display = ("car_age_from", "car_age_to", "rate_percent", *TARIFF_FIELDS)


@admin.register(models.KaskoDeductible)
class KaskoDeductibleAdmin(TariffAdmin):
    list_display = ("amount", "value", *TARIFF_FIELDS)


@admin.register(models.KaskoDriverCoefficient)
class KaskoDriverAdmin(TariffAdmin):
    list_display = (
        "age_from",
        "age_to",
        "experience_from",
        "experience_to",
        "value",
        *TARIFF_FIELDS,
    )


@admin.register(models.Country)
class CountryAdmin(PortalModelAdmin):
    list_display = ("name", "code", "schengen", "is_active")
    list_filter = ("schengen", "is_active")
    list_editable = ("schengen", "is_active")
    search_fields = ("name", "name_en", "code")


@admin.register(models.CurrencyRate)
class CurrencyRateAdmin(PortalModelAdmin):
    list_display = ("currency", "day", "rate", "source")
    list_filter = ("currency", "source")  # the Bank's rows (shop.rates) and those typed by hand
    search_fields = ("source",)
    date_hierarchy = "day"


@admin.register(models.TravelRate)
class TravelRateAdmin(TariffAdmin):
    list_display = ("sum_insured", "daily_rate", *TARIFF_FIELDS)


@admin.register(models.TravelAgeCoefficient)
class TravelAgeAdmin(TariffAdmin):
    list_display = ("age_from", "age_to", "value", *TARIFF_FIELDS)


@admin.register(models.TravelSportOption)
class TravelSportAdmin(TariffAdmin):
    list_display = ("code", "name", "value", *TARIFF_FIELDS)
