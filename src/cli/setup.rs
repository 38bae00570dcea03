//! From flags, `ZENCHECK_*` variables and `zencheck.toml` to the targets a run probes.
//! Precedence, highest first: flags, environment, file, built-in defaults.

use crate::check::Selection;
use crate::cli::config::{self, Settings, TargetConfig};
use crate::cli::openai_env;
use crate::cli::ProbeArgs;
use crate::error::RunError;
use crate::http::transport::{ProxyChoice, Transport};
use crate::http::Limits;
use crate::policy::FailOn;
use crate::probe::Options;
use crate::provider::Provider;
use crate::route::Route;
use crate::target::{normalise_base_url, parse_header, Target, TargetError};
use secrecy::SecretString;
use std::time::Duration;

/// Everything a `zencheck probe` run needs.
pub struct Run {
    pub targets: Vec<(Target, Options)>,
    pub limits: Limits,
    pub transport: Transport,
    pub fail_on: FailOn,
    /// The whole run's bound (`--deadline`, `deadline`); see `stop`.
    pub deadline: Duration,
}

/// What defines one target, before it is checked and resolved.
struct TargetInput {
    name: Option<String>,
    provider: Option<Provider>,
    base_url: Option<String>,
    api_key_env: Option<String>,
    headers: Vec<String>,
    models: Vec<String>,
    checks: Vec<String>,
    skip: Vec<String>,
    routes: Vec<Route>,
    require: Vec<String>,
    /// A key given directly (an opencode.json's options.apiKey), not through a variable.
    key: Option<SecretString>,
    opencode_provider: Option<String>,
    /// opencode sends `stream_options` on this provider's streams (not `"includeUsage": false`).
    stream_usage: bool,
}

pub fn build(args: &ProbeArgs) -> Result<Run, RunError> {
    let adhoc = args.base_url.is_some() || args.provider.is_some();
    if adhoc && args.opencode_config.is_some() {
        return Err(RunError::Usage("--opencode-config probes the providers of that file; it cannot be combined with --base-url or --provider".into()));
    }
    if adhoc && !args.targets.is_empty() {
        return Err(RunError::Usage("--target picks targets of the config file; it cannot be combined with --base-url or --provider".into()));
    }
    let mut loaded = config::find(args.config.as_deref()).map_err(RunError::from)?;
    let settings = loaded
        .as_ref()
        .map(|l| l.config.settings.clone())
        .unwrap_or_default();
    // OPENAI_BASE_URL alone names a target, when nothing else does.
    let from_env = !adhoc
        && args.opencode_config.is_none()
        && loaded.is_none()
        && openai_env::var(openai_env::BASE_URL).is_some();
    let specs = if let Some(path) = &args.opencode_config {
        opencode_specs(path, args)?
    } else if adhoc || from_env {
        vec![with_openai_env(spec_from_flags(args))]
    } else {
        let Some(l) = &mut loaded else {
            return Err(RunError::Usage(format!(
                "give --base-url URL or --provider NAME, set OPENAI_BASE_URL, or write a {} (`zencheck init` writes a commented one)",
                config::DEFAULT_FILE
            )));
        };
        if l.config.targets.is_empty() {
            return Err(RunError::Usage(format!(
                "{} defines no [targets.NAME]",
                l.path.display()
            )));
        }
        for wanted in &args.targets {
            if !l.config.targets.contains_key(wanted) {
                let names: Vec<&str> = l.config.targets.keys().map(String::as_str).collect();
                return Err(RunError::Usage(format!(
                    "no target `{wanted}` in {}; it has: {}",
                    l.path.display(),
                    names.join(", ")
                )));
            }
        }
        let chosen = |name: &String| args.targets.is_empty() || args.targets.contains(name);
        // A target with an unset ${VAR} stops the run only when the run uses it; a dry run
        // shows the others and names every variable to export first.
        let used: Vec<String> = l
            .config
            .targets
            .keys()
            .filter(|n| chosen(n))
            .cloned()
            .collect();
        if args.dry_run {
            for name in used.iter().filter(|n| l.config.unset.contains_key(*n)) {
                let vars = &l.config.unset[name];
                let export: Vec<String> = vars.iter().map(|v| format!("export {v}=…")).collect();
                crate::out::warn(&format!(
                    "zencheck: dry run: target `{name}` left out: {} {} not set; before a real run: {}",
                    vars.join(", "),
                    if vars.len() == 1 { "is" } else { "are" },
                    export.join("; ")
                ));
            }
        } else if let Some(e) = used
            .iter()
            .find_map(|n| l.config.unresolved.shift_remove(n))
        {
            return Err(e.into());
        }
        let unset = &l.config.unset;
        l.config
            .targets
            .iter()
            .filter(|(name, _)| chosen(name) && !unset.contains_key(*name))
            .map(|(name, t)| spec_from_config(name, t, args))
            .collect()
    };
    let limits = limits(args, &settings)?;
    // A target's own bound defaults to the host's: the per-host limit is what keeps it polite.
    let concurrency = args
        .concurrency
        .or(settings.concurrency)
        .unwrap_or(limits.per_host);
    if concurrency == 0 {
        return Err(RunError::Usage("--concurrency must be at least 1".into()));
    }
    let mut targets = Vec::new();
    for spec in specs {
        let options = options(&spec, concurrency, args.curl)?;
        // An opencode.json's providers are probed as opencode calls them, unless --as says
        // otherwise.
        let opencode = spec.opencode_provider.is_some();
        let client = args
            .client
            .or(opencode.then_some(crate::profile::Profile::Opencode));
        let stream_usage = spec.stream_usage;
        let mut t = target(spec)?;
        if let Some(p) = client {
            t.speak_as(p, stream_usage);
        }
        targets.push((t, options));
    }
    let mut names: Vec<&str> = targets.iter().map(|(t, _)| t.name.as_str()).collect();
    names.sort_unstable();
    if names.windows(2).any(|w| w[0] == w[1]) {
        return Err(RunError::Usage(
            "two targets have the same name: give each a distinct --name".into(),
        ));
    }
    Ok(Run {
        targets,
        limits,
        transport: Transport {
            proxy: match (&args.proxy, args.no_proxy) {
                (_, true) => ProxyChoice::Direct,
                (Some(p), false) => ProxyChoice::Given(p.clone()),
                (None, false) => ProxyChoice::Environment,
            },
            cacert: args.cacert.clone(),
            insecure: args.insecure,
        },
        fail_on: args.fail_on.or(settings.fail_on).unwrap_or_default(),
        deadline: match args.deadline.or(settings.deadline) {
            Some(v) => crate::error::secs(v, "--deadline")?,
            None => crate::stop::DEFAULT_DEADLINE,
        },
    })
}

