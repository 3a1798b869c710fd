#!/usr/bin/env bash
# Runs Publisher: a private PostgreSQL (unless PUBLISHER_DB is set), the worker and the web app.
# Ctrl-C stops everything it started. Settings: see "Configuration" in README.md.
set -euo pipefail
cd "$(dirname "$0")"

if ! command -v dotnet >/dev/null 2>&1; then
  echo "The .NET 10 SDK is needed to run Publisher: install it (package dotnet-sdk-10.0), then run ./run.sh again." >&2
  exit 1
fi

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

# Videos are read with Debian's ffmpeg (ffprobe for the facts, ffmpeg for the poster frame).
if ! command -v ffprobe >/dev/null 2>&1 || ! command -v ffmpeg >/dev/null 2>&1; then
  as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@";
    elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo "$@";
    else return 1; fi
  }
  echo "Installing ffmpeg (needed to take videos) …"
  if ! { as_root apt-get update -qq && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ffmpeg >/dev/null; }; then
    echo "Could not install ffmpeg: Publisher runs, but refuses video uploads until 'sudo apt-get install -y ffmpeg' is run." >&2
  fi
fi
echo "Building Publisher …"
dotnet build launcher/Publisher.Launcher.csproj -c Release -v quiet -nologo
dotnet build worker/Publisher.Worker.csproj -c Release -v quiet -nologo
dotnet build web/Publisher.Web.csproj -c Release -v quiet -nologo

exec dotnet launcher/bin/Release/net10.0/Publisher.Launcher.dll "$@"
