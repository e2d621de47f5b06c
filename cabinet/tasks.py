from celery import shared_task

from .retention import personal_data_retention_run


@shared_task
def personal_data_retention_task() -> int | None:
    """The daily run of the retention schedule (settings.CELERY_BEAT_SCHEDULE): the act's id."""
    act = personal_data_retention_run(performed_by="плановое задание personal-data-retention")
    return act.pk if act else None
