#!/usr/bin/env bash
# Builds the simpul-agent and simpul-collector .deb packages with cargo deb (metadata:
# [package.metadata.deb] in agent/Cargo.toml and collector/Cargo.toml; maintainer
# scripts: packaging/debian/; units: config/).
#
#   scripts/build-debs.sh                    # release: the agent with the size-optimised
#                                            # `agent` profile, the collector with `release`
#   scripts/build-debs.sh --output DIR       # where the .debs go (default target/debian)
#   scripts/build-debs.sh --deb-version V    # e.g. 0.1.0-2
#   scripts/build-debs.sh --from-debug       # package the debug binaries already built
#                                            # (`cargo build --workspace`): the test suite
#                                            # uses this to test packaging without two
#                                            # release builds; never for distribution
#
# Installs cargo-deb (a pinned version) with `cargo install` when it is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

CARGO_DEB_VERSION=3.8.0
output=target/debian
deb_version=()
from_debug=false
while [ $# -gt 0 ]; do
  case "$1" in
    --output) output="$2"; shift 2 ;;
    --deb-version) deb_version=(--deb-version "$2"); shift 2 ;;
    --from-debug) from_debug=true; shift ;;
    *) echo "build-debs.sh: unknown argument $1 (valid: --output DIR, --deb-version V, --from-debug)" >&2; exit 2 ;;
  esac
done

if ! cargo deb --version 2>/dev/null | grep -q "$CARGO_DEB_VERSION"; then
  echo "build-debs.sh: installing cargo-deb $CARGO_DEB_VERSION" >&2
  cargo install cargo-deb --version "$CARGO_DEB_VERSION" --locked --no-default-features
fi
mkdir -p "$output"

if $from_debug; then
  for p in simpul-agent simpul-collector; do
    cargo deb -p "$p" --profile dev --no-build --fast -q "${deb_version[@]}" -o "$output"
  done
else
  cargo deb -p simpul-agent --profile agent --locked "${deb_version[@]}" -o "$output"
  cargo deb -p simpul-collector --locked "${deb_version[@]}" -o "$output"
fi
ls -l "$output"/*.deb
