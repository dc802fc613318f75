//! `cargo relflow yank`: roll a release back on every registry and delete its tags;
//! `--dry-run` prints the steps with each item's state instead.

use camino::Utf8Path;

use crate::cli::{DataFormat, YankArgs};
use crate::error::{Failure, Outcome};
use crate::registry::Environment;
use crate::repo::Repo;
use crate::ui::Ui;
use crate::yank::{yank, YankRequest};

/// Runs `yank` and prints the plan or the summary: exit 3 when a step failed, 1 when something
/// stays to be yanked by hand or nothing matched at all.
pub fn run(start: &Utf8Path, args: &YankArgs, ui: &Ui) -> Result<Outcome, Failure> {
    let repo = Repo::open(start)?;
    let request = YankRequest {
        release: args.release.clone(),
        items: args.items.clone(),
        dry_run: args.dry_run,
        unpublish: args.unpublish,
        keep_tags: args.keep_tags,
        message: args.message.clone(),
        env: Environment::from_process(),
    };
    let report = yank(&repo, &request, ui)?;
    let text = match (args.format, args.dry_run) {
        (DataFormat::Json, _) => {
            serde_json::to_string_pretty(&report.to_json()).map_err(anyhow::Error::from)?
        }
        (DataFormat::Human, true) => report.plan_text(),
        (DataFormat::Human, false) => report.summary_text(),
    };
    ui.data(&text);
    let failures = report.failures();
    if let Some((item, reason)) = failures.first() {
        return Err(anyhow::anyhow!(
            "the rollback stopped at {} {}: {reason}; run it again to finish",
            item.name,
            item.version_text
        )
        .into());
    }
    if report.nothing_matched() {
        ui.error_line("nothing matched: no item is on its registry or has a tag");
        return Ok(Outcome::No);
    }
    let manual = report.manual();
    if !manual.is_empty() {
        ui.error_line(&format!(
            "{} release(s) stay on PyPI until yanked by hand: {}",
            manual.len(),
            manual
                .iter()
                .map(|(_, url)| *url)
                .collect::<Vec<_>>()
                .join(" ")
        ));
        return Ok(Outcome::No);
    }
    Ok(Outcome::Yes)
}
