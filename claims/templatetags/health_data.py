"""The health-data rule (claims.health) in templates: `{{ line|service_name_for:user }}`,
`{{ line|diagnosis_for:user }}`, `{% if user|health_data_visible %}`."""

from django import template

from .. import health

register = template.Library()

register.filter("service_name_for", health.service_name_for)
register.filter("diagnosis_for", health.diagnosis_for)
register.filter("health_data_visible", health.health_data_visible)
