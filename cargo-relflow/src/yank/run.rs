//! The effects of a rollback: each item's registry step (only when the plan's state says it is
//! still to do), npm's `latest` moved back, then the tags deleted on `origin` (one atomic push)
//! and locally. The first failure stops the run: what came before it is done, and a re-run
//! starts from there.

use super::plan::{Action, Plan, YankItem};
use super::{ItemOutcome, YankReport, YankRequest};
use crate::error::Failure;
use crate::publish::state::Target;
use crate::publish::tools::{self, Invocation, Verdict};
use crate::publish::{tags, REMOTE};
use crate::registry::pypi;
use crate::repo::Repo;
use crate::ui::Ui;

/// Carries out `plan`.
pub(crate) fn run(
    repo: &Repo,
    request: &YankRequest,
    plan: Plan,
    ui: &Ui,
) -> Result<YankReport, Failure> {
    let mut outcomes = Vec::with_capacity(plan.items.len());
    let mut failed = false;
    for (item, target) in plan.items.iter().zip(&plan.targets) {
        if failed {
            outcomes.push(ItemOutcome::NotTried);
            continue;
        }
        let outcome = match roll_back(repo, request, &plan, item, target.as_ref(), ui) {
            Ok(outcome) => outcome,
            Err(reason) => {
                ui.warn(&format!("{} {}: {reason}", item.name, item.version_text));
                ItemOutcome::Failed(reason)
            }
        };
        failed = matches!(outcome, ItemOutcome::Failed(_));
        outcomes.push(outcome);
    }
    let mut report = YankReport {
        items: plan.items.clone(),
        outcomes,
        ..YankReport::default()
    };
    delete_tags(repo, &plan, &mut report, ui)?;
    Ok(report)
}

/// One item's registry steps.
fn roll_back(
    repo: &Repo,
    request: &YankRequest,
    plan: &Plan,
    item: &YankItem,
    target: Option<&Target>,
    ui: &Ui,
) -> Result<ItemOutcome, String> {
    let root = repo.root();
    let what = format!("{} {}", item.name, item.version_text);
    let package = &repo.packages()[item.index];
    let message = request.message.clone().unwrap_or_else(|| {
        format!(
            "{}@{} was rolled back: use another version",
            package.name, item.version_text
        )
    });
    let mut done = "already";
    match (&item.action, target) {
        (Some(Action::CargoYank), Some(Target::Cargo { registry, .. })) => {
            run_tool(
                plan,
                ui,
                &tools::cargo_yank(root, &package.name, &item.version, &registry.name),
            )?;
            ui.status("Yanked", &format!("{what} on {}", target_text(item)));
            done = "yanked";
        }
        (Some(Action::NpmUnpublish), Some(Target::Npm { registry, .. })) => {
            let unpublish = tools::npm_unpublish(root, &package.name, &item.version_text, registry);
            match run_tool(plan, ui, &unpublish) {
                Ok(()) => {
                    ui.status("Unpublished", &format!("{what} from {}", target_text(item)));
                    done = "unpublished";
                }
                Err(reason) => {
                    ui.warn(&format!(
                        "npm refused to unpublish {what} ({reason}): deprecating it instead"
                    ));
                    deprecate(plan, ui, root, &package.name, item, &message, registry)?;
                    done = "deprecated";
                }
            }
        }
        (Some(Action::NpmDeprecate), Some(Target::Npm { registry, .. })) => {
            deprecate(plan, ui, root, &package.name, item, &message, registry)?;
            done = "deprecated";
        }
        (Some(Action::PythonRemove(spellings)), Some(Target::Python { upload_url, .. })) => {
            let Some((user, password)) = &plan.python_credentials else {
                return Err("no credentials for the Python repository".to_owned());
            };
            for (name, version) in spellings {
                ui.verbose(&format!(
                    "POST :action=remove_pkg name={name} version={version} to {}",
                    crate::registry::http::redact_url(upload_url)
                ));
                pypi::remove_release(&plan.client, upload_url, name, version, user, password)
                    .map_err(|error| plan.secrets.scrub(&error.to_string()))?;
            }
            ui.status("Removed", &format!("{what} from {}", target_text(item)));
            done = "removed";
        }
        (Some(Action::Manual(url)), _) => {
            ui.error_line(&format!(
                "{what} stays on PyPI, which has no API to yank it: yank it by hand at {url}"
            ));
            return Ok(ItemOutcome::Manual(url.clone()));
        }
        (Some(action), _) => {
            return Err(format!(
                "`{}` does not apply to {}",
                action.describe(),
                target_text(item)
            ));
        }
        (None, _) => {}
    }
    if let (Some(latest), Some(Target::Npm { registry, .. })) = (&item.latest_to, target) {
        let invocation = tools::npm_dist_tag_add(root, &package.name, latest, "latest", registry);
        run_tool(plan, ui, &invocation)?;
        ui.status(
            "Moved",
            &format!("dist-tag `latest` of {} back to {latest}", item.name),
        );
    }
    Ok(ItemOutcome::Done(done))
}

