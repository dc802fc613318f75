//! `cargo relflow release-pr`: open or update the release pull request; `--dry-run` prints the
//! branch, the commit message and the pull request's body instead.

use camino::Utf8Path;
use serde_json::json;

use crate::cli::{DataFormat, ReleasePrArgs};
use crate::error::{Failure, Outcome};
use crate::registry::Environment;
use crate::release_pr::{apply, plan, ReleasePrRequest};
use crate::repo::Repo;
use crate::ui::Ui;

/// What is said when there is nothing to release.
const NO_CHANGESETS: &str =
    "No unreleased changesets found: there is nothing to release, and no pull request was changed.";

/// Plans the release pull request and, unless `--dry-run`, pushes it and opens or updates it.
pub fn run(start: &Utf8Path, args: &ReleasePrArgs, ui: &Ui) -> Result<Outcome, Failure> {
    let repo = Repo::open(start)?;
    let env = Environment::from_process();
    let request = ReleasePrRequest {
        branch: args.branch.clone(),
        base: args.base.clone(),
        dry_run: args.dry_run,
        env: env.clone(),
    };
    let json = args.format == DataFormat::Json;
    let Some(planned) = plan(&repo, &request)? else {
        if json {
            ui.data(&pretty(
                &json!({"changesets": false, "pull_request": null}),
            )?);
        } else {
            ui.status("Nothing", NO_CHANGESETS);
        }
        return Ok(Outcome::Yes);
    };
    let p = planned.plan.clone();
    if args.dry_run {
        if json {
            ui.data(&pretty(&json!({
                "changesets": true,
                "branch": p.branch,
                "base": p.base,
                "commit_message": p.message,
                "body": p.body,
            }))?);
        } else {
            ui.data(&format!(
                "branch: {} (from {} at {})\ncommit message: {}\n\n--- pull request body\n{}",
                p.branch,
                p.base,
                &p.base_commit[..p.base_commit.len().min(12)],
                p.message,
                p.body
            ));
        }
        return Ok(Outcome::Yes);
    }
    let outcome = apply(planned, &env, ui)?;
    if json {
        ui.data(&pretty(&json!({
            "changesets": true,
            "branch": p.branch,
            "base": p.base,
            "commit": outcome.commit,
            "pushed": outcome.pushed,
            "pull_request": {"number": outcome.number, "url": outcome.url, "action": outcome.action},
        }))?);
    } else {
        let short = &outcome.commit[..outcome.commit.len().min(12)];
        if outcome.pushed {
            ui.status("Pushed", &format!("{} ({short}) to origin", p.branch));
        } else {
            ui.status(
                "Unchanged",
                &format!("{} ({short}) is on origin already", p.branch),
            );
        }
        let verb = match outcome.action {
            "created" => "Opened",
            "updated" => "Updated",
            _ => "Unchanged",
        };
        ui.status(
            verb,
            &format!("pull request #{} {}", outcome.number, outcome.url),
        );
    }
    Ok(Outcome::Yes)
}

fn pretty(value: &serde_json::Value) -> Result<String, Failure> {
    Ok(serde_json::to_string_pretty(value).map_err(anyhow::Error::from)?)
}
