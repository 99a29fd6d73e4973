#!/usr/bin/env bash
# System packages billdiff uses (Debian).
#   system-deps.sh        the test-suite's: chromium for the HTML report tests, graphviz (dot)
#                         for the report's graph layout and lineage.dot, Java 17 (Debian's
#                         openjdk-17-jre-headless, when `java` is missing) for the Spark
#                         engine's tests. Installed only under
#                         CI=true or BILLDIFF_INSTALL_SYSTEM_DEPS=1; elsewhere the tests that
#                         need them skip and say why.
#   system-deps.sh demo   `make demo`'s: graphviz, when it is missing and we may install it
#                         (root with apt-get); otherwise the report uses its simple layout.
set -u
if [ "${1:-}" = "demo" ]; then
  command -v dot >/dev/null 2>&1 && exit 0
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "demo: installing graphviz (Debian) for the report's graph layout" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null && apt-get install -y -qq graphviz >/dev/null && exit 0
  fi
  echo "demo: graphviz (dot) not available: the report's graph uses billdiff's simple layout" >&2
  exit 0
fi
want=0
[ "${CI:-}" = "true" ] && want=1
[ "${BILLDIFF_INSTALL_SYSTEM_DEPS:-}" = "1" ] && want=1
[ $want = 1 ] || exit 0
pkgs=""
command -v chromium >/dev/null 2>&1 || pkgs="$pkgs chromium"
command -v dot >/dev/null 2>&1 || pkgs="$pkgs graphviz"
command -v java >/dev/null 2>&1 || pkgs="$pkgs openjdk-17-jre-headless"
[ -z "$pkgs" ] && exit 0
if [ "$(id -u)" != 0 ]; then
  echo "system-deps:$pkgs missing and not root; their tests will fail under CI" >&2
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
# shellcheck disable=SC2086
apt-get update -qq >/dev/null && apt-get install -y -qq $pkgs >/dev/null \
  || echo "system-deps: could not install$pkgs" >&2
exit 0