/// Every custom provider of an opencode.json, with the checks opencode's requests depend on.
fn opencode_specs(path: &std::path::Path, args: &ProbeArgs) -> Result<Vec<TargetInput>, RunError> {
    let loaded = crate::opencode::config::load(path)?;
    for (id, why) in &loaded.skipped {
        crate::out::warn(&format!(
            "zencheck: skipping provider `{id}` of {}: {why}",
            path.display()
        ));
    }
    for wanted in &args.targets {
        if !loaded.providers.iter().any(|p| &p.id == wanted) {
            return Err(RunError::Usage(format!(
                "no custom provider `{wanted}` in {}",
                path.display()
            )));
        }
    }
    let or =
        |flag: &Vec<String>, file: Vec<String>| if flag.is_empty() { file } else { flag.clone() };
    Ok(loaded
        .providers
        .into_iter()
        .filter(|p| args.targets.is_empty() || args.targets.contains(&p.id))
        .map(|p| {
            let (checks, require) = p.checks_and_require();
            TargetInput {
                name: Some(p.id.clone()),
                provider: None,
                base_url: Some(p.base_url),
                api_key_env: p.key_env,
                headers: args.headers.clone(),
                models: or(&args.models, p.models),
                checks: or(&args.checks, checks),
                skip: args.skip.clone(),
                routes: vec![Route::Chat],
                require: or(&args.require, require),
                key: p.key,
                opencode_provider: Some(p.id),
                stream_usage: p.include_usage,
            }
        })
        .collect())
}

