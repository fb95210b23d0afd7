#!/usr/bin/env bash
# Type-checks sst.config.ts and infra/ without AWS credentials and without deploying (npm run typecheck:infra).
#
# SST's globals (sst, aws, $config, $app) and the @pulumi/aws types come from `sst install`, which writes
# .sst/platform/ next to the sst.config.ts it is run for. Offline-friendly:
# - SST_SKIP_DEPENDENCY_CHECK=true stops the sst binary from downloading Pulumi and bun from GitHub;
# - SST_BUN_PATH points it at bun from the npm package `bun` (a devDependency); bun then fetches @pulumi/aws and
#   the platform's other packages from the npm registry, the only network CI has. No Pulumi plugin binary is
#   downloaded: `install` only writes types and node modules (plugins are fetched by deploy/diff, never run here);
# - HOME and XDG folders point into .work/home (git-ignored): bun's package cache and SST's state stay in the tree.
# It runs in .work/sst-typecheck/ (a copy of sst.config.ts and infra/) so that no .sst folder appears at the root,
# where eslint and git would see it. tsc then checks the real files against those types (tsconfig.infra.json).
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"

export HOME="$root/.work/home"
export XDG_CONFIG_HOME="$HOME/.config"
export XDG_CACHE_HOME="$HOME/.cache"
export XDG_DATA_HOME="$HOME/.local/share"
export XDG_STATE_HOME="$HOME/.local/state"
mkdir -p "$HOME" "$XDG_CONFIG_HOME" "$XDG_CACHE_HOME" "$XDG_DATA_HOME" "$XDG_STATE_HOME"

# bun's postinstall moves the platform binary (@oven/bun-<os>-<arch>) over node_modules/bun/bin/bun.exe; when npm
# skipped that script the binary is still in the platform package. Take the first candidate that runs.
bun_path=""
for candidate in "$root/node_modules/bun/bin/bun.exe" "$root"/node_modules/@oven/bun-*/bin/bun; do
  if [ -x "$candidate" ] && "$candidate" --version >/dev/null 2>&1; then
    bun_path="$candidate"
    break
  fi
done
if [ -z "$bun_path" ]; then
  echo "typecheck-infra: no working bun binary in node_modules (npm package 'bun'); run npm ci" >&2
  exit 1
fi

workdir="$root/.work/sst-typecheck"
mkdir -p "$workdir"
rm -rf "$workdir/infra" "$workdir/sst.config.ts"
cp "$root/sst.config.ts" "$workdir/"
cp -R "$root/infra" "$workdir/infra"

started=$(date +%s)
(
  cd "$workdir"
  SST_STAGE=typecheck \
    SST_SKIP_DEPENDENCY_CHECK=true \
    SST_TELEMETRY_DISABLED=1 \
    SST_BUN_PATH="$bun_path" \
    "$root/node_modules/.bin/sst" install
)
installed=$(date +%s)

"$root/node_modules/.bin/tsc" -p "$root/tsconfig.infra.json"
checked=$(date +%s)
echo "typecheck-infra: sst install $((installed - started)) s, tsc $((checked - installed)) s"
