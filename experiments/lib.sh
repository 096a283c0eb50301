# Shared by the experiments' run.sh scripts, which source it from the repository's root.

# results_db [DB]: DB is the given database, or a fresh temporary one deleted when the script exits.
results_db() {
  if [[ $# -ge 1 ]]; then DB=$1; else
    TMP=$(mktemp -d)
    trap 'rm -rf "$TMP"' EXIT
    DB=$TMP/results.db
  fi
}

# sweep CONFIG [OPTIONS...]: losslab-run on both cores into $DB, quietly.
sweep() { build/bin/losslab-run "$@" --db "$DB" --jobs 2 --no-progress --log-level warn >/dev/null; }

# seconds_since START: wall seconds since START (a `date +%s.%N`), one decimal.
seconds_since() { printf '%.1f' "$(echo "$(date +%s.%N) - $1" | bc)"; }

# provenance: which losslab, compiler and host wrote $DB, and when; then a blank line.
provenance() {
  sqlite3 "$DB" "SELECT 'losslab ' || losslab_version || ' (commit ' || git_commit || '), ' || compiler
    || ', host ' || host || ', $(nproc) cores, ' || substr(started_at, 1, 10) FROM runs ORDER BY id LIMIT 1"
  echo
}

# q SQL: a query's result as a table with headers, then a blank line.
q() { sqlite3 -header -column "$DB" "$@"; echo; }
