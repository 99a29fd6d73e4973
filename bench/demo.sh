#!/usr/bin/env bash
# `make demo`: fetch the facial-recognition corpus (official sources; the ../shared mirror
# answers for what the network cannot give), build the lineage and write the HTML report.
set -euo pipefail
BIN="$1"; SHARED="$2"
OUT=reports/facial-recognition
DB=reports/facial-recognition.db
MIRROR_ARGS=()
if [ -d "$SHARED/corpus" ]; then
  MIRROR_ARGS=(--mirror "$SHARED/corpus")
  echo "demo: files missing from the network are taken from the mirror $SHARED/corpus"
fi
mkdir -p reports
rm -f "$DB" "$DB-wal" "$DB-shm"
"$BIN/billdiff" corpus fetch facial-recognition "${MIRROR_ARGS[@]}" --db "$DB"
"$BIN/billdiff" lineage --db "$DB" --out "$OUT"  # ends with the report's path
