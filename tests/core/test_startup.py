"""portal.core.startup: a serving process freezes what it holds once its application is loaded
(portal.wsgi), so that full garbage collections no longer walk Django and the apps."""

import gc
from pathlib import Path

from portal.core.startup import objects_freeze


def test_the_loaded_application_is_frozen_with_every_view_module():
    try:
        frozen = objects_freeze()

        assert frozen == gc.get_freeze_count() > 10_000
        frozen_ids = {id(obj) for obj in gc.get_objects()}
        from claims import views_cases  # imported by the URL map's resolution

        assert id(views_cases.cases) not in frozen_ids  # out of the collector's generations
    finally:
        gc.unfreeze()


def test_every_worker_freezes_after_loading_the_application():
    source = (Path(__file__).parents[2] / "portal" / "wsgi.py").read_text(encoding="utf-8")

    assert source.index("get_wsgi_application()") < source.index("objects_freeze()")
