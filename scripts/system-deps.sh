#!/usr/bin/env bash
# Debian packages lessonc needs outside Python, for full quality on a plain machine:
# python3-venv (the .venv), Pango for WeasyPrint, HarfBuzz's subsetting library (without
# it WeasyPrint falls back to fontTools and lessonc warns), and the DejaVu fonts the
# handout is set in, italics included; Noto for handouts in other scripts (fonts-noto-core:
# Arabic, Persian, Hebrew, Devanagari …; fonts-noto-cjk: Chinese, Japanese, Korean) and
# Vazirmatn for Persian where the release has it. With --test also what only the tests need:
# Chromium (browser tests), poppler (PDF read-back), Java (the Nu HTML checker) and npm
# (axe-core), and the espeak-ng command (the speech-command test and the audio bench;
# lessonc itself speaks through the eSpeak NG wheel). Installs only what is missing; needs
# root or sudo.
set -euo pipefail
packages=()
installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "ok installed"; }
need() { installed "$1" || packages+=("$1"); }
python3 -c "import ensurepip, venv" 2>/dev/null || packages+=(python3-venv)
need libpango-1.0-0
need libpangoft2-1.0-0
need libharfbuzz-subset0
need fonts-dejavu-core
need fonts-dejavu-extra
need fonts-noto-core
need fonts-noto-cjk
# Debian 13 and later; before, Persian handouts use Noto Naskh Arabic.
if apt-cache show fonts-vazirmatn >/dev/null 2>&1; then need fonts-vazirmatn; fi
if [ "${1:-}" = "--test" ]; then
  [ -x /usr/bin/chromium ] || packages+=(chromium)
  command -v pdftoppm >/dev/null || packages+=(poppler-utils)
  command -v java >/dev/null || packages+=(default-jre-headless)
  command -v npm >/dev/null || packages+=(npm)
  command -v espeak-ng >/dev/null || packages+=(espeak-ng)
fi
[ ${#packages[@]} -eq 0 ] && exit 0
sudo=""
[ "$(id -u)" = 0 ] || sudo="sudo"
echo "installing Debian packages: ${packages[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
