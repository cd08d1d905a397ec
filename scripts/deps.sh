#!/bin/sh
# Installs the build and test dependencies of crm that are missing (Debian).
set -eu
pkgs="build-essential pkg-config libsqlite3-dev sqlite3 libyaml-dev check
libutf8proc-dev libphonenumber-dev libjansson-dev libcsv-dev libical-dev jq iso-codes
libgmime-3.0-dev libcmark-dev libqrencode-dev tzdata msmtp python3-aiosmtpd chromium
fonts-dejavu-core python3-html5lib python3-pil"
# CI and make fuzz: clang (with libFuzzer) and cppcheck.
[ "${WITH_CLANG:-0}" = 1 ] && pkgs="$pkgs clang cppcheck"
missing=
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "deps: installing$missing" >&2
sudo=
[ "$(id -u)" -ne 0 ] && sudo=sudo
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq $missing >/dev/null
