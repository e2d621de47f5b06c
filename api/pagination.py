"""Pagination by cursor: a list answers `{"results": [...], "next": url | null}`; the app follows
`next` as it is. The cursor is opaque and signed (a changed one is refused, never a 500), so the
lists keep the pages' own orderings (by distance, by date) and their selectors."""

from django.core import signing
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Schema

from .errors import ApiError

SALT = "api.cursor"
PAGE_SIZE = 20
MAX_PAGE_SIZE = 100


class PageOut(Schema):
    next: str | None = None


def cursor_position(cursor: str | None) -> int:
    if not cursor:
        return 0
    try:
        position = signing.loads(cursor, salt=SALT)
    except signing.BadSignature:
        position = None
    if not isinstance(position, int) or position < 0:
        raise ApiError(
            _("Неверный курсор: начните список сначала"),
            errors={"cursor": [_("Неверный курсор")]},
        )
    return position


def page_of(request: HttpRequest, items, *, cursor: str | None, limit: int | None = None) -> dict:
    """One page of a queryset or a list, from the cursor's position."""
    size = min(max(limit or PAGE_SIZE, 1), MAX_PAGE_SIZE)
    start = cursor_position(cursor)
    rows = list(items[start : start + size + 1])
    following = None
    if len(rows) > size:
        rows = rows[:size]
        query = request.GET.copy()
        query["cursor"] = signing.dumps(start + size, salt=SALT)
        following = request.build_absolute_uri(f"{request.path}?{query.urlencode()}")
    return {"results": rows, "next": following}
