#!/usr/bin/env bash
# System packages the test-suite needs (Debian): chromium for the HTML report test,
# graphviz to check that lineage.dot renders. Installed only under CI=true, or when
# BILLDIFF_INSTALL_SYSTEM_DEPS=1; elsewhere the tests that need them skip and say why.
set -u
want=0
[ "${CI:-}" = "true" ] && want=1
[ "${BILLDIFF_INSTALL_SYSTEM_DEPS:-}" = "1" ] && want=1
[ $want = 1 ] || exit 0
command -v chromium >/dev/null 2>&1 && command -v dot >/dev/null 2>&1 && exit 0
if [ "$(id -u)" != 0 ]; then
  echo "system-deps: chromium/graphviz missing and not root; browser tests will fail under CI" >&2
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null && apt-get install -y -qq chromium graphviz >/dev/null \
  || echo "system-deps: could not install chromium graphviz" >&2
exit 0
