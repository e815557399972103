#!/usr/bin/env bash
# Installs the Debian packages ESeal's demo and tests need, only those that are missing.
set -euo pipefail
# osslsigncode + libengine-pkcs11-openssl: Authenticode signing (also from a PKCS#11 token); dpkg-deb is in dpkg.
# poppler-utils: pdftoppm and pdftotext, to look at the receipt Chromium printed to PDF.
packages=(softhsm2 opensc chromium fonts-noto-cjk osslsigncode libengine-pkcs11-openssl poppler-utils)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing: ${missing[*]}"
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  $sudo_cmd env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
