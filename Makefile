# The two commands of the README, and a few for development.
.PHONY: run test release bench bench-reports fuzz api-fuzz chaos setup check fmt

run: ## Serve the app at http://127.0.0.1:3000 with everything it needs
	scripts/run.sh

test: ## Every test: unit, integration (PostgreSQL, MongoDB-wire) and Playwright in Chromium
	scripts/test.sh

release: ## The optimised build packed as dist/insta-clerky-*.tar.gz (binary, site, systemd unit, installer), then installed and started over https as a check
	scripts/release.sh

bench: ## The engine benchmark (release build, PostgreSQL with fsync on): not part of `make test`
	scripts/bench.sh

bench-reports: ## The reports benchmark over 1,000,000 rows (release build, PostgreSQL with fsync on): not part of `make test`
	scripts/bench-reports.sh

fuzz: ## A million generated inputs each to the webhook path, the report filter and the CSV (release build)
	scripts/setup.sh >/dev/null
	cargo run --release -p fuzz -- --inputs $${FUZZ_INPUTS:-1000000}

api-fuzz: ## Schemathesis against the OpenAPI document: generated requests to every /api/v1 operation, each answer checked against it
	scripts/api-fuzz.sh

chaos: ## Ten minutes of load against two processes while servers are killed, PostgreSQL restarts and Meta fails
	scripts/chaos.sh

setup: ## Install what this machine lacks (idempotent)
	scripts/setup.sh

check: ## Fast compile check of the server and the WASM frontend
	cargo check -p server --tests
	cargo check -p frontend --target wasm32-unknown-unknown

fmt:
	cargo fmt --all