fn deprecate(
    plan: &Plan,
    ui: &Ui,
    root: &camino::Utf8Path,
    name: &str,
    item: &YankItem,
    message: &str,
    registry: &str,
) -> Result<(), String> {
    run_tool(
        plan,
        ui,
        &tools::npm_deprecate(root, name, &item.version_text, message, registry),
    )?;
    ui.status(
        "Deprecated",
        &format!(
            "{} {} on {}",
            item.name,
            item.version_text,
            target_text(item)
        ),
    );
    Ok(())
}

fn target_text(item: &YankItem) -> &str {
    item.registry.as_deref().unwrap_or("its registry")
}

/// Runs a tool; `-v` shows its scrubbed command line and output. A failure is its reason.
fn run_tool(plan: &Plan, ui: &Ui, invocation: &Invocation) -> Result<(), String> {
    let shown = plan.secrets.scrub(&invocation.shown());
    ui.verbose(&format!("running `{shown}` in {}", invocation.dir));
    let output = invocation
        .command()
        .stdin(std::process::Stdio::null())
        .output()
        .map_err(|error| format!("cannot run `{shown}`: {error}"))?;
    let text = plan.secrets.scrub(&format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    ));
    if !text.trim().is_empty() {
        ui.verbose(text.trim_end());
    }
    match tools::verdict(output.status.success(), &text) {
        Verdict::Done => Ok(()),
        Verdict::Failed(reason) => Err(format!("`{shown}` failed: {reason}")),
        Verdict::AlreadyExists | Verdict::RateLimited(_) => {
            Err(format!("`{shown}` failed: {}", text.trim()))
        }
    }
}

/// Deletes the tags of every item whose registry part is finished (done or manual): on
/// `origin` first, in one atomic push, then locally, each only where it still exists.
fn delete_tags(repo: &Repo, plan: &Plan, report: &mut YankReport, ui: &Ui) -> Result<(), Failure> {
    let finished = |at: usize| {
        matches!(
            report.outcomes[at],
            ItemOutcome::Done(_) | ItemOutcome::Manual(_)
        )
    };
    let mut remote: Vec<String> = Vec::new();
    let mut local: Vec<String> = Vec::new();
    for (at, item) in plan.items.iter().enumerate() {
        let Some(tag) = item.tag.as_ref().filter(|_| finished(at)) else {
            continue;
        };
        if item.tag_remote && plan.has_remote && !remote.contains(tag) {
            remote.push(tag.clone());
        }
        if item.tag_local && !local.contains(tag) {
            local.push(tag.clone());
        }
    }
    if !remote.is_empty() {
        tags::push_tag_deletions(repo.root(), REMOTE, &remote, &plan.secrets)?;
        ui.status(
            "Deleted",
            &format!("{} tags on `{REMOTE}`: {}", remote.len(), remote.join(", ")),
        );
    }
    if !local.is_empty() {
        tags::delete_tags(repo.root(), &local)?;
        ui.status(
            "Deleted",
            &format!("{} local tags: {}", local.len(), local.join(", ")),
        );
    }
    report.tags_deleted_remote = remote;
    report.tags_deleted = local;
    Ok(())
}
