#!/usr/bin/env bash
# Install (from Debian's packages) and start the real services the tests need, on loopback only:
# PostgreSQL, Redis and Chromium. Safe to run twice. Prints the environment to export.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive

missing=()
command -v pg_ctlcluster >/dev/null 2>&1 || missing+=(postgresql)
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
if [ ${#missing[@]} -gt 0 ]; then
  echo "ci: installing ${missing[*]}" >&2
  apt-get update -qq >&2
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi

# PostgreSQL: the Debian cluster, listening on 127.0.0.1 only.
version=$(ls /usr/lib/postgresql | sort -V | tail -1)
if ! pg_lsclusters -h | grep -q "^$version main"; then
  pg_createcluster "$version" main >&2
fi
# Debian's default listen_addresses is 'localhost': loopback only.
pg_ctlcluster "$version" main status >/dev/null 2>&1 || pg_ctlcluster "$version" main start >&2
for _ in $(seq 30); do pg_isready -q -h 127.0.0.1 && break; sleep 1; done
su postgres -c "psql -q -v ON_ERROR_STOP=1" >&2 <<'SQL'
DO $$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'leerkring') THEN
    CREATE ROLE leerkring LOGIN SUPERUSER PASSWORD 'leerkring';
  END IF;
END $$;
SELECT 'CREATE DATABASE leerkring_test OWNER leerkring'
  WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'leerkring_test')\gexec
SQL

# Redis: no persistence, loopback only.
if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  redis-server --bind 127.0.0.1 --port 6379 --save "" --appendonly no --daemonize yes >&2
  for _ in $(seq 30); do redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && break; sleep 0.5; done
fi

echo "export TEST_POSTGRES_URL=postgresql://leerkring:leerkring@127.0.0.1:5432/postgres"
echo "export TEST_PG_DATABASE_URL=postgresql://leerkring:leerkring@127.0.0.1:5432/leerkring_test"
echo "export TEST_REDIS_URL=redis://127.0.0.1:6379/0"
echo "export CHROMIUM_PATH=$(command -v chromium)"
