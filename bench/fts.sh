# fts.sh - sourced by the bench drivers after they set CRM_BIN: the
# search tables are tokenized by crm-fts.so (libcore/tokenizer.c), which
# their sqlite3 shell loads to write or read them.
sqlite3() { command sqlite3 -cmd ".load $CRM_BIN/../lib/crm/crm-fts" "$@"; }
export -f sqlite3
