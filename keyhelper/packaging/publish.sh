#!/usr/bin/env bash
# Builds the "点此下载" release of the key helper into OUT:
#   OUT/win-x64/ESeal.KeyHelper.exe      single file, Authenticode-signed (osslsigncode)
#   OUT/linux-x64/ESeal.KeyHelper        single file
#   OUT/*/publisher-roots.pem, appsettings.json
#   OUT/eseal-keyhelper_VERSION_amd64.deb  (dpkg-deb; binary, hardened systemd unit, /etc/eseal-keyhelper)
#   OUT/sbom.cdx.json                    CycloneDX SBOM (dotnet tool CycloneDX 6.3.1)
#   OUT/release-manifest.json(.p7s)      file list + CMS detached signature by the code-signing certificate
# Usage:
#   keyhelper/packaging/publish.sh --out OUT --cert CODESIGN.pem --root PUBLISHER_ROOT.pem
#       (--key KEY.pem | --pkcs11-module LIB --pkcs11-token LABEL --pkcs11-key LABEL)   # PIN in $ESEAL_SIGNING_PIN
#       [--chain INTERMEDIATES.pem] [--version X] [--rids "linux-x64 win-x64"] [--timestamp-url URL]
#       [--variant trimmed|full] [--no-sbom]
#   keyhelper/packaging/publish.sh --out OUT --unsigned [--version X] [--rids …]   # the unsigned outputs only
# Version: --version, else the git tag vX.Y.Z on HEAD, else 0.0.0-dev.<commit>. Times (manifest `created`,
# signing time, .deb file times) from SOURCE_DATE_EPOCH, default the commit time: two runs on the same
# commit give the same unsigned files (tests/ESeal.KeyHelper.Tests ReproducibleBuildTests).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
out=""; cert=""; key=""; chain=""; proot=""; version=""; rids="linux-x64 win-x64"; tsa=""; unsigned=0; sbom=1; variant=trimmed
module=""; token=""; keylabel=""
while [ $# -gt 0 ]; do
  case "$1" in
    --out) out="$2"; shift;; --cert) cert="$2"; shift;; --key) key="$2"; shift;; --chain) chain="$2"; shift;;
    --root) proot="$2"; shift;; --version) version="$2"; shift;; --rids) rids="$2"; shift;;
    --timestamp-url) tsa="$2"; shift;; --variant) variant="$2"; shift;;
    --pkcs11-module) module="$2"; shift;; --pkcs11-token) token="$2"; shift;; --pkcs11-key) keylabel="$2"; shift;;
    --unsigned) unsigned=1;; --no-sbom) sbom=0;;
    *) echo "unknown option $1" >&2; exit 64;;
  esac; shift
done
[ -n "$out" ] || { echo "--out is required" >&2; exit 64; }
if [ $unsigned -eq 0 ]; then
  [ -n "$cert" ] && [ -n "$proot" ] && { [ -n "$key" ] || [ -n "$module" ]; } \
    || { echo "--cert, --root and --key or --pkcs11-module are required (or --unsigned)" >&2; exit 64; }
fi
if [ -z "$version" ]; then
  tag="$(git -C "$root" describe --tags --exact-match --match 'v[0-9]*' 2>/dev/null || true)"
  version="${tag#v}"
  [ -n "$version" ] || version="0.0.0-dev.$(git -C "$root" rev-parse --short=12 HEAD)"
fi
: "${SOURCE_DATE_EPOCH:=$(git -C "$root" log -1 --format=%ct)}"
export SOURCE_DATE_EPOCH
# Clear only an earlier release folder: never a folder that holds anything else.
if [ -d "$out" ] && [ -n "$(ls -A "$out")" ] && [ ! -f "$out/release-manifest.json" ] && [ ! -f "$out/.unsigned-release" ]; then
  echo "refusing to clear $out: it is not empty and holds no earlier release" >&2; exit 2
fi
rm -rf "$out"; mkdir -p "$out"; out="$(cd "$out" && pwd)"
case "$variant" in
  # Trimming alone drops the framework's ReadyToRun code (start 4 s, everything JIT-compiled): trim + R2R.
  # Invariant globalization: the helper formats no culture-specific text (JSON, logs, PKCS#11 labels
  # are UTF-8 as they are) and it keeps ICU out of memory: 58 MB instead of 61 MB RSS after 100
  # signatures, the one variant under the 60 MB goal. Figures: tests/ESeal.KeyHelper.Benchmarks/README.md.
  trimmed) extra=(-p:PublishTrimmed=true -p:PublishReadyToRun=true -p:InvariantGlobalization=true) ;;
  full) extra=() ;;
  *) echo "unknown variant $variant" >&2; exit 64 ;;
esac
for rid in $rids; do
  # Deterministic: fixed version, CI build paths mapped away, no PDBs, no build-time stamps.
  dotnet publish "$root/keyhelper/ESeal.KeyHelper.csproj" -c Release -r "$rid" --self-contained -nologo -v quiet \
    -p:PublishSingleFile=true -p:DebugType=none -p:Version="$version" -p:ContinuousIntegrationBuild=true \
    -p:Deterministic=true -p:PathMap="$root=/src" "${extra[@]}" -o "$out/$rid"
  rm -f "$out/$rid"/*.staticwebassets.endpoints.json
done
if [ $unsigned -eq 1 ]; then
  touch "$out/.unsigned-release"
  echo "unsigned $version in $out"; exit 0
fi
for rid in $rids; do install -m644 "$proot" "$out/$rid/publisher-roots.pem"; done
signing=(--cert "$cert"); [ -z "$chain" ] || signing+=(--chain "$chain")
if [ -n "$module" ]; then signing+=(--pkcs11-module "$module" --pkcs11-token "$token" --pkcs11-key "$keylabel"); else signing+=(--key "$key"); fi
if [ -f "$out/win-x64/ESeal.KeyHelper.exe" ]; then
  "$root/keyhelper/packaging/sign-windows.sh" "$out/win-x64/ESeal.KeyHelper.exe" "${signing[@]}" ${tsa:+--timestamp-url "$tsa"}
fi
if [ -f "$out/linux-x64/ESeal.KeyHelper" ]; then
  "$root/keyhelper/packaging/build-deb.sh" "$out/linux-x64/ESeal.KeyHelper" "$version" "$out" "$proot" >/dev/null
fi
if [ $sbom -eq 1 ]; then
  cdx="${ESEAL_CYCLONEDX:-$root/.tools/dotnet-CycloneDX}"
  [ -x "$cdx" ] || dotnet tool install CycloneDX --version 6.3.1 --tool-path "$root/.tools" >/dev/null
  "$cdx" "$root/keyhelper/ESeal.KeyHelper.csproj" -o "$out" -fn sbom.cdx.json -F Json -ns -sv "$version" -sn ESeal.KeyHelper >/dev/null
fi
helper=(dotnet run --project "$root/keyhelper" -c Release --)
[ ! -x "$out/linux-x64/ESeal.KeyHelper" ] || helper=("$out/linux-x64/ESeal.KeyHelper")
"${helper[@]}" manifest sign --dir "$out" --version "$version" "${signing[@]}" --created "$SOURCE_DATE_EPOCH"
"${helper[@]}" manifest verify --dir "$out" --root "$proot"
