# What Publisher needs from the machine's Debian packages, installed when missing. Sourced by ./run.sh and
# ./test.sh, which each call `install_missing_packages <list>...`.
#
# Each entry of a list is "<Debian package>:<what it gives, for messages>"; `package_missing <package>` says how
# to tell it is not installed. To need another program, add an entry to a list and a case to package_missing.

# What running Publisher needs (./run.sh, and ./test.sh too).
RUN_PACKAGES=(
  "postgresql:PostgreSQL's server programs"
)
# What only the tests need. (Running Publisher uses ffmpeg too, for videos, but runs without it: ./run.sh tries
# to install it and goes on when it cannot.)
TEST_PACKAGES=(
  "chromium:Chromium, for the browser tests"
  "nodejs:Node.js, for the reference-library tests"
  "npm:npm, for the reference-library tests"
  "ffmpeg:ffmpeg and ffprobe, for the media tests (they read and make videos)"
)
# What compiling the SQLite module of Bluesky's own test server (tests/bluesky-pds) needs: only when it is built.
PDS_BUILD_PACKAGES=(
  "make:make, to compile the Bluesky test server's SQLite module"
  "g++:a C++ compiler, to compile the Bluesky test server's SQLite module"
  "python3:Python 3, for node-gyp"
  "libnode-dev:Node.js's C headers, to compile the Bluesky test server's SQLite module"
)

# Where Node.js is installed (its headers are in include/node below it).
node_prefix() { node -p 'require("path").resolve(process.execPath, "../..")'; }

package_missing() {
  case "$1" in
    postgresql) ! command -v initdb >/dev/null 2>&1 && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 ;;
    chromium) [ ! -x /usr/bin/chromium ] ;;
    nodejs) ! command -v node >/dev/null 2>&1 ;;
    npm) ! command -v npm >/dev/null 2>&1 ;;
    make | g++ | python3) ! command -v "$1" >/dev/null 2>&1 ;;
    libnode-dev) [ ! -f "$(node_prefix)/include/node/node.h" ] ;;
    ffmpeg) ! command -v ffprobe >/dev/null 2>&1 || ! command -v ffmpeg >/dev/null 2>&1 ;;
    *) ! dpkg -s "$1" >/dev/null 2>&1 ;;
  esac
}

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@";
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo "$@";
  else return 1; fi
}

# install_missing_packages <entry>...: installs, in one go, the packages of the entries that are missing. Without
# root or password-less sudo it prints the one command that installs them and exits.
install_missing_packages() {
  local missing=() entry
  for entry in "$@"; do
    package_missing "${entry%%:*}" && missing+=("$entry")
  done
  [ "${#missing[@]}" -eq 0 ] && return 0
  local packages=() what=""
  for entry in "${missing[@]}"; do
    packages+=("${entry%%:*}")
    what="${what:+$what; }${entry#*:}"
  done
  local command="sudo apt-get install -y ${packages[*]}"
  if ! as_root true 2>/dev/null; then
    echo "Publisher needs ${packages[*]} (missing: $what), and installing takes root: run '$command', then run this again." >&2
    exit 1
  fi
  echo "Installing ${packages[*]} (missing: $what) …"
  as_root apt-get update -qq \
    && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${packages[@]}" >/dev/null \
    || { echo "Installing ${packages[*]} failed: run '$command' and try again." >&2; exit 1; }
}
