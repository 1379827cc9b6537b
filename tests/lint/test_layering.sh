#!/usr/bin/env bash
# test_layering.sh - the module layering of docs/architecture.md, checked on
# every #include of src/ (tests/lint/check_layering.py).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
exec python3 "$here/check_layering.py" "${XNR_SOURCE_DIR:-$here/../..}"
