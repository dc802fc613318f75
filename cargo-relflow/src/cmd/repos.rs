//! `cargo relflow repos status|release|rollback`: release the `[[repo]]` set of relflow.toml in
//! order, dry run first, resumable, undoable.

use camino::Utf8Path;
use cargo_relflow_changeset::status;
use serde_json::{json, Value};

use crate::cli::{ReposReleaseArgs, StatusFormat};
use crate::cmd::version::unified_diff;
use crate::error::{Failure, Outcome};
use crate::repos::journal::{self, Journal, RunState};
use crate::repos::plan::{plan_set, PlanRequest, RepoPlan, SetPlan};
use crate::repos::run::{add_new_repos, execute, new_journal, RunRequest};
use crate::repos::{checks, rollback, ReleaseSet};
use crate::ui::Ui;

/// `repos status`: every repo's plan, tags and pins, in release order.
pub fn status(start: &Utf8Path, format: StatusFormat, ui: &Ui) -> Result<Outcome, Failure> {
    let set = ReleaseSet::open(start)?;
    let unfinished = unfinished(&set)?;
    let plan = plan_set(&set, &PlanRequest::default(), unfinished.as_ref())?;
    warn(&plan, ui);
    let text = match format {
        StatusFormat::Human => human(&plan),
        StatusFormat::Markdown => markdown(&plan),
        StatusFormat::Json => {
            serde_json::to_string_pretty(&to_json(&plan)).map_err(anyhow::Error::from)?
        }
    };
    ui.data(&text);
    Ok(Outcome::Yes)
}

/// `repos release`: check every repo, then release level by level (or print it all with
/// `--dry-run`); an unfinished run is continued.
pub fn release(start: &Utf8Path, args: &ReposReleaseArgs, ui: &Ui) -> Result<Outcome, Failure> {
    let set = ReleaseSet::open(start)?;
    let unfinished = unfinished(&set)?;
    let request = PlanRequest {
        version: args.version.clone(),
    };
    let plan = plan_set(&set, &request, unfinished.as_ref())?;
    warn(&plan, ui);
    checks::check(&plan)?;
    if plan.working().next().is_none() {
        ui.warn("No repo has anything to release.");
        return Ok(Outcome::No);
    }
    if args.dry_run {
        ui.data(&dry_run(&plan, args.publish));
        return Ok(Outcome::Yes);
    }
    let journal = match unfinished {
        Some(mut journal) => {
            ui.status("Resuming", "the unfinished release of this set");
            add_new_repos(&mut journal, &plan);
            journal
        }
        None => new_journal(&plan, args.publish),
    };
    let publish = args.publish || journal.publish;
    let run = RunRequest {
        jobs: args.jobs.map_or_else(
            || std::thread::available_parallelism().map_or(1, usize::from),
            |j| j.get(),
        ),
        publish,
    };
    let summary = summary(&plan);
    execute(&set.root, plan, journal, run, ui)?;
    ui.data(&summary);
    Ok(Outcome::Yes)
}

/// `repos rollback [--yank]`: undo the last run.
pub fn rollback(start: &Utf8Path, yank: bool, ui: &Ui) -> Result<Outcome, Failure> {
    let set = ReleaseSet::open(start)?;
    let undone = rollback::rollback(&set.root, yank, ui)?;
    for repo in &undone {
        let tags = if repo.tags.is_empty() {
            "-".to_owned()
        } else {
            repo.tags.join(", ")
        };
        let revert = repo.revert.as_deref().unwrap_or("-");
        ui.data(&format!(
            "{}\ttags deleted: {tags}\trevert: {revert}",
            repo.name
        ));
    }
    Ok(Outcome::Yes)
}

/// The journal of a run that has not finished, if any.
fn unfinished(set: &ReleaseSet) -> Result<Option<Journal>, Failure> {
    Ok(journal::load(&set.root)?.filter(|j| j.state == RunState::Running))
}

fn warn(plan: &SetPlan, ui: &Ui) {
    for repo in &plan.repos {
        for warning in &repo.warnings {
            ui.warn(&format!("repo `{}`: {warning}", repo.name));
        }
    }
}

fn version_text(repo: &RepoPlan) -> String {
    repo.version
        .as_ref()
        .map_or_else(|| "no new version".to_owned(), |v| format!("v{v}"))
}

