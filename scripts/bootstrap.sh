#!/usr/bin/env bash
# Set up a fresh Debian/Ubuntu machine for disclosure-workbook (idempotent; rerunning is cheap).
# - Debian packages: the CJK fonts used by figures, HTML, PDF and Word (fonts-noto-cjk; Kai for
#   headings and the signer: fonts-arphic-gkai00mp), the HarfBuzz
#   subsetter WeasyPrint needs to embed CJK fonts quickly (libharfbuzz-subset0), pdftotext/pdffonts
#   used by the tests (poppler-utils).
# - Python: a virtual environment in .venv with the package and its test tools.
# Usage: bash scripts/bootstrap.sh [--lab]   (--lab also installs JupyterLab for working in notebooks)
set -euo pipefail
EXTRAS="test"
if [ "${1:-}" = "--lab" ]; then EXTRAS="test,lab"; fi
cd "$(dirname "$0")/.."

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
need=()
for pkg in fonts-noto-cjk fonts-arphic-gkai00mp libharfbuzz-subset0 poppler-utils; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
  echo "安装 Debian 软件包:${need[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip >/dev/null
.venv/bin/python -m pip install -q -e ".[$EXTRAS]"
echo "环境就绪:.venv/bin/disclosure"
