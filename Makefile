# The two set-up commands of the README: `make demo` and `make test`.
.PHONY: setup demo test lint bench

setup:
	bash scripts/setup.sh

demo: setup
	.venv/bin/vulnbench run --dataset demo --model local --n 2 --out runs/demo

test: setup
	.venv/bin/ruff check src tests benchmarks
	.venv/bin/mypy src/vulnbench
	.venv/bin/python -m pytest -q; rc=$$?; \
	  if [ $$rc -eq 5 ]; then echo "pytest collected no tests: failing" >&2; exit 1; fi; \
	  exit $$rc

bench: setup
	.venv/bin/python benchmarks/generation.py
