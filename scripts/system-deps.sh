#!/usr/bin/env bash
# Installs the Debian packages the portal needs when they are missing: pango and a Cyrillic font
# for WeasyPrint, gettext for the locale, Chromium for the browser tests, OpenSSL with its GOST
# engine for signing ESIA requests. Needs root (or sudo).
set -euo pipefail
need=()
for pkg in libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core gettext chromium openssl \
  libengine-gost-openssl pgbouncer; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
done
[ ${#need[@]} -eq 0 ] && exit 0
echo "Устанавливаю системные пакеты: ${need[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "Нужны пакеты ${need[*]}: установите их (apt-get install) от имени root." >&2
    exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${need[@]}"
