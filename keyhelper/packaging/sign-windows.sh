#!/usr/bin/env bash
# Authenticode-signs a PE file in place with osslsigncode:
#   keyhelper/packaging/sign-windows.sh FILE --cert CERT.pem (--key KEY.pem | --pkcs11-module LIB --pkcs11-token LABEL --pkcs11-key LABEL)
#                                       [--chain CHAIN.pem] [--timestamp-url URL]
# PIN for the token in $ESEAL_SIGNING_PIN. Without --timestamp-url (offline builds) the signature has no
# RFC 3161 timestamp and the signing time is SOURCE_DATE_EPOCH.
set -euo pipefail
file="${1:?file}"; shift
cert=""; key=""; module=""; token=""; keylabel=""; chain=""; tsa=""
while [ $# -gt 0 ]; do
  case "$1" in
    --cert) cert="$2";; --key) key="$2";; --chain) chain="$2";; --timestamp-url) tsa="$2";;
    --pkcs11-module) module="$2";; --pkcs11-token) token="$2";; --pkcs11-key) keylabel="$2";;
    *) echo "unknown option $1" >&2; exit 64;;
  esac; shift 2
done
certs="$cert"
if [ -n "$chain" ]; then certs="$(mktemp)"; cat "$cert" "$chain" >"$certs"; fi
args=(sign -h sha256 -n "电子印章PC客户端" -i "https://eseal.example.gov.cn/download/keyhelper" -certs "$certs")
if [ -n "$module" ]; then
  args+=(-pkcs11module "$module" -key "pkcs11:token=$token;object=$keylabel;type=private" -pass "${ESEAL_SIGNING_PIN:?PIN in ESEAL_SIGNING_PIN}")
else
  args+=(-key "${key:?--key or --pkcs11-module}")
fi
if [ -n "$tsa" ]; then args+=(-ts "$tsa"); else args+=(-time "${SOURCE_DATE_EPOCH:-$(date +%s)}"); fi
osslsigncode "${args[@]}" -in "$file" -out "$file.signed" >/dev/null
mv "$file.signed" "$file"
