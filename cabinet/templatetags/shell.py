"""The cabinet shell's parts that are the same for every person: `{% load shell %}{% sidebar %}`."""

from django import template
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import get_script_prefix, reverse
from django.utils.safestring import SafeString
from django.utils.translation import get_language

from cabinet.navigation import SHOP, SIDEBAR

register = template.Library()

# The sidebar differs only by the entry of the page it is on (if any), the language and the
# script prefix: rendered once per process for each (about 0.5 ms of every page as template
# nodes, `make bench`). At most a dozen entries per language and prefix.
_rendered: dict[tuple[str, str | None, str], SafeString] = {}
_entry_paths: dict[str, frozenset[str]] = {}


def _sidebar_paths(prefix: str) -> frozenset[str]:
    paths = _entry_paths.get(prefix)
    if paths is None:
        paths = _entry_paths[prefix] = frozenset(reverse(entry.url_name) for entry in SIDEBAR)
    return paths


@register.simple_tag(takes_context=True)
def sidebar(context) -> SafeString:
    prefix = get_script_prefix()
    path = context["request"].path
    if path not in _sidebar_paths(prefix):
        path = ""  # no entry is the current page: the same sidebar for all such pages
    key = (prefix, get_language(), path)
    html = _rendered.get(key)
    if html is None:
        html = render_to_string(
            "components/sidebar.html", {"path": path, "SIDEBAR": SIDEBAR, "SHOP_ENTRY": SHOP}
        )
        if not settings.DEBUG:  # templates edited while `make run` serves show at once
            _rendered[key] = html
    return html
