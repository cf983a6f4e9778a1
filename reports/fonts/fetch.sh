#!/usr/bin/env bash
# FandolFang, the free 仿宋 that stands in for 仿宋_GB2312 in the server's PDFs, into
# reports/fonts/files/ (or the directory given). The font ships only in Debian's
# texlive-lang-chinese (49 MB, with TeX Live behind it): the package is downloaded, not installed,
# and the one file taken out of it. Needs apt's package lists (apt-get update) and write access
# to the destination; no root needed beyond that. Does nothing when the file is there.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
dest="${1:-$here/files}"
want=(FandolFang-Regular.otf)
missing=()
for f in "${want[@]}"; do [[ -s "$dest/$f" ]] || missing+=("$f"); done
[[ ${#missing[@]} -eq 0 ]] && exit 0

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
chmod 755 "$work"
cd "$work"
# apt-get download as root drops to the _apt user, which must be able to write here.
chown _apt "$work" 2>/dev/null || true
if ! apt-get download -qq texlive-lang-chinese 2>/dev/null; then
    apt-get update -qq
    apt-get download -qq texlive-lang-chinese
fi
patterns=()
for f in "${missing[@]}"; do patterns+=("*/fandol/$f"); done
dpkg-deb --fsys-tarfile texlive-lang-chinese_*.deb | tar -x --wildcards -f - "${patterns[@]}"
mkdir -p "$dest"
for f in "${missing[@]}"; do
    cp "$(find . -name "$f" -print -quit)" "$dest/$f"
done
echo "fonts: ${missing[*]} -> $dest"
