"""Forms render through Django's own widget templates, and templates come from the cached loader:
no widget or card is written out in Python to save time."""

from django import forms
from django.forms.renderers import DjangoTemplates, get_default_renderer
from django.template import engines
from django.template.loaders.cached import Loader as CachedLoader


def test_the_form_renderer_is_djangos_own():
    renderer = get_default_renderer()

    assert type(renderer) is DjangoTemplates
    template = renderer.get_template("django/forms/widgets/input.html")
    assert "/django/forms/templates/django/forms/widgets/input.html" in template.origin.name


def test_a_widget_renders_escaped_through_the_templates():
    html = forms.TextInput(attrs={"class": "input"}).render("name", 'a"<b>&c')

    assert html == '<input type="text" name="name" value="a&quot;&lt;b&gt;&amp;c" class="input">'


def test_pages_and_widgets_read_their_templates_through_the_cached_loader(settings):
    # DEBUG is off here, as in production; Django caches compiled templates when the settings
    # name no loaders (the development server drops the cache when a template changes).
    assert settings.DEBUG is False
    assert "loaders" not in settings.TEMPLATES[0].get("OPTIONS", {})
    pages = engines["django"].engine
    widgets = get_default_renderer().engine.engine
    for engine in (pages, widgets):
        assert [type(loader) for loader in engine.template_loaders] == [CachedLoader]


def test_the_flat_select_renders_what_djangos_select_does():
    """FlatSelect (many options: a person's clinics) writes each option in its own loop, not by
    two includes an option: the same options, the chosen one selected, names escaped."""
    from portal.core.forms import FlatSelect

    choices = [("", "Все"), (1, 'Клиника "А" <&>'), (22, "Б")]
    flat = FlatSelect(attrs={"class": "input"}, choices=choices).render("clinic", "22")
    django = forms.Select(attrs={"class": "input"}, choices=choices).render("clinic", "22")

    def normal(html):
        return " ".join(html.replace("\n", " ").split())

    assert normal(flat) == normal(django)
    assert '<option value="22" selected>Б</option>' in flat
    assert "Клиника &quot;А&quot; &lt;&amp;&gt;" in flat
