//! The release pull request's description: the plan's markdown table (`status --format
//! markdown`, without the packages that keep their version) and each released package's new
//! changelog section, within the size a forge takes.

use cargo_relflow_changeset::bump::Bump;
use cargo_relflow_changeset::changelog;
use cargo_relflow_changeset::plan::ReleasePlan;
use cargo_relflow_changeset::status;
use cargo_relflow_sync::names;

use crate::repo::Repo;
use crate::version::{changelog_path, VersionRun};

/// The longest description: GitHub refuses one above 65,536 characters (Gitea and GitLab take
/// more); this leaves room for the forge's own additions.
const MAX_BODY: usize = 60_000;

const INTRO: &str = "This pull request was opened by `cargo relflow release-pr`. Merging it \
                     releases the packages below; re-running `release-pr` updates it.\n\n";

/// The description for the plan of `repo` that `run` carries out.
pub(super) fn render(repo: &Repo, plan: &ReleasePlan, run: &VersionRun) -> String {
    let mut released = plan.clone();
    released
        .releases
        .retain(|release| release.bump != Bump::None);
    let unchanged = plan.releases.len() - released.releases.len();
    let table = status::to_markdown(repo.packages(), &released);
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
    compose(&table, unchanged, &sections, MAX_BODY)
}

/// The intro, the table, a line for the `unchanged` packages that the plan lists without a new
/// version (dependents whose ranges still match, ignored packages), and as many changelog
/// `sections` as fit in `max` characters; the ones left out are counted instead.
fn compose(table: &str, unchanged: usize, sections: &[String], max: usize) -> String {
    let mut body = format!("{INTRO}{table}");
    if unchanged > 0 {
        let (count, verb) = match unchanged {
            1 => ("1 other package".to_owned(), "keeps its version"),
            n => (format!("{n} other packages"), "keep their versions"),
        };
        body.push_str(&format!(
            "\n{count} in the plan {verb} (`cargo relflow changeset status` lists them).\n"
        ));
    }
    if sections.is_empty() {
        return body;
    }
    body.push_str("\n# Changelogs\n\n");
    // Room for the last line when sections are left out.
    let budget = max.saturating_sub(body.len() + 120);
    let mut used = 0;
    let mut shown = 0;
    for section in sections {
        let separator = usize::from(shown > 0);
        if used + separator + section.len() > budget {
            break;
        }
        if shown > 0 {
            body.push('\n');
        }
        body.push_str(section);
        used += separator + section.len();
        shown += 1;
    }
    let left = sections.len() - shown;
    if left > 0 {
        body.push_str(&format!(
            "\n… and {left} more changelog section{} in this pull request's diff (the description \
             has a size limit).\n",
            if left == 1 { "" } else { "s" }
        ));
    }
    body
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unchanged_packages_are_counted_and_sections_fit_the_limit() {
        let sections: Vec<String> = (0..3)
            .map(|i| format!("## p{i}@1.0.0\n\n{}\n", "x".repeat(100)))
            .collect();
        let table = "| Package |\n";
        let all = compose(table, 2, &sections, MAX_BODY);
        assert!(all.contains(
            "\n2 other packages in the plan keep their versions (`cargo relflow changeset status` lists them).\n"
        ));
        assert!(all.ends_with(&format!(
            "{}\n{}\n{}",
            sections[0], sections[1], sections[2]
        )));
        assert!(!all.contains("more changelog"));

        let one = compose(table, 1, &[], MAX_BODY);
        assert!(one.contains("1 other package in the plan keeps its version"));
        assert!(!one.contains("# Changelogs"));

        // Room for about two sections: the third is counted, and the limit holds.
        let max = INTRO.len() + table.len() + "\n# Changelogs\n\n".len() + 120 + 250;
        let cut = compose(table, 0, &sections, max);
        assert!(cut.len() <= max, "{} > {max}", cut.len());
        assert!(cut.contains("## p1@1.0.0") && !cut.contains("## p2@1.0.0"));
        assert!(cut.ends_with(
            "… and 1 more changelog section in this pull request's diff (the description has a size limit).\n"
        ));
    }
}
