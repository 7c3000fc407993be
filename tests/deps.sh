#!/usr/bin/env bash
# deps.sh: installs the Debian packages in packaging/build-deps.txt that are missing; silent when none is.
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t want < <(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' packaging/build-deps.txt)
missing=()
for p in "${want[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q '^install ok installed$' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
	echo "deps: missing packages: ${missing[*]}; run as root or: sudo apt-get install ${missing[*]}" >&2
	exit 1
fi
echo "deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
# a fresh machine has empty package lists; update only when an install fails for lack of them
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null 2>&1 || {
	apt-get update -qq >/dev/null
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}
