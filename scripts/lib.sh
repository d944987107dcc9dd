# Shared by the run and test scripts: paths and tool locations.
# shellcheck shell=bash
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export ECPA_TOOLS_DIR="${ECPA_TOOLS_DIR:-$HOME/.local/share/ecpa-tools}"
export PATH="$ECPA_TOOLS_DIR/node_modules/.bin:$HOME/.cargo/bin:$PATH"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"

step() { printf '\n==> %s\n' "$*" >&2; }

# Starts the machine's PostgreSQL cluster when it is down and lets the current
# user connect over the local socket. Prints a connection URL for a maintenance db,
# and nothing else on stdout (the tools it calls report on stderr).
start_postgres() {
  local version cluster status
  read -r version cluster status < <(pg_lsclusters --no-header 2>/dev/null | awk 'NR==1 {print $1, $2, $4}')
  if [ -z "${version:-}" ]; then
    echo "no PostgreSQL cluster found" >&2
    return 1
  fi
  if [ "$status" != "online" ]; then
    pg_ctlcluster "$version" "$cluster" start >&2
  fi
  local me
  me="$(id -un)"
  if ! su postgres -c "psql -tAc \"SELECT 1 FROM pg_roles WHERE rolname='$me'\"" | grep -q 1; then
    su postgres -c "createuser -s '$me'" >&2
  fi
  printf 'postgres:///postgres?host=/var/run/postgresql'
}