/// The OPENAI_* variables fill what the flags left empty, for the target they describe:
/// `--provider openai`, or one named by OPENAI_BASE_URL alone.
fn with_openai_env(mut spec: TargetInput) -> TargetInput {
    let openai = spec.provider == Some(Provider::Openai)
        || (spec.provider.is_none() && spec.base_url.is_none());
    let f = openai_env::fallback(
        openai,
        spec.base_url.as_deref(),
        spec.api_key_env.as_deref(),
        &spec.models,
    );
    if let Some(b) = f.base_url {
        spec.base_url = Some(b);
    }
    if f.api_key_env.is_some() {
        spec.api_key_env = f.api_key_env;
    }
    if !f.models.is_empty() {
        spec.models = f.models;
    }
    spec
}

fn spec_from_flags(args: &ProbeArgs) -> TargetInput {
    TargetInput {
        name: args.name.clone(),
        provider: args.provider,
        base_url: args.base_url.clone(),
        api_key_env: args.api_key_env.clone(),
        headers: args.headers.clone(),
        models: args.models.clone(),
        checks: args.checks.clone(),
        skip: args.skip.clone(),
        routes: args.routes.clone(),
        require: args.require.clone(),
        key: None,
        opencode_provider: None,
        stream_usage: true,
    }
}

/// A config target, with any flag given on the command line taking precedence.
fn spec_from_config(name: &str, t: &TargetConfig, args: &ProbeArgs) -> TargetInput {
    let or = |flag: &Vec<String>, file: &Vec<String>| {
        if flag.is_empty() {
            file.clone()
        } else {
            flag.clone()
        }
    };
    let file_models: Vec<String> = t.models.iter().map(|m| m.get_ref().clone()).collect();
    let mut headers: Vec<String> = t
        .headers
        .iter()
        .map(|(k, v)| format!("{k}: {}", v.get_ref()))
        .collect();
    headers.extend(args.headers.iter().cloned());
    TargetInput {
        name: Some(name.to_string()),
        provider: t.provider,
        base_url: t.base_url.as_ref().map(|b| b.get_ref().clone()),
        api_key_env: args.api_key_env.clone().or_else(|| t.api_key_env.clone()),
        headers,
        models: or(&args.models, &file_models),
        checks: or(&args.checks, &t.checks),
        skip: or(&args.skip, &t.skip),
        routes: if args.routes.is_empty() {
            t.routes.clone()
        } else {
            args.routes.clone()
        },
        require: or(&args.require, &t.require),
        key: None,
        opencode_provider: None,
        stream_usage: true,
    }
}

fn options(spec: &TargetInput, concurrency: usize, curl: bool) -> Result<Options, RunError> {
    // A required check always runs: it joins an explicit --checks list.
    let mut include = spec.checks.clone();
    if !include.is_empty() {
        include.extend(spec.require.iter().cloned());
    }
    let selection = Selection::new(&include, &spec.skip).map_err(RunError::Usage)?;
    Selection::new(&spec.require, &[]).map_err(|e| RunError::Usage(format!("require: {e}")))?;
    let routes = (!spec.routes.is_empty()).then(|| spec.routes.clone());
    let explicit = routes.is_some() || !spec.checks.is_empty();
    Ok(Options {
        concurrency,
        selection,
        routes,
        explicit,
        require: spec.require.clone(),
        curl,
        stop: Default::default(),
    })
}

/// The gateway `zencheck fidelity` sends through, resolved as `probe --base-url` resolves
/// its target (key variable, headers, name).
pub fn gateway(
    base_url: &str,
    api_key_env: Option<String>,
    headers: Vec<String>,
    name: Option<String>,
) -> Result<Target, RunError> {
    target(TargetInput {
        name,
        provider: None,
        base_url: Some(base_url.to_string()),
        api_key_env,
        headers,
        models: Vec::new(),
        checks: Vec::new(),
        skip: Vec::new(),
        routes: Vec::new(),
        require: Vec::new(),
        key: None,
        opencode_provider: None,
        stream_usage: true,
    })
}

