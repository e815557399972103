#!/usr/bin/env bash
# Builds the "点此下载" files: single-file, self-contained, for win-x64 and linux-x64,
# then writes and signs release-manifest.json. Usage:
#   keyhelper/packaging/publish.sh OUT_DIR RELEASE_PRIVATE_KEY.pem [RIDS]
# The private key is created once with
#   dotnet run --project keyhelper -- manifest keygen --private-key ~/eseal-release.key --public-key eseal-release.pub.pem
# and kept outside the repository.
set -euo pipefail
out="${1:?output dir}"; key="${2:?release private key}"; rids="${3:-linux-x64 win-x64}"
root="$(cd "$(dirname "$0")/../.." && pwd)"
# Clear only an earlier release folder: never a folder that holds anything else.
if [ -d "$out" ] && [ -n "$(ls -A "$out")" ] && [ ! -f "$out/release-manifest.json" ]; then
  echo "refusing to clear $out: it is not empty and holds no earlier release-manifest.json" >&2; exit 2
fi
rm -rf "$out"; mkdir -p "$out"
for rid in $rids; do
  dotnet publish "$root/keyhelper/ESeal.KeyHelper.csproj" -c Release -r "$rid" --self-contained \
    -p:PublishSingleFile=true -p:DebugType=none -o "$out/$rid"
  rm -f "$out/$rid"/*.staticwebassets.endpoints.json
done
dotnet run --project "$root/keyhelper" -c Release -- manifest sign --dir "$out" --key "$key"
