from django.conf import settings


def portal(request):
    return {
        "PORTAL_NAME": settings.PORTAL_NAME,
        "INSURER_NAME": settings.INSURER_NAME,
        "HOTLINE_PHONE": settings.HOTLINE_PHONE,
        "HOTLINE_PHONE_DISPLAY": settings.HOTLINE_PHONE_DISPLAY,
        "STORE_LINKS": [
            (name, url)
            for name, url in (
                ("App Store", settings.APP_STORE_URL),
                ("Google Play", settings.GOOGLE_PLAY_URL),
                ("RuStore", settings.RUSTORE_URL),
            )
            if url
        ],
    }
