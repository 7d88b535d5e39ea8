# Thin aliases for the scripts people and CI use.
.PHONY: setup test lock lint model-table serve

setup:
	scripts/setup

test:
	scripts/test

lock:
	scripts/lock

model-table:
	.venv/bin/python scripts/build_model_table.py

serve:
	scripts/serve
