#!/usr/bin/env bash
# Installs what smartkey's demo and tests need on Debian/Ubuntu, when it is missing:
# SoftHSM2, OpenSC (pkcs11-tool), OpenSSL with the GOST engine, Python's aiosmtpd,
# man-db (the manual page test renders smartkey(1) with `man -l`), poppler-utils (the
# document test reads the PDF back with `pdftotext`), fonts-dejavu-core (the PDF's font).
# Uses sudo only when not root. Says what is missing and stops when it cannot install.
set -euo pipefail

missing=()
have() { command -v "$1" >/dev/null 2>&1; }
have softhsm2-util || missing+=(softhsm2)
have pkcs11-tool || missing+=(opensc)
have openssl || missing+=(openssl)
have man || missing+=(man-db)
have pdftotext || missing+=(poppler-utils)
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || missing+=(fonts-dejavu-core)
gost_engine() {
  local dir
  dir=$(openssl version -e 2>/dev/null | sed -n 's/^ENGINESDIR: "\(.*\)"/\1/p')
  [ -n "$dir" ] && [ -f "$dir/gost.so" ]
}
gost_engine || missing+=(libengine-gost-openssl)
py=/usr/bin/python3; [ -x "$py" ] || py=python3
"$py" -c 'import aiosmtpd' >/dev/null 2>&1 || missing+=(python3-aiosmtpd)

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "smartkey setup: installing ${missing[*]}" >&2
if ! have apt-get; then
  echo "smartkey setup: apt-get is not available; install these packages by hand: ${missing[*]}" >&2
  exit 1
fi
sudo=()
if [ "$(id -u)" -ne 0 ]; then
  if have sudo; then
    sudo=(sudo)
  else
    echo "smartkey setup: not root and no sudo; as root run: apt-get install ${missing[*]}" >&2
    exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq >&2
if ! "${sudo[@]}" apt-get install -y -qq "${missing[@]}" >&2; then
  echo "smartkey setup: could not install ${missing[*]}; install them by hand and run again" >&2
  exit 1
fi
