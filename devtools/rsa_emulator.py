"""An emulator of the РСА's КБМ check, for development and tests only (portal/urls.py mounts it
when RSA_EMULATOR is on; the production settings refuse to start with it).

It answers deterministically from LICENCES: a licence known with the same name and birth date
gives its class, anything else «не найден». Two licences misbehave on demand: 99 99 000001 answers
only after RSA_EMULATOR_DELAY seconds (longer than the client waits), 99 99 000002 answers 503.
"""

import datetime
import json
import time

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

# (series, number) -> (last name, first name, birth date, class)
LICENCES: dict[tuple[str, str], tuple[str, str, str, str]] = {
    ("3616", "123456"): ("Смирнов", "Алексей", "1986-04-12", "13"),
    ("3619", "654321"): ("Смирнова", "Ольга", "1990-11-02", "10"),
    ("3620", "111222"): ("Кузнецов", "Игорь", "2001-05-30", "1"),
    ("7716", "123456"): ("Петров", "Сергей", "1979-08-21", "8"),
    ("77АВ", "555000"): ("Волков", "Дмитрий", "1968-01-15", "M"),
}
SLOW = ("9999", "000001")
BROKEN = ("9999", "000002")
# The coefficients the РСА gives with a class (6007-У, since 01.04.2022).
KBM = {
    "M": "3.92", "0": "2.94", "1": "2.25", "2": "1.76", "3": "1.17", "4": "1.00", "5": "0.91",
    "6": "0.83", "7": "0.78", "8": "0.74", "9": "0.68", "10": "0.63", "11": "0.57", "12": "0.52",
    "13": "0.46",
}  # fmt: skip


def _same(a: str, b: str) -> bool:
    return a.strip().casefold().replace("ё", "е") == b.strip().casefold().replace("ё", "е")


@csrf_exempt
@require_POST
def kbm_check(request: HttpRequest) -> JsonResponse:
    try:
        query = json.loads(request.body)
        key = (str(query["licence_series"]).replace(" ", "").upper(), str(query["licence_number"]))
        datetime.date.fromisoformat(query["birth_date"])
    except (ValueError, KeyError, TypeError):
        return JsonResponse({"error": "bad request"}, status=400)
    if key == SLOW:
        time.sleep(settings.RSA_EMULATOR_DELAY)
    if key == BROKEN:
        return JsonResponse({"error": "service unavailable"}, status=503)
    known = LICENCES.get(key)
    if (
        known is None
        or not _same(known[0], query.get("last_name", ""))
        or not _same(known[1], query.get("first_name", ""))
        or known[2] != query["birth_date"]
    ):
        return JsonResponse({"found": False, "message": "не найден"})
    return JsonResponse({"found": True, "class": known[3], "kbm": KBM[known[3]]})


urlpatterns = [path("kbm/check", kbm_check, name="rsa_emulator_kbm_check")]
