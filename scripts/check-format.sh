#!/usr/bin/env bash
# Fail when a C file differs from .clang-format's layout. `--fix` rewrites them.
set -euo pipefail
cd "$(dirname "$0")/.."
fmt=clang-format
command -v clang-format-14 >/dev/null && fmt=clang-format-14
files=$(git ls-files -co --exclude-standard '*.c' '*.h')
[ -z "$files" ] && exit 0
if [ "${1:-}" = "--fix" ]; then
    echo "$files" | xargs "$fmt" -i
    exit 0
fi
bad=0
for f in $files; do
    if ! "$fmt" --dry-run --Werror "$f" >/dev/null 2>&1; then
        echo "format: $f differs from .clang-format (run scripts/check-format.sh --fix)" >&2
        bad=1
    fi
done
exit $bad
