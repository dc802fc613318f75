//! The release pull request's description: the plan's markdown table (`status --format
//! markdown`) and each released package's new changelog section.

use cargo_relflow_changeset::changelog;
use cargo_relflow_changeset::plan::ReleasePlan;
use cargo_relflow_changeset::status;
use cargo_relflow_sync::names;

use crate::repo::Repo;
use crate::version::{changelog_path, VersionRun};

/// The description for the plan of `repo` that `run` carries out.
pub(super) fn render(repo: &Repo, plan: &ReleasePlan, run: &VersionRun) -> String {
    let mut body = String::from(
        "This pull request was opened by `cargo relflow release-pr`. Merging it releases the \
         packages below; re-running `release-pr` updates it.\n\n",
    );
    body.push_str(&status::to_markdown(repo.packages(), plan));
    let mut sections = Vec::new();
    for release in &run.released {
        let Ok(at) = names::resolve(repo.packages(), &release.name) else {
            continue;
        };
        let path = changelog_path(repo, at);
        let staged = run
            .files
            .changes()
            .find(|change| change.path == path)
            .and_then(|change| change.new);
        let Some(text) = staged else {
            continue;
        };
        if let Some(section) = changelog::section(text, &release.new_version.to_string()) {
            sections.push(format!(
                "## {}@{}\n\n{section}\n",
                repo.packages()[at].name,
                release.new_version
            ));
        }
    }
    if !sections.is_empty() {
        body.push_str("\n# Changelogs\n\n");
        body.push_str(&sections.join("\n"));
    }
    body
}
