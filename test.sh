#!/usr/bin/env bash
# Builds Publisher and runs every test: unit, integration on a throwaway PostgreSQL, and browser
# tests in headless Chromium. Installs what the tests need when it is missing. Exits non-zero on
# any failure.
set -euo pipefail
cd "$(dirname "$0")"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@";
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo "$@";
  else return 1; fi
}

apt_updated=""
need_package() { # need_package <what is missing> <debian package>
  echo "Installing $2 ($1 is missing) …"
  if [ -z "$apt_updated" ]; then as_root apt-get update -qq || { echo "Cannot install $2: run 'sudo apt-get install -y $2' and try again." >&2; exit 1; }; apt_updated=1; fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null \
    || { echo "Cannot install $2: run 'sudo apt-get install -y $2' and try again." >&2; exit 1; }
}

# Browser tests drive Debian's Chromium (never a downloaded browser).
[ -x /usr/bin/chromium ] || need_package "Chromium" chromium

# Integration tests start a throwaway PostgreSQL from the machine's server binaries.
if ! command -v initdb >/dev/null 2>&1 && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  need_package "PostgreSQL's server programs" postgresql
fi

# The differential tests run the networks' own text libraries (twitter-text for X, @atproto/api for Bluesky) under
# Node, installed from tests/reference's lockfile: the npm registry is the only place reached.
command -v node >/dev/null 2>&1 || need_package "Node.js" nodejs
command -v npm >/dev/null 2>&1 || need_package "npm" npm
if [ ! -f tests/reference/node_modules/.package-lock.json ] || [ tests/reference/package-lock.json -nt tests/reference/node_modules/.package-lock.json ]; then
  (cd tests/reference && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error) \
    || { echo "Cannot install the reference libraries: run 'npm ci' in tests/reference and try again." >&2; exit 1; }
fi
# Media tests read and make videos with Debian's ffmpeg (ffprobe and ffmpeg).
command -v ffprobe >/dev/null 2>&1 && command -v ffmpeg >/dev/null 2>&1 || need_package "ffmpeg" ffmpeg

# The Bluesky client is also tested against Bluesky's own server (tests/bluesky-pds: a PLC directory and a PDS from
# @atproto/dev-env). Its SQLite module is compiled here from the lockfile's source: npm's own download of a prebuilt
# one would need GitHub, and the compiler needs Node's headers, which live next to the node program.
pds=tests/bluesky-pds
if [ ! -f $pds/node_modules/.package-lock.json ] || [ $pds/package-lock.json -nt $pds/node_modules/.package-lock.json ] \
   || [ ! -f $pds/node_modules/better-sqlite3/build/Release/better_sqlite3.node ]; then
  command -v make >/dev/null 2>&1 || need_package "make" make
  command -v g++ >/dev/null 2>&1 || need_package "a C++ compiler" g++
  command -v python3 >/dev/null 2>&1 || need_package "Python 3 (for node-gyp)" python3
  node_prefix=$(node -p 'require("path").resolve(process.execPath, "../..")')
  [ -f "$node_prefix/include/node/node.h" ] || need_package "Node.js's C headers" libnode-dev
  echo "Installing and compiling the Bluesky test server (tests/bluesky-pds) …"
  # The compiler's output (warnings from SQLite's sources) is shown only if the build fails.
  build_log=$(mktemp)
  (cd $pds && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error \
     && npm run --silent build-sqlite -- --nodedir="$node_prefix" >"$build_log" 2>&1) \
    || { cat "$build_log" >&2; rm -f "$build_log"; echo "Cannot install the Bluesky test server: run 'npm ci --ignore-scripts && npm run build-sqlite -- --nodedir=/usr' in $pds and try again." >&2; exit 1; }
  rm -f "$build_log"
fi

dotnet build Publisher.sln -c Release -nologo -v quiet

log=$(mktemp)
status=0
# One test project at a time: the integration and browser tests each start PostgreSQL, the app and
# Chromium, and CI has two cores.
dotnet test Publisher.sln -c Release --no-build --nologo -m:1 --results-directory TestResults 2>&1 | tee "$log" || status=$?

# One closing line for CI and people: the totals over every test project.
sum() { grep -oE "$1: +[0-9]+" "$log" | awk '{ s += $2 } END { print s + 0 }'; }
passed=$(sum Passed); failed=$(sum Failed); skipped=$(sum Skipped)
rm -f "$log"
if [ "$status" -eq 0 ] && [ "$passed" -eq 0 ]; then echo "No test ran." >&2; status=1; fi
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
echo "tests: $passed passed, $failed failed, $skipped skipped"
exit "$status"
