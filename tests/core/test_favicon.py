"""/favicon.ico, which a browser asks for on a page that names no icon."""

from django.templatetags.static import static


def test_favicon_is_the_portals_icon(client):
    response = client.get("/favicon.ico")

    assert response.status_code == 301
    assert response["Location"] == static("pwa/icon-192.png")
