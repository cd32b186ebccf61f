# Sourced by the scripts: make sure uv exists (installing it from PyPI if not)
# and that .venv holds what uv.lock says. Set UV_SYNC_ARGS to choose extras;
# the scripts give --inexact (keep extras already installed) or --extra spark.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
if command -v uv >/dev/null 2>&1; then
  UV=(uv)
else
  if ! python3 -m uv --version >/dev/null 2>&1; then
    echo "installing uv (the Python package manager) from PyPI..." >&2
    python3 -m pip install --quiet --user uv 2>/dev/null || python3 -m pip install --quiet uv
  fi
  UV=(python3 -m uv)
fi
# --compile-bytecode: where PYTHONDONTWRITEBYTECODE is set, nothing would be cached otherwise
"${UV[@]}" sync --frozen --quiet --compile-bytecode ${UV_SYNC_ARGS:-}
