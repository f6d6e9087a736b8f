# Rustmail tasks. `just` lists them. CI runs `bash .ci/run`, which runs the same test command.

postgres_url := "postgres://postgres@127.0.0.1:5432/test"

# List the recipes.
default:
    @just --list

# Run the bot with a config file (SQLite by default: database.url = "sqlite://rustmail.db").
run config="config.toml":
    cargo run --release -p rustmail-bot -- --config {{config}}

# All tests, SQLite and Postgres (the README's test command).
test:
    RUSTMAIL_TEST_POSTGRES_URL={{postgres_url}} cargo test --workspace --locked

# Only the database story suite on Postgres.
test-pg:
    RUSTMAIL_TEST_POSTGRES_URL={{postgres_url}} cargo test -p rustmail-db --test story postgres::

# Formatting check and clippy, as CI runs them.
lint:
    cargo fmt --all -- --check
    cargo clippy --workspace --all-targets --locked -- -D warnings

# Format everything.
fmt:
    cargo fmt --all

# Benchmarks (release builds; bot as a separate process against the simulator; SQLite and
# Postgres). Results: bench/results-<backend>.json; summary in BENCHMARKS.md.
bench *args:
    # The bot alone first: built together with the test crate, its dependencies would get the
    # test crate's features too, and the binary measured would not be the one operators run
    # (0.6 MiB more RSS after READY, BENCHMARKS.md, session 6).
    cargo build --release -p rustmail-bot
    cargo build --release -p rustmail-cli -p rustmail-tests --bins
    RUSTMAIL_TEST_POSTGRES_URL={{postgres_url}} ./target/release/rustmail-bench --bot target/release/rustmail-bot --cli target/release/rustmail --out bench {{args}}

# The whole CI script.
ci:
    CI=true bash .ci/run

# Create a paired migration: migrations/{sqlite,postgres}/<timestamp>_NAME with up.sql/down.sql.
migration name:
    #!/usr/bin/env bash
    set -euo pipefail
    version="$(date -u +%Y-%m-%d-%H%M%S)_{{name}}"
    for backend in sqlite postgres; do
      mkdir -p "migrations/$backend/$version"
      printf -- '-- {{name}} (%s)\n' "$backend" > "migrations/$backend/$version/up.sql"
      printf -- '-- undo {{name}} (%s)\n' "$backend" > "migrations/$backend/$version/down.sql"
    done
    echo "created migrations/{sqlite,postgres}/$version"

# Needs nightly and `cargo install cargo-fuzz`. Any crash fails the recipe and leaves its input
# in fuzz/artifacts/<target>/ (see fuzz/README.md).
# Fuzz the duration, prefix-argument and config parsers for SECONDS each (default 60).
fuzz seconds="60":
    #!/usr/bin/env bash
    set -euo pipefail
    cd fuzz
    for target in duration prefix_args config; do
      mkdir -p "corpus/$target"
      # The first directory collects the corpus; the committed seeds are only read.
      cargo +nightly fuzz run "$target" "corpus/$target" "seeds/$target" -- -max_total_time={{seconds}}
    done

# Reliability suite (release builds; the bot as a separate process, SIGKILLed and restarted
# during a storm of 10,000 DMs, then under REST 500s/429s and gateway disconnects). Results:
# bench/chaos-<backend>.json; summary in BENCHMARKS.md. `--seed N` replays a run.
chaos *args:
    cargo build --release -p rustmail-bot -p rustmail-tests --bins
    RUSTMAIL_TEST_POSTGRES_URL={{postgres_url}} ./target/release/rustmail-chaos --bot target/release/rustmail-bot --out bench {{args}}
