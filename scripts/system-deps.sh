#!/usr/bin/env bash
# Debian packages lessonc needs outside Python: Pango for WeasyPrint and fonts for the
# PDF; with --test also Chromium (browser tests), poppler (PDF read-back) and Java
# (the Nu HTML checker). Installs only what is missing; needs root or sudo.
set -euo pipefail
packages=()
have_lib() { ldconfig -p 2>/dev/null | grep -q "$1"; }
have_lib libpango-1.0 || packages+=(libpango-1.0-0)
have_lib libpangoft2-1.0 || packages+=(libpangoft2-1.0-0)
fc-list 2>/dev/null | grep -qi dejavu || packages+=(fonts-dejavu-core)
if [ "${1:-}" = "--test" ]; then
  [ -x /usr/bin/chromium ] || packages+=(chromium)
  command -v pdftoppm >/dev/null || packages+=(poppler-utils)
  command -v java >/dev/null || packages+=(default-jre-headless)
  command -v npm >/dev/null || packages+=(npm)
fi
[ ${#packages[@]} -eq 0 ] && exit 0
sudo=""
[ "$(id -u)" = 0 ] || sudo="sudo"
echo "installing Debian packages: ${packages[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
