# Sourced by the scripts: make sure uv exists (installing it from PyPI if not)
# and that .venv holds exactly what uv.lock says.
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
"${UV[@]}" sync --frozen --quiet --compile-bytecode ${CARPE_EXTRAS:-}
