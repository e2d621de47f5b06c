"""The tariffs' version: bumped whenever a tariff row, region, country or currency rate changes,
so that prices cached from the tariffs (the shop cards' «от N руб.», shop.selectors) are read
anew. Light on imports: the app registry connects it at start-up (ShopConfig.ready)."""

from portal.core.versioned_cache import forget_all
from portal.core.versions import version_bump

TARIFFS_VERSION = "shop-tariffs"


def tariffs_changed(*_args, **_kwargs) -> None:
    """A tariff row, region, country or currency rate changed (a signal receiver, in the change's
    transaction): the cached «от N руб.» are stale."""
    forget_all()
    version_bump(TARIFFS_VERSION)
