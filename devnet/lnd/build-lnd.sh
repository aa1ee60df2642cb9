#!/usr/bin/env bash
# Builds LND (lnd and lncli) at the version the interop tests and the side-by-side benchmark use
# (issue 16), from the Go module proxy, and caches the binaries outside the clone. Prints the
# directory holding them. Nothing of LND is kept in this repository: `go install …/cmd/lnd@v…`
# refuses because LND's go.mod has replace directives, so a throwaway wrapper module is made in a
# temporary directory: it requires LND, repeats LND's replace lines and builds LND's own
# cmd/lnd and cmd/lncli main packages, copied there from the module cache.
#
# Usage: devnet/lnd/build-lnd.sh            (prints e.g. ~/.cache/etrid-lnd/v0.20.2-beta)
# Env:   ETRID_LND_DIR overrides the cache directory; ETRID_LND_VERSION the version.
# Takes about 7 minutes on 2 cores the first time; an existing build is reused.
set -euo pipefail

VERSION="${ETRID_LND_VERSION:-v0.20.2-beta}"
DIR="${ETRID_LND_DIR:-$HOME/.cache/etrid-lnd/$VERSION}"
# The RPC subservers the devnet drives (payments, invoices, keysend, hold invoices, peers),
# and SQLite as LND's database.
TAGS="signrpc walletrpc chainrpc invoicesrpc peersrpc routerrpc kvdb_sqlite"

if [ -x "$DIR/lnd" ] && [ -x "$DIR/lncli" ]; then
  echo "$DIR"
  exit 0
fi
command -v go >/dev/null 2>&1 || { echo "error: go is missing (install Go 1.24 or newer)" >&2; exit 1; }

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"
go mod init etrid.local/lnd-build >/dev/null 2>&1
SOURCE="$(go mod download -json "github.com/lightningnetwork/lnd@$VERSION" \
  | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
[ -d "$SOURCE" ] || { echo "error: could not download github.com/lightningnetwork/lnd@$VERSION" >&2; exit 1; }
mkdir -p lnd lncli
cp "$SOURCE/cmd/lnd/main.go" lnd/main.go
cp "$SOURCE/cmd/lncli/main.go" lncli/main.go
chmod u+w lnd/main.go lncli/main.go
grep '^replace ' "$SOURCE/go.mod" >>go.mod
go get "github.com/lightningnetwork/lnd@$VERSION" >&2
go mod tidy >&2
mkdir -p "$DIR.partial"
go build -tags "$TAGS" -o "$DIR.partial/lnd" ./lnd >&2
go build -tags "$TAGS" -o "$DIR.partial/lncli" ./lncli >&2
"$DIR.partial/lnd" --version >&2
rm -rf "$DIR"
mv "$DIR.partial" "$DIR"
echo "$DIR"
