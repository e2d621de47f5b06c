from celery import shared_task

from .access_log import access_log_digests_send
from .retention import personal_data_retention_run


@shared_task
def personal_data_retention_task() -> int | None:
    """The daily run of the retention schedule (settings.CELERY_BEAT_SCHEDULE): the act's id."""
    act = personal_data_retention_run(performed_by="плановое задание personal-data-retention")
    return act.pk if act else None


@shared_task
def access_log_digests_send_task() -> int:
    """Mondays: the last week's staff reads of their data to each person who asked for it."""
    return access_log_digests_send()
