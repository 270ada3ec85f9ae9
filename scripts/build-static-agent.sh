#!/usr/bin/env bash
# Builds the statically linked agent (glibc with crt-static; rustls, no OpenSSL): it
# runs on any x86_64 Linux without a matching libc, even in a root with nothing but the
# binary. Output: target/x86_64-unknown-linux-gnu/agent/simpul-agent.
# (The musl target needs `rustup target add x86_64-unknown-linux-musl`, which this
# project's build machines cannot download; the static glibc build needs nothing.)
set -euo pipefail
cd "$(dirname "$0")/.."
RUSTFLAGS="-C target-feature=+crt-static" \
  cargo build --locked --profile agent -p simpul-agent --target x86_64-unknown-linux-gnu
bin=target/x86_64-unknown-linux-gnu/agent/simpul-agent
file "$bin"
echo "size: $(stat -c %s "$bin") bytes"
