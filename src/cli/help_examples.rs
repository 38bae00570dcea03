//! The Examples section that ends each subcommand's `-h`/`--help`: commands that work as
//! written (the key always in a variable), each line at most 80 columns
//! (`tests/binary/help.rs` holds them to it).

pub const TOP: &str = "\
Examples:
  zencheck demo                       # what zencheck finds, offline
  zencheck probe --provider zen -m big-pickle
  zencheck probe --base-url http://127.0.0.1:11434/v1 -m llama3.2
  zencheck explain 'HTTP 401 {\"error\":{\"code\":\"invalid_api_key\"}}'
  zencheck checks                     # every check and what it costs
  zencheck init                       # a commented zencheck.toml here";

pub const PROBE: &str = "\
Examples:
  # OpenCode Zen (key in OPENCODE_API_KEY): each model on its own route
  zencheck probe --provider zen -m big-pickle -m gpt-5-nano
  # a local Ollama, two models side by side
  zencheck probe --provider ollama -m llama3.2 -m qwen2.5
  # any OpenAI-compatible server, the key in a variable you name
  zencheck probe --base-url https://gw.example.com/v1 --api-key-env GW_KEY \\
      -m gpt-4o
  # only streaming and tools; a JSON report; warnings fail the run too
  zencheck probe --provider openai -m gpt-4o-mini \\
      --checks chat.stream,chat.tools -o report.json --fail-on warn
  # every custom provider of an opencode.json, as opencode calls it
  zencheck probe --opencode-config ~/.config/opencode/opencode.json
  # the requests a run would send, sending nothing
  zencheck probe --provider zen -m big-pickle --dry-run";

pub const MOCK: &str = "\
Examples:
  zencheck mock --list
  zencheck mock --scenario stream-stalled --port 8080
  # then, in another terminal:
  zencheck probe --base-url http://127.0.0.1:8080/v1 -m mock-small";

pub const FIDELITY: &str = "\
Examples:
  # point the gateway's upstream at 127.0.0.1:9901 first (README: Gateway
  # fidelity), then send through it; the gateway's key in GW_KEY
  zencheck fidelity --through http://127.0.0.1:8080/v1 \\
      --upstream-listen 127.0.0.1:9901 -m my-alias --api-key-env GW_KEY
  # also hold a 65 s silence, past nginx's default proxy_read_timeout
  zencheck fidelity --through http://127.0.0.1:8080/v1 \\
      --upstream-listen 127.0.0.1:9901 -m gpt-4o --silence 65";

pub const EXPLAIN: &str = "\
Examples:
  zencheck explain 'Error code: 429 - {\"error\": {\"code\": \"insufficient_quota\"}}'
  zencheck explain --provider zen < error.txt
  zencheck explain --format markdown < error.txt > ticket.md
  zencheck explain        # then paste the error and press Ctrl-D";

pub const OPENCODE: &str = "\
Examples:
  zencheck opencode serve-check -m opencode/big-pickle
  zencheck opencode run-check -m opencode/big-pickle --dir ~/src/app";

pub const SERVE_CHECK: &str = "\
Examples:
  # with `opencode serve --port 4096` running:
  zencheck opencode serve-check -m opencode/big-pickle
  zencheck opencode serve-check --url http://127.0.0.1:4096 \\
      -m opencode/big-pickle --password-env OPENCODE_SERVER_PASSWORD";

pub const RUN_CHECK: &str = "\
Examples:
  zencheck opencode run-check -m opencode/big-pickle
  zencheck opencode run-check -m opencode/big-pickle --dir ~/src/app \\
      --timeout 60 --format json -o run-check.json";

pub const DEMO: &str = "\
Examples:
  zencheck demo
  zencheck demo --all | less -R";

pub const SERVE: &str = "\
Examples:
  zencheck init                       # then edit its [targets.*]
  zencheck serve --config zencheck.toml
  curl 'http://127.0.0.1:9464/probe?target=zen&module=catalog'";

pub const REPORT: &str = "\
Examples:
  zencheck probe --provider zen -m big-pickle --format json -o run.json
  zencheck report run.json --format markdown -o run.md
  zencheck report run.json --baseline yesterday.json --fail-on new";

pub const COMPLETIONS: &str = "\
Examples:
  source <(zencheck completions bash)         # in ~/.bashrc
  zencheck completions zsh > ~/.zfunc/_zencheck
  zencheck completions fish > ~/.config/fish/completions/zencheck.fish";

pub const MAN: &str = "\
Examples:
  zencheck man > zencheck.1 && man ./zencheck.1";

pub const CHECKS: &str = "\
Examples:
  zencheck checks
  zencheck checks --format json";

pub const MCP: &str = "\
Examples:
  # started by the agent (opencode, Claude Code, Cursor), never by hand:
  zencheck mcp
  zencheck mcp --config ~/zencheck.toml   # the targets its keys go to";

pub const INIT: &str = "\
Examples:
  zencheck init
  zencheck init staging.toml && zencheck probe --config staging.toml";
