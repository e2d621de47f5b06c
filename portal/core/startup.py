"""What a serving process does once its application is loaded.

`objects_freeze`: the URL map is resolved (every view module imported), then the objects made so
far — Django, the apps, their modules, templates' code: ~236,000 on the bench — are moved out of
the garbage collector's reach (`gc.freeze`). They live as long as the process; without this every
full collection walked them all again: 120–146 ms each, one every ~70 requests of the HR
manager's insured-persons list at the bench's xlarge, the slowest request of a page (`make
bench`); frozen, 13–16 ms. portal.wsgi calls it in every worker; the bench's in-process pages
are measured after the same call, as in a worker.
"""

import gc


def objects_freeze() -> int:
    """Freeze what the process holds now; returns how many objects are frozen."""
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018  (imports every view module before the freeze)
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()
