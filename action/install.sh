#!/usr/bin/env bash
# Put zencheck on PATH for the zencheck GitHub Action: the release binary (cargo-dist's
# installer for this repository's release), else `cargo install --locked` from the
# repository. INPUT_VERSION: `latest` (default), a version such as `0.2.0`, or `installed`
# (use the zencheck already on PATH). ZENCHECK_REPO: owner/name of the repository.
set -euo pipefail

version="${INPUT_VERSION:-latest}"
repo="${ZENCHECK_REPO:-zencheck/zencheck}"
bin_dir="${CARGO_HOME:-$HOME/.cargo}/bin"

if [ "$version" = "installed" ]; then
  zencheck --version
  exit 0
fi
if [ "$version" = "latest" ]; then
  base="https://github.com/$repo/releases/latest/download"
  tag=()
else
  base="https://github.com/$repo/releases/download/v$version"
  tag=(--tag "v$version")
fi

installed=false
case "$(uname -s)" in
  MINGW*|MSYS*|CYGWIN*|Windows_NT)
    if powershell -NoProfile -ExecutionPolicy Bypass -Command "irm '$base/zencheck-installer.ps1' | iex"; then installed=true; fi ;;
  *)
    if curl --proto '=https' --tlsv1.2 -fLsS "$base/zencheck-installer.sh" | sh; then installed=true; fi ;;
esac
if [ "$installed" != true ]; then
  echo "::notice title=zencheck::no release binary for this platform or version; building with cargo install"
  cargo install --locked --git "https://github.com/$repo" "${tag[@]}" zencheck
fi
if [ -n "${GITHUB_PATH:-}" ]; then echo "$bin_dir" >> "$GITHUB_PATH"; fi
"$bin_dir/zencheck" --version
