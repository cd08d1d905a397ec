# fts.sh - sourced by the bench drivers after they set CRM_BIN: the
# search tables are tokenized by crm-fts.so (libcore/tokenizer.c), which
# their sqlite3 shell loads to write or read them.  The path is exported
# with the function: a child shell (a driver's helper) runs it without
# the driver's own variables.
export CRM_FTS_EXT="${CRM_FTS_EXT:-$CRM_BIN/../lib/crm/crm-fts}"
sqlite3() { command sqlite3 -cmd ".load $CRM_FTS_EXT" "$@"; }
export -f sqlite3
