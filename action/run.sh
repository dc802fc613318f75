#!/usr/bin/env bash
# The release step of the cargo relflow GitHub Action (`action.yml`), runnable anywhere (a
# GitLab job runs it too). In `auto`: when the current commit released packages (the release
# pull request was merged), `publish`; then `release-pr`, which opens or updates the release
# pull request when changesets are pending and does nothing otherwise.
#
# Inputs, from the environment: INPUT_COMMAND (`auto`, `release-pr`, `publish`, `released`),
# INPUT_BASE, INPUT_BRANCH, INPUT_PUBLISH_ARGS, RELFLOW_BIN (default `cargo-relflow` on PATH).
# Outputs, appended to $GITHUB_OUTPUT in GitHub's multi-line form: `released` (JSON),
# `published` (`true`/`false`), `publish` (JSON, when it ran), `pull-request` (URL or empty).
set -euo pipefail

relflow=("${RELFLOW_BIN:-cargo-relflow}" relflow)
command=${INPUT_COMMAND:-auto}
output=${GITHUB_OUTPUT:-/dev/null}

case $command in
auto | release-pr | publish | released) ;;
*)
    echo "error: unknown command \`$command\`: write auto, release-pr, publish or released" >&2
    exit 2
    ;;
esac

# put NAME VALUE: one output, in the delimiter form that allows several lines.
put() {
    printf '%s<<RELFLOW_OUTPUT_EOF\n%s\nRELFLOW_OUTPUT_EOF\n' "$1" "$2" >>"$output"
}

released=$("${relflow[@]}" released --format json)
put released "$released"
printf '%s\n' "$released" >&2
# Every released package has exactly one `tag_exists` key in relflow's JSON.
count=$(grep -c '"tag_exists"' <<<"$released" || true)

published=false
if [[ $command == publish || ($command == auto && $count -gt 0) ]]; then
    read -r -a extra <<<"${INPUT_PUBLISH_ARGS:-}"
    report=$("${relflow[@]}" publish --format json "${extra[@]}")
    put publish "$report"
    if grep -q '"result": "published"' <<<"$report"; then
        published=true
    fi
fi
put published "$published"

url=
if [[ $command == auto || $command == release-pr ]]; then
    args=(release-pr --format json)
    if [[ -n ${INPUT_BASE:-} ]]; then args+=(--base "$INPUT_BASE"); fi
    if [[ -n ${INPUT_BRANCH:-} ]]; then args+=(--branch "$INPUT_BRANCH"); fi
    pr=$("${relflow[@]}" "${args[@]}")
    url=$(sed -n 's/^ *"url": "\(.*\)",\{0,1\}$/\1/p' <<<"$pr" | head -n 1)
fi
put pull-request "$url"
