# The two commands a new user needs: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
IDP := deploy/dev-idp
IDP_STAMP := $(IDP)/node_modules/.installed

.PHONY: run test lint bench fuzz soak mutate system-deps clean

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[dev]'
	touch $(STAMP)

# The development IdP of the demo region and the portal's browser test (npm oidc-provider).
$(IDP_STAMP): $(IDP)/package.json $(IDP)/package-lock.json
	@scripts/ensure-system-deps node
	npm ci --prefix $(IDP) --no-audit --no-fund --loglevel=error
	touch $(IDP_STAMP)

## run: set everything up and start the gateway with the embedded default and a demo region
## (`make run PORT=8080` to serve on another port)
PORT ?= 8000
run: $(STAMP) $(IDP_STAMP)
	$(BIN)/gateway serve --demo --port $(PORT)

## system-deps: Debian packages the real-service tests need (PostgreSQL, Chromium, Node.js)
system-deps:
	@scripts/ensure-system-deps

## test: set everything up and run the whole suite, real PostgreSQL and a real browser included
test: $(STAMP) system-deps $(IDP_STAMP)
	$(BIN)/pytest

## lint: ruff, mypy (strict) and the import-linter contracts
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

## bench: the benchmarks of bench/ (see README for the numbers)
bench: $(STAMP)
	@scripts/ensure-system-deps bench
	$(BIN)/python bench/transfers_bench.py
	$(BIN)/python bench/policies_bench.py
	$(BIN)/python bench/cases_bench.py
	$(BIN)/python bench/audit_bench.py
	$(BIN)/python bench/import_bench.py
	$(BIN)/python bench/signals_bench.py --out bench/results/signals-latest.json

## fuzz: a longer contract-fuzzing campaign than `make test` runs, with a seed left to chance
## (`make fuzz FUZZ_EXAMPLES=200 FUZZ_SEED=1234` to repeat one; SQLite and PostgreSQL)
FUZZ_EXAMPLES ?= 100
FUZZ_SEED ?= random
fuzz: $(STAMP) system-deps
	FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) FUZZ_SEED=$(FUZZ_SEED) $(BIN)/pytest tests/fuzz -p no:cacheprovider

## soak: 30 minutes at half the measured capacity, a realistic mix; errors, p99 and RSS over time
## (not part of `make test`; `make soak SOAK_ARGS='--backend postgresql --minutes 10'`)
SOAK_ARGS ?=
soak: $(STAMP)
	$(BIN)/python bench/soak.py $(SOAK_ARGS)

## mutate: mutation testing of the policy engine and the guards, with the score per package
## (minutes, so not part of `make test`; `make mutate MUTANTS='policies.*'` for one package)
MUTANTS ?= policies.* gateway.auth.* gateway.crypto.* gateway.catalog.*
mutate: $(STAMP)
	$(BIN)/mutmut run --max-children 2 $(foreach m,$(MUTANTS),'$(m)')
	@$(BIN)/mutmut results --all true | awk -F': ' '$$2 != "not checked" { \
		split($$1, part, "."); gsub(/ /, "", part[1]); \
		pkg = part[1] == "policies" ? part[1] : part[1] "." part[2]; \
		total[pkg]++; if ($$2 == "killed" || $$2 == "timeout") killed[pkg]++ } \
		END { for (pkg in total) printf "%-16s %5d / %5d killed (%.1f%%)\n", \
		pkg, killed[pkg], total[pkg], 100 * killed[pkg] / total[pkg] }' | sort

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache $(IDP)/node_modules test-artifacts mutants
