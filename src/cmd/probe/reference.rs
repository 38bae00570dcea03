//! `probe --reference URL`: the same checks against a reference endpoint (the provider
//! directly) and the target (the gateway in front of it), at once. The report holds the
//! target's rows, judged against the reference's as against a baseline: a row that passes
//! there and not here is regressed ("works direct, breaks through the gateway"), the reverse
//! fixed, and each row whose verdict differs says what the reference gave. Under `--repeat`
//! both sides run every check N times: a row that passes every time direct and only
//! sometimes through the gateway (flaky) works direct and breaks through the gateway.

use crate::cli::{setup, ProbeArgs};
use crate::error::RunError;
use crate::policy::{Baseline, FailOn};
use crate::report::Report;
use crate::{progress, stop};

pub async fn compared(
    args: &ProbeArgs,
    url: &str,
    progress: Option<&progress::Progress>,
    stop: stop::Stop,
) -> Result<Report, RunError> {
    if args.base_url.is_none() && args.provider.is_none() {
        return Err(RunError::Usage(
            "--reference compares one target, given by --base-url or --provider, with the reference URL".into(),
        ));
    }
    let mut target = setup::build(args)?;
    let fail_on = target.fail_on;
    let key_env = target.targets.first().and_then(|(t, _)| t.key_env.clone());
    let mut ref_args = args.clone();
    ref_args.base_url = Some(url.to_string());
    ref_args.provider = None;
    ref_args.name = Some("reference".into());
    ref_args.api_key_env = args.reference_api_key_env.clone().or(key_env);
    // The target's headers (a gateway's own key) are not the provider's.
    ref_args.headers = Vec::new();
    ref_args.reference = None;
    // What the run says on stderr (the cost of --repeat, checks not run) is said once, for
    // the target; the reference's share of --repeat's cost is said here.
    ref_args.quiet = true;
    let mut reference = setup::build(&ref_args)?;
    if args.repeat > 1 && !args.quiet {
        let (requests, tokens) = super::repeat_counts(&reference, args.repeat);
        crate::out::warn(&format!(
            "zencheck: --repeat {} --reference: the reference runs every check {} times too, at the same time: about {} and at most {} more",
            args.repeat,
            args.repeat,
            crate::fit::count(requests, "request"),
            crate::fit::count(tokens, "output token"),
        ));
    }
    // Each run is judged here, once both are in.
    target.fail_on = FailOn::Fail;
    reference.fail_on = FailOn::Fail;
    let (here, there) = futures_util::future::join(
        super::probe_built(target, args, progress, stop.clone()),
        super::probe_built(reference, &ref_args, None, stop),
    )
    .await;
    let (mut report, there) = (here?, there?);
    let name = report
        .targets
        .first()
        .map(|t| t.info.name.clone())
        .unwrap_or_default();
    // As reports show it: a key in its query or user info is hidden.
    let shown = there
        .targets
        .first()
        .map(|t| t.info.base_url.clone())
        .unwrap_or_default();
    let baseline = Baseline::of_reference(
        &name,
        &shown,
        there
            .checks
            .iter()
            .map(|c| (c.check.as_str(), c.model.as_deref(), c.status)),
    );
    for c in &mut report.checks {
        let Some(r) = there
            .checks
            .iter()
            .find(|r| r.check == c.check && r.model == c.model)
        else {
            continue;
        };
        if r.status != c.status || r.kind != c.kind {
            let kind = r.kind.map(|k| format!(" {}", k.code())).unwrap_or_default();
            c.detail = format!(
                "{} · at the reference ({shown}): {}{kind}",
                c.detail,
                r.status.as_str()
            );
        }
    }
    report.judge(fail_on, Some(&baseline));
    Ok(report)
}
