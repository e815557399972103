#!/usr/bin/env bash
# Builds eseal-keyhelper_VERSION_amd64.deb with dpkg-deb from a published linux-x64 helper:
#   keyhelper/packaging/build-deb.sh BINARY VERSION OUT_DIR [PUBLISHER_ROOTS.pem]
# Layout: /opt/eseal-keyhelper/{ESeal.KeyHelper,appsettings.json,publisher-roots.pem},
# /lib/systemd/system/eseal-keyhelper.service, /etc/eseal-keyhelper/ (the portal's eseal-keyhelper.json
# goes there). Reproducible: file times from SOURCE_DATE_EPOCH, fixed owners, sorted by dpkg-deb.
set -euo pipefail
binary="${1:?binary}"; version="${2:?version}"; out="${3:?out dir}"; roots="${4:-}"
here="$(cd "$(dirname "$0")" && pwd)"
: "${SOURCE_DATE_EPOCH:=$(git -C "$here" log -1 --format=%ct 2>/dev/null || date +%s)}"
export SOURCE_DATE_EPOCH
stage="$(mktemp -d)"; trap 'rm -rf "$stage"' EXIT
install -Dm755 "$binary" "$stage/opt/eseal-keyhelper/ESeal.KeyHelper"
install -Dm644 "$here/../appsettings.json" "$stage/opt/eseal-keyhelper/appsettings.json"
[ -z "$roots" ] || install -Dm644 "$roots" "$stage/opt/eseal-keyhelper/publisher-roots.pem"
install -Dm644 "$here/eseal-keyhelper.service" "$stage/lib/systemd/system/eseal-keyhelper.service"
install -d -m755 "$stage/etc/eseal-keyhelper" "$stage/DEBIAN"
deb_version="${version//-/\~}"
cat >"$stage/DEBIAN/control" <<CONTROL
Package: eseal-keyhelper
Version: $deb_version
Architecture: amd64
Maintainer: ESeal <eseal@example.gov.cn>
Depends: libc6, libssl3 | libssl3t64, libicu72 | libicu74 | libicu76
Recommends: pcscd, opensc-pkcs11
Section: misc
Priority: optional
Description: ESeal key helper (电子印章PC客户端)
 Loopback HTTP service (127.0.0.1) through which the ESeal portal's pages
 reach USBKEYs via PKCS#11. Put the portal's signed eseal-keyhelper.json
 into /etc/eseal-keyhelper/ and restart the service.
CONTROL
# Maintainer scripts do nothing when installed into another root (dpkg --root sets DPKG_ROOT).
for script in postinst prerm postrm; do
  case $script in
    postinst) action='systemctl daemon-reload; systemctl enable --now eseal-keyhelper.service || true' ;;
    prerm) action='systemctl disable --now eseal-keyhelper.service || true' ;;
    postrm) action='systemctl daemon-reload || true' ;;
  esac
  printf '#!/bin/sh\nset -e\nif [ -z "${DPKG_ROOT:-}" ] && [ -d /run/systemd/system ]; then\n  %s\nfi\nexit 0\n' "$action" >"$stage/DEBIAN/$script"
  chmod 755 "$stage/DEBIAN/$script"
done
find "$stage" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
mkdir -p "$out"
deb="$out/eseal-keyhelper_${deb_version}_amd64.deb"
dpkg-deb --root-owner-group -Zxz --build "$stage" "$deb" >/dev/null
echo "$deb"
