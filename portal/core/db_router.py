"""Read replicas: the cabinet's reads go to a streaming replica, everything else to the primary.

On only when `DATABASE_REPLICA_URL` names a replica (settings add the `replica` alias and this
router). A request reads from the replica when all of these hold:

- it is a GET or HEAD outside the admin (`ReplicaReadsMiddleware` opens the window);
- the person made no write of their own in the last `DATABASE_REPLICA_PIN_SECONDS` (a signed
  cookie set by every unsafe request), so a booking is on `/appointments/` at once although the
  replica may lag;
- no transaction is open on the primary (a read inside `atomic()` belongs to that transaction);
- the model is one of the cabinet's read-mostly ones (`REPLICA_MODELS`): clinics and the map,
  the service history, policies and documents.

Celery tasks, management commands and the HR imports (their staging table is unlogged, so it is
not on replicas) never open the window: they read the primary.
"""

from __future__ import annotations

import contextvars
import time

from django.conf import settings
from django.core import signing
from django.db import DEFAULT_DB_ALIAS, connections

REPLICA = "replica"
PIN_COOKIE = "portal_primary"
PIN_SALT = "portal.core.db_router.pin"

# App labels whose models the cabinet reads a lot and writes rarely.
REPLICA_APPS = frozenset({"clinics", "claims", "policies"})

_replica_allowed: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "portal_replica_allowed", default=False
)


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


def reads_may_use_replica() -> bool:
    return _replica_allowed.get()


class ReplicaRouter:
    """Sends the cabinet's reads to the replica inside a window the middleware opens."""

    def db_for_read(self, model, **hints):
        if (
            _replica_allowed.get()
            and model._meta.app_label in REPLICA_APPS
            and not connections[DEFAULT_DB_ALIAS].in_atomic_block
            and replica_configured()
        ):
            return REPLICA
        return DEFAULT_DB_ALIAS

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the replica is a copy of the primary: the same rows

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == DEFAULT_DB_ALIAS


def _pinned(request) -> bool:
    value = request.COOKIES.get(PIN_COOKIE)
    if not value:
        return False
    try:
        until = signing.loads(value, salt=PIN_SALT)
    except signing.BadSignature:
        return False
    return isinstance(until, (int, float)) and until > time.time()


class ReplicaReadsMiddleware:
    """Opens the replica window for a person's reads; their own writes pin them to the primary."""

    SAFE_METHODS = frozenset({"GET", "HEAD"})

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not replica_configured():
            return self.get_response(request)
        safe = request.method in self.SAFE_METHODS
        allowed = safe and not request.path.startswith("/admin/") and not _pinned(request)
        token = _replica_allowed.set(allowed)
        try:
            response = self.get_response(request)
        finally:
            _replica_allowed.reset(token)
        if not safe:
            seconds = settings.DATABASE_REPLICA_PIN_SECONDS
            response.set_cookie(
                PIN_COOKIE,
                signing.dumps(time.time() + seconds, salt=PIN_SALT),
                max_age=seconds,
                secure=request.is_secure(),
                httponly=True,
                samesite="Lax",
            )
        return response