fn target(spec: TargetInput) -> Result<Target, RunError> {
    let raw = match (&spec.base_url, spec.provider) {
        (Some(u), _) => u.clone(),
        (None, Some(p)) => p.base_url().to_string(),
        (None, None) => {
            return Err(RunError::Usage(format!(
                "target `{}` needs base_url or provider",
                spec.name.unwrap_or_default()
            )))
        }
    };
    if spec.models.iter().any(|m| m.trim().is_empty()) {
        return Err(RunError::Usage(
            "--model needs a model id; an empty one was given".into(),
        ));
    }
    let b = normalise_base_url(&raw)?;
    let parsed =
        url::Url::parse(&b.base).map_err(|e| TargetError::BadUrl(b.base.clone(), e.to_string()))?;
    let provider = spec.provider.or_else(|| Provider::infer(&parsed));
    let key_env = spec
        .api_key_env
        .or_else(|| provider.and_then(Provider::key_env).map(str::to_string));
    if let Some(v) = &key_env {
        // Written as $NAME in reproductions: it must be a plain shell variable name.
        let valid = v
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && v.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !valid {
            return Err(RunError::Usage(format!(
                "`{}` is not an environment variable name (letters, digits, _)",
                crate::redact::strip_controls(v)
            )));
        }
    }
    let key = match key_env
        .as_deref()
        .and_then(|v| std::env::var(v).ok().map(|k| (v, k)))
    {
        Some((var, k)) => key_from_variable(var, &k)?,
        None => None,
    };
    let headers = spec
        .headers
        .iter()
        .map(|h| parse_header(h))
        .collect::<Result<Vec<_>, _>>()?;
    let unkeyed = key_env.is_none()
        && spec.key.is_none()
        && provider.is_none()
        && b.userinfo.is_none()
        && !headers.iter().any(|(n, v)| {
            use secrecy::ExposeSecret;
            crate::redact::is_credential_header(n, v.expose_secret())
        });
    if let Some(v) = unkeyed.then(openai_env::set_key_variable).flatten() {
        // Never sent unasked (it may be a key for another host): only named.
        eprintln!(
            "zencheck: no key is sent to {} (no --api-key-env); {v} is set: add --api-key-env {v} to send it",
            crate::redact::url_for_display(&b.base)
        );
    }
    let name = spec.name.unwrap_or_else(|| match provider {
        Some(p) if spec.base_url.is_none() => format!("{p:?}").to_lowercase(),
        _ => match (parsed.host_str(), parsed.port()) {
            (Some(h), Some(port)) => format!("{h}:{port}"),
            (Some(h), None) => h.to_string(),
            _ => "target".into(),
        },
    });
    Ok(Target {
        provider,
        key_env,
        key: spec.key.or(key),
        headers,
        models: spec.models,
        opencode_provider: spec.opencode_provider,
        ..Target::from_base(&name, b)
    })
}

/// The key as a variable holds it. A value with a line break cannot be sent (usage error);
/// one with a `Bearer ` prefix or quotes is sent as the application would send it, with a
/// warning, and the redactor also knows its bare form.
fn key_from_variable(var: &str, raw: &str) -> Result<Option<SecretString>, RunError> {
    let k = raw.trim();
    if k.is_empty() {
        return Ok(None);
    }
    if k.chars().any(char::is_control) {
        return Err(RunError::Usage(format!(
            "${var} holds a line break or control character (value hidden): write the key on one line"
        )));
    }
    if let Some(why) = crate::redact::key_value_mistake(k) {
        crate::out::warn(&format!(
            "zencheck: warning: ${var} {why}; it is sent as it is, as your application would"
        ));
    }
    Ok(Some(SecretString::from(k.to_string())))
}

fn limits(args: &ProbeArgs, s: &Settings) -> Result<Limits, RunError> {
    let d = Limits::default();
    let secs =
        |flag: Option<f64>, file: Option<f64>, default: Duration, name: &str| match flag.or(file) {
            Some(v) => crate::error::secs(v, name),
            None => Ok(default),
        };
    Ok(Limits {
        connect: secs(
            args.connect_timeout,
            s.connect_timeout,
            d.connect,
            "--connect-timeout",
        )?,
        idle: secs(args.timeout, s.timeout, d.idle, "--timeout")?,
        total: secs(args.max_time, s.max_time, d.total, "--max-time")?,
        max_retry_wait: args
            .max_retry_wait
            .or(s.max_retry_wait)
            .map(Duration::from_secs)
            .unwrap_or(d.max_retry_wait),
        per_host: match args.per_host.or(s.per_host).unwrap_or(d.per_host) {
            0 => return Err(RunError::Usage("--per-host must be at least 1".into())),
            n => n,
        },
        per_host_chosen: args.per_host.or(s.per_host).is_some()
            || args.concurrency.or(s.concurrency).is_some(),
        ..d
    })
}
