#!/usr/bin/env bash
# The demo on one machine: the key helper with a demo SoftHSM2 token (the Hangzhou enterprise's
# certificate, user PIN 123456) and the web on SQLite with the demo data, at http://localhost:5080.
# Installs what is missing first. Ctrl+C stops both.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

bash tests/install-prerequisites.sh
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet build ESeal.sln -c Release -nologo -v quiet -clp:NoSummary

state="$root/.demo"
port="${ESEAL_DEMO_PORT:-5080}"
helper_port="${ESEAL_DEMO_HELPER_PORT:-18848}"
mkdir -p "$state"

# The demo's USBKEY: a SoftHSM2 token made once by the test PKI tool (kept in .demo/); each run also
# writes a fresh, empty CRL of the demo CA (pki/root-ca.crl), read in Offline mode (appsettings.Demo.json).
dotnet tests/ESeal.TestPki/bin/Release/net10.0/ESeal.TestPki.dll init --dir "$state/token" --demo >"$state/token-summary.json"
export SOFTHSM2_CONF="$state/token/softhsm2.conf"

dotnet keyhelper/bin/Release/net10.0/ESeal.KeyHelper.dll \
  --KeyHelper:Port="$helper_port" \
  --KeyHelper:AllowedOrigins:0="http://localhost:$port" \
  --KeyHelper:AllowedOrigins:1="http://127.0.0.1:$port" \
  --KeyHelper:Pkcs11Modules:0=/usr/lib/softhsm/libsofthsm2.so \
  --KeyHelper:StateDirectory="$state/keyhelper" &
helper_pid=$!
trap 'kill $helper_pid 2>/dev/null || true' EXIT

echo "ESeal demo: open http://localhost:$port  (USBKEY PIN 123456; key helper on 127.0.0.1:$helper_port)"
# Keep in step with web/Staff/DemoStaff.cs (the web creates these accounts when Demo:Seed is on).
echo "Back office: http://localhost:$port/admin  — password ESeal-Demo-2026 for each demo account:"
echo "  operator (受理员)  analyst (流程分析员)  approver (流程审批员)  auditor (审计员)  admin (系统管理员)"
cd web
ASPNETCORE_ENVIRONMENT=Demo dotnet bin/Release/net10.0/ESeal.Web.dll \
  --urls "http://localhost:$port" \
  --Database:ConnectionString="Data Source=$state/eseal.db" \
  --Web:KeyHelperOrigin="http://127.0.0.1:$helper_port" \
  --Flows:Proof:PublicOrigin="http://localhost:$port" \
  --Flows:Proof:CaRootPaths:0="$state/token/pki/root-ca.crt" \
  --Flows:Proof:Revocation:CrlSources:0="$state/token/pki/root-ca.crl" \
  --Flows:FaceSimulator:Enabled=true
