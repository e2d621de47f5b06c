#!/usr/bin/env bash
# Rebuilds and compiles the ru catalogue. Source strings are written in Russian (the product's only
# language), so each msgstr starts as its msgid; plural forms get Russian's three forms.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
po=locale/ru/LC_MESSAGES/django.po
$PY manage.py makemessages -l ru --no-obsolete \
  --ignore=.venv --ignore=static/vendor --ignore=bench --ignore=tests --ignore=staticfiles
$PY scripts/po_identity.py "$po"
$PY manage.py compilemessages -l ru --ignore=.venv
