"""The version of the people's service histories, as their filter choices see them: bumped when
a service line is written or deleted and when a clinic or a kind of care changes (their names
are in the choices), so that the choices cached from a history (claims.selectors
`case_filter_choices`) are read anew. Light on imports: the app registry connects it at start-up
(ClaimsConfig.ready). Bulk writes send no signals: the register import, the demo seed and the
bench fill call `service_history_changed` themselves, in their transaction."""

from portal.core.versions import version_bump

HISTORY_VERSION = "claims-service-history"


def service_history_changed(*_args, **_kwargs) -> None:
    """Service lines were written or deleted, or a clinic or a kind of care changed (a signal
    receiver too, in the change's transaction): the cached filter choices are stale."""
    version_bump(HISTORY_VERSION)


# What of a line the choices show: a save naming none of these (a co-pay state, a dispute's
# marks) leaves the choices as they were and bumps nothing.
LINE_FIELDS = frozenset(
    {"clinic", "clinic_id", "care_kind", "care_kind_id", "insured_person", "insured_person_id"}
)


def service_line_saved(*_args, created=False, update_fields=None, **_kwargs) -> None:
    """A service line was saved (a signal receiver): a new line, a whole save, or a save of what
    the choices show makes them stale."""
    if created or update_fields is None or LINE_FIELDS & set(update_fields):
        service_history_changed()
