#!/usr/bin/env bash
# Runs every test of ESeal on a fresh Debian machine with the .NET SDK: installs what is
# missing (SoftHSM2, OpenSC, Chromium, CJK fonts), builds in Release (warnings are errors) and
# runs all test projects. Exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."

bash tests/install-prerequisites.sh

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
# Dozens of webs start during the run; polling file watchers keep them off the 128 inotify instances a
# Linux user gets by default (the test assemblies set the same in a module initializer).
export DOTNET_USE_POLLING_FILE_WATCHER=true DOTNET_hostBuilder__reloadConfigOnChange=false
dotnet build ESeal.sln -c Release -nologo -v quiet -clp:NoSummary -warnaserror

# The key helper as shipped: publish linux-x64 once (trimmed single file, signed by the test publisher's
# release key on a SoftHSM2 token, .deb, SBOM, CMS manifest) and run the helper tests against that binary.
kh="$(mktemp -d)"
trap 'rm -rf "$kh"' EXIT
dotnet tests/ESeal.TestPki/bin/Release/net10.0/ESeal.TestPki.dll init-codesign --dir "$kh/pki" >/dev/null
SOFTHSM2_CONF="$kh/pki/softhsm2.conf" ESEAL_SIGNING_PIN=123456 keyhelper/packaging/publish.sh --out "$kh/release" \
  --rids linux-x64 --cert "$kh/pki/codesign.crt" --root "$kh/pki/publisher-root-ca.crt" \
  --pkcs11-module /usr/lib/softhsm/libsofthsm2.so --pkcs11-token ESEAL-RELEASE --pkcs11-key codesign
export ESEAL_KEYHELPER_BINARY="$kh/release/linux-x64/ESeal.KeyHelper" ESEAL_KEYHELPER_RELEASE="$kh/release"
export ESEAL_KEYHELPER_RELEASE_ROOT="$kh/pki/publisher-root-ca.crt"

log=$(mktemp)
status=0
# One project at a time: the browser and SoftHSM suites each start real processes.
for project in $(find tests -name '*.Tests.csproj' | sort); do
  echo "== $project"
  out=$(mktemp)
  if ! dotnet test "$project" -c Release --no-build -nologo --logger "console;verbosity=normal" >"$out" 2>&1; then
    status=1
  fi
  # The summary lines, each failure with its message (the two lines after "Error Message:") and our frames.
  awk '/Error Message:/ { print; after = 2; next } after > 0 { print; after--; next }
       /^[[:space:]]*(Failed|Skipped) |^Total tests|^[[:space:]]+(Passed|Failed|Skipped): |Assert\.|^[[:space:]]+at ESeal/ { print }' "$out" | head -200 || true
  cat "$out" >>"$log"
  rm -f "$out"
done

# One plain closing line over all projects, from dotnet test's own summaries.
read -r passed failed skipped < <(awk '
  /^ *Passed: *[0-9]+ *$/  { p += $2 }
  /^ *Failed: *[0-9]+ *$/  { f += $2 }
  /^ *Skipped: *[0-9]+ *$/ { s += $2 }
  END { print p+0, f+0, s+0 }' "$log")
rm -f "$log"
echo "tests: ${passed} passed, ${failed} failed, ${skipped} skipped"
if [ "$passed" -eq 0 ]; then
  echo "no test ran" >&2
  exit 1
fi
exit $status
