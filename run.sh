#!/usr/bin/env bash
# Runs Publisher: a private PostgreSQL (unless PUBLISHER_DB is set), the worker and the web app.
# Ctrl-C stops everything it started. Settings: see "Configuration" in README.md.
set -euo pipefail
cd "$(dirname "$0")"

if ! command -v dotnet >/dev/null 2>&1; then
  echo "The .NET 10 SDK is needed to run Publisher: install it (package dotnet-sdk-10.0), then run ./run.sh again." >&2
  exit 1
fi

# The private PostgreSQL is started from the machine's server programs: installed here when missing.
source scripts/system-packages.sh
install_missing_packages "${RUN_PACKAGES[@]}"

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
echo "Building Publisher …"
dotnet build launcher/Publisher.Launcher.csproj -c Release -v quiet -nologo
dotnet build worker/Publisher.Worker.csproj -c Release -v quiet -nologo
dotnet build web/Publisher.Web.csproj -c Release -v quiet -nologo

exec dotnet launcher/bin/Release/net10.0/Publisher.Launcher.dll "$@"
