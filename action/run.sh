#!/usr/bin/env bash
# The logic of the zencheck GitHub Action (action.yml): run `zencheck probe` once with the
# action's inputs, write JSON and Markdown from that one run, append the Markdown to the job
# summary (never overwriting what earlier steps wrote), turn failing and warning checks into
# ::error/::warning annotations, and set the outputs exit_code, verdict, failed, warned and
# report. The test suite runs this very script against zencheck's built-in mock, with
# GITHUB_OUTPUT and GITHUB_STEP_SUMMARY pointing at temporary files (tests/binary/action.rs).
#
# Inputs (environment): INPUT_ARGS (extra probe arguments, split on whitespace; a --json or
# --markdown FILE there is the file the action reads, instead of its own), INPUT_HEADERS (one
# `Name: value` header a line, spaces kept), INPUT_CONFIG, INPUT_FAIL_ON, INPUT_BASELINE;
# ZENCHECK_BIN (default: zencheck on PATH). GitHub shows at most 10 error and 10 warning
# annotations per step: the rest are said to be missing (a notice) and listed in the job
# summary. Exits with zencheck's exit code, so a failed run fails the step.
set -uo pipefail

zencheck="${ZENCHECK_BIN:-zencheck}"
out_dir="$(mktemp -d "${RUNNER_TEMP:-${TMPDIR:-/tmp}}/zencheck.XXXXXX")"
json=""
markdown=""
# GitHub shows this many annotations of each type per step.
annotation_limit=10

args=(probe)
if [ -n "${INPUT_CONFIG:-}" ]; then args+=(--config "$INPUT_CONFIG"); fi
if [ -n "${INPUT_FAIL_ON:-}" ]; then args+=(--fail-on "$INPUT_FAIL_ON"); fi
if [ -n "${INPUT_BASELINE:-}" ]; then args+=(--baseline "$INPUT_BASELINE"); fi
if [ -n "${INPUT_HEADERS:-}" ]; then
  # One header a line, spaces kept (args cannot carry them: it is split on whitespace).
  while IFS= read -r line || [ -n "$line" ]; do
    line="${line%$'\r'}"
    line="${line#"${line%%[![:space:]]*}"}"
    if [ -n "$line" ]; then args+=(--header "$line"); fi
  done <<< "$INPUT_HEADERS"
fi
if [ -n "${INPUT_ARGS:-}" ]; then
  # Words, not shell code: nothing in the input is evaluated.
  read -r -d '' -a extra <<< "$INPUT_ARGS" || true
  # The user's own --json/--markdown files are the ones read below (a second --json
  # would be refused as a conflict).
  for ((i = 0; i < ${#extra[@]}; i++)); do
    case "${extra[$i]}" in
      --json) json="${extra[$((i + 1))]:-}" ;;
      --json=*) json="${extra[$i]#--json=}" ;;
      --markdown) markdown="${extra[$((i + 1))]:-}" ;;
      --markdown=*) markdown="${extra[$i]#--markdown=}" ;;
    esac
  done
  args+=("${extra[@]}")
fi
if [ -z "$json" ]; then
  json="$out_dir/zencheck.json"
  args+=(--json "$json")
fi
if [ -z "$markdown" ]; then
  markdown="$out_dir/zencheck.md"
  args+=(--markdown "$markdown")
fi

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
    errors="$(printf '%s\n' "$annotations" | grep '^::error ' || true)"
    warnings="$(printf '%s\n' "$annotations" | grep '^::warning ' || true)"
    failed=$(printf '%s' "$errors" | grep -c '^::error ' || true)
    warned=$(printf '%s' "$warnings" | grep -c '^::warning ' || true)
    # GitHub drops annotations past its limit silently: print only what it shows, say
    # that more exist, and list the rest in the job summary.
    for kind in errors warnings; do
      if [ -n "${!kind}" ]; then printf '%s\n' "${!kind}" | head -n "$annotation_limit"; fi
    done
    rest="$(
      for kind in errors warnings; do
        if [ -n "${!kind}" ]; then printf '%s\n' "${!kind}" | tail -n "+$((annotation_limit + 1))"; fi
      done
    )"
    if [ -n "$rest" ]; then
      n_rest=$(printf '%s\n' "$rest" | grep -c '^::' || true)
      echo "::notice title=zencheck::$n_rest more checks failed or warned than GitHub shows as annotations ($annotation_limit errors and $annotation_limit warnings per step): they are listed in the job summary"
      if [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
        {
          echo
          echo "### Not annotated"
          echo
          echo "GitHub shows at most $annotation_limit error and $annotation_limit warning annotations per step; these $n_rest got none:"
          echo
          # An indented code block: server text in it is shown, never rendered.
          printf '%s\n' "$rest" | while IFS= read -r cmd; do
            level="${cmd#::}"
            level="${level%% *}"
            title="${cmd#*title=}"
            title="${title%%::*}"
            message="${cmd#*title=*::}"
            printf '%s: %s\n%s\n' "$level" "$title" "$message" \
              | sed -e 's/%0A/\n/g' -e 's/%0D//g' -e 's/%3A/:/g' -e 's/%2C/,/g' -e 's/%25/%/g' \
              | sed -e 's/^/    /'
            echo
          done
        } >> "$GITHUB_STEP_SUMMARY"
      fi
    fi
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
