//! `cargo relflow publish`: publish what is not on its registry yet, in dependency order, then
//! tag and push; `--dry-run` prints the plan instead.

use camino::Utf8Path;

use crate::cli::{DataFormat, PublishArgs};
use crate::error::{Failure, Outcome};
use crate::lock::RepoLock;
use crate::publish::progress::Progress;
use crate::publish::{publish, PublishRequest};
use crate::registry::Environment;
use crate::repo::Repo;
use crate::ui::Ui;

/// Runs `publish` and prints the plan (dry run) or the summary; exit 3 when a package failed.
pub fn run(start: &Utf8Path, args: &PublishArgs, ui: &Ui) -> Result<Outcome, Failure> {
    let _lock = (!args.dry_run)
        .then(|| RepoLock::acquire(start, ui))
        .transpose()?;
    let repo = Repo::open(start)?;
    repo.warnings.iter().for_each(|w| ui.warn(w));
    let request = request(args, Environment::from_process());
    let progress = Progress::auto(ui, ui.is_quiet() || args.format == DataFormat::Json);
    let report = publish(&repo, &request, &progress)?;
    let json = args.format == DataFormat::Json;
    let text = match (args.dry_run, json) {
        (true, true) => pretty(&report.plan_json())?,
        (true, false) => report.plan_text(),
        (false, true) => pretty(&report.summary_json())?,
        (false, false) => report.summary_text(),
    };
    ui.data(&text);
    if !args.dry_run {
        ui.verbose(&format!(
            "{} packages in {:.2} s, {:.2} s of it in cargo, npm and the Python tools (summed over jobs)",
            report.packages.len(),
            report.elapsed.as_secs_f64(),
            report.tool_time.as_secs_f64()
        ));
    }
    let failures = report.failures();
    if failures.is_empty() {
        return Ok(Outcome::Yes);
    }
    let names: Vec<&str> = failures.iter().map(|p| p.name.as_str()).collect();
    Err(anyhow::anyhow!(
        "{} of {} packages were not published: {}",
        failures.len(),
        report.packages.len(),
        names.join(", ")
    )
    .into())
}

/// The library request for these arguments.
pub fn request(args: &PublishArgs, env: Environment) -> PublishRequest {
    let mut request = PublishRequest::new(env);
    request.packages.clone_from(&args.packages);
    request.dry_run = args.dry_run;
    if let Some(jobs) = args.jobs {
        request.jobs = jobs.get();
    }
    request.tag = !args.no_tag;
    request.push = !args.no_push;
    request.release = !args.no_release;
    request.allow_dirty = args.allow_dirty;
    request.offline |= args.offline;
    request
}

fn pretty(value: &serde_json::Value) -> Result<String, Failure> {
    Ok(serde_json::to_string_pretty(value).map_err(anyhow::Error::from)?)
}