fn human(plan: &SetPlan) -> String {
    let mut out = String::new();
    if let Some(shared) = &plan.shared {
        out.push_str(&format!("Shared version: {shared}\n"));
    }
    let mut level = None;
    for repo in &plan.repos {
        if level != Some(repo.level) {
            level = Some(repo.level);
            out.push_str(&format!("\nLevel {}\n", repo.level));
        }
        out.push_str(&format!(
            "  {}  {}  ({})\n",
            repo.name,
            version_text(repo),
            repo.root
        ));
        if let Some(entry) = &repo.resumed {
            let state = if entry.pushed {
                "released by the unfinished run"
            } else {
                "committed by the unfinished run, not pushed yet"
            };
            out.push_str(&format!("    {state}\n"));
        }
        if let Some(status) = &repo.status {
            for line in status::to_human(&status.packages, &status.plan).lines() {
                out.push_str(&format!("    {line}\n"));
            }
        }
        let tags = if repo.tags.is_empty() {
            "none".to_owned()
        } else {
            repo.tags.join(", ")
        };
        out.push_str(&format!("    tags: {tags}\n"));
        if repo.pins.is_empty() {
            out.push_str("    pins: none\n");
        }
        for pin in &repo.pins {
            out.push_str(&format!(
                "    pin: {} {} -> {} (from {})\n",
                pin.file, pin.old, pin.new, pin.from
            ));
        }
    }
    out
}

fn markdown(plan: &SetPlan) -> String {
    let mut out =
        String::from("| Level | Repo | Version | Tags | Pins |\n| --- | --- | --- | --- | --- |\n");
    for repo in &plan.repos {
        let tags: Vec<String> = repo.tags.iter().map(|t| format!("`{t}`")).collect();
        let pins: Vec<String> = repo
            .pins
            .iter()
            .map(|p| format!("`{}` {} → {} ({})", p.file, p.old, p.new, p.from))
            .collect();
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} |\n",
            repo.level,
            repo.name,
            version_text(repo),
            tags.join(", "),
            pins.join(", ")
        ));
    }
    for repo in &plan.repos {
        if let Some(status) = &repo.status {
            out.push_str(&format!(
                "\n### {}\n\n{}",
                repo.name,
                status::to_markdown(&status.packages, &status.plan)
            ));
        }
    }
    out
}

fn to_json(plan: &SetPlan) -> Value {
    let repos: Vec<Value> = plan
        .repos
        .iter()
        .map(|repo| {
            json!({
                "name": repo.name,
                "level": repo.level,
                "root": repo.root,
                "branch": repo.branch,
                "version": repo.version.as_ref().map(ToString::to_string),
                "tags": repo.tags,
                "pins": repo.pins.iter().map(|p| json!({
                    "file": p.file, "from": p.from, "old": p.old, "new": p.new,
                })).collect::<Vec<_>>(),
                "commit_message": repo.has_work().then(|| repo.commit_message()),
                "plan": repo.status.as_ref().map(|s| status::to_json(&s.packages, &s.plan, &s.changesets)),
                "resumed": repo.resumed.as_ref().map(|e| json!({
                    "commit": e.commit, "tagged": e.tagged, "pushed": e.pushed,
                })),
            })
        })
        .collect();
    json!({
        "shared_version": plan.shared.as_ref().map(ToString::to_string),
        "repos": repos,
    })
}

/// Every step of the release, each file diff and tag, as text; nothing is done.
fn dry_run(plan: &SetPlan, publish: bool) -> String {
    let mut out = String::new();
    for repo in plan.working() {
        out.push_str(&format!(
            "== level {}: {} {} ({})\n",
            repo.level,
            repo.name,
            version_text(repo),
            repo.root
        ));
        if let Some(entry) = &repo.resumed {
            if entry.pushed {
                out.push_str("already released by the unfinished run\n\n");
                continue;
            }
            out.push_str("already committed by the unfinished run\n");
        } else {
            out.push_str(&unified_diff(&repo.files));
            out.push_str(&format!("would commit: {}\n", repo.commit_message()));
        }
        for tag in &repo.tags {
            out.push_str(&format!("would tag: {tag}\n"));
        }
        out.push_str(&format!(
            "would push: {} and {} tags to origin (atomic)\n",
            repo.branch,
            repo.tags.len()
        ));
        if publish {
            out.push_str("would publish: `cargo relflow publish` in this repo\n");
        }
        out.push('\n');
    }
    out
}

/// One line per released repo: name, version, tags.
fn summary(plan: &SetPlan) -> String {
    let lines: Vec<String> = plan
        .working()
        .map(|repo| {
            format!(
                "{}\t{}\t{}",
                repo.name,
                version_text(repo),
                repo.tags.join(",")
            )
        })
        .collect();
    lines.join("\n")
}
