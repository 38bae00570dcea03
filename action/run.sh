#!/usr/bin/env bash
# The logic of the zencheck GitHub Action (action.yml): run `zencheck probe` once with the
# action's inputs, write JSON and Markdown from that one run, append the Markdown to the job
# summary (never overwriting what earlier steps wrote), turn failing and warning checks into
# ::error/::warning annotations, and set the outputs exit_code, verdict, failed, warned and
# report. The test suite runs this very script against zencheck's built-in mock, with
# GITHUB_OUTPUT and GITHUB_STEP_SUMMARY pointing at temporary files (tests/binary/action.rs).
#
# Inputs (environment): INPUT_ARGS (extra probe arguments, split on whitespace),
# INPUT_CONFIG, INPUT_FAIL_ON, INPUT_BASELINE; ZENCHECK_BIN (default: zencheck on PATH).
# Exits with zencheck's exit code, so a failed run fails the step.
set -uo pipefail

zencheck="${ZENCHECK_BIN:-zencheck}"
out_dir="$(mktemp -d "${RUNNER_TEMP:-${TMPDIR:-/tmp}}/zencheck.XXXXXX")"
json="$out_dir/zencheck.json"
markdown="$out_dir/zencheck.md"

args=(probe)
if [ -n "${INPUT_CONFIG:-}" ]; then args+=(--config "$INPUT_CONFIG"); fi
if [ -n "${INPUT_FAIL_ON:-}" ]; then args+=(--fail-on "$INPUT_FAIL_ON"); fi
if [ -n "${INPUT_BASELINE:-}" ]; then args+=(--baseline "$INPUT_BASELINE"); fi
if [ -n "${INPUT_ARGS:-}" ]; then
  # Words, not shell code: nothing in the input is evaluated.
  read -r -d '' -a extra <<< "$INPUT_ARGS" || true
  args+=("${extra[@]}")
fi
args+=(--json "$json" --markdown "$markdown")

"$zencheck" "${args[@]}"
code=$?

# Append with >>: earlier steps' summaries stay.
if [ -n "${GITHUB_STEP_SUMMARY:-}" ] && [ -s "$markdown" ]; then
  cat "$markdown" >> "$GITHUB_STEP_SUMMARY"
fi

failed=0
warned=0
report=""
if [ -s "$json" ]; then
  report="$json"
  # One workflow command per line, rendered (and escaped, and scrubbed) by zencheck itself.
  annotations="$("$zencheck" report "$json" --format github)"
  if [ -n "$annotations" ]; then
    printf '%s\n' "$annotations"
    failed=$(printf '%s\n' "$annotations" | grep -c '^::error ' || true)
    warned=$(printf '%s\n' "$annotations" | grep -c '^::warning ' || true)
  fi
fi

case "$code" in
  0) verdict=passed ;;
  1) verdict=failed ;;
  *) verdict=error; echo "::error title=zencheck::zencheck could not run (exit $code); see the log above" ;;
esac

if [ -n "${GITHUB_OUTPUT:-}" ]; then
  {
    echo "exit_code=$code"
    echo "verdict=$verdict"
    echo "failed=$failed"
    echo "warned=$warned"
    echo "report=$report"
  } >> "$GITHUB_OUTPUT"
fi
exit "$code"
