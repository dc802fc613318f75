//! The entry of one release: `getChangelogEntry` of `@changesets/apply-release-plan` with the
//! release and dependency lines of `@changesets/changelog-git`.

use std::collections::HashMap;

use cargo_relflow_sync::{names, Ecosystem, Package};

use super::dependency;
use crate::parse::{is_js_space, js_trim};
use crate::plan::{Release, ReleasePlan};
use crate::{Bump, Changeset, PlanConfig};

/// The CHANGELOG.md entry of every release of `plan` whose bump is not `none`, in plan order:
/// `(index of the package in packages, entry)`.
///
/// `changesets` are the changesets read (the plan's are looked up by id, so the ones it dropped
/// do not matter); `commits` maps a changeset id to the commit that added its file (see
/// `cargo_relflow::history`): a changeset without one gets no `<sha7>: ` prefix, as in
/// Changesets. `config` decides which dependency updates are listed, as it decides which
/// requirements `version` rewrites. The entry has no trailing newline; [`super::insert`] adds it.
///
/// Versions are written as the package's manifest writes them: PEP 440 for Python packages.
pub fn entries(
    packages: &[Package],
    plan: &ReleasePlan,
    changesets: &[Changeset],
    commits: &HashMap<String, String>,
    config: &PlanConfig,
) -> Vec<(usize, String)> {
    let by_id: HashMap<&str, &Changeset> = changesets.iter().map(|c| (c.id.as_str(), c)).collect();
    let used: Vec<&Changeset> = plan
        .changesets
        .iter()
        .filter_map(|id| by_id.get(id.as_str()).copied())
        .collect();
    let context = Context {
        packages,
        plan,
        used: &used,
        commits,
        config,
    };
    plan.releases
        .iter()
        .filter(|release| release.bump != Bump::None)
        .map(|release| (release.package, context.entry(release)))
        .collect()
}

/// What every entry reads.
struct Context<'a> {
    packages: &'a [Package],
    plan: &'a ReleasePlan,
    /// The plan's changesets, in plan order.
    used: &'a [&'a Changeset],
    commits: &'a HashMap<String, String>,
    config: &'a PlanConfig,
}

impl Context<'_> {
    /// `getChangelogEntry` for a release whose bump is not `none`.
    fn entry(&self, release: &Release) -> String {
        let mut major = Vec::new();
        let mut minor = Vec::new();
        let mut patch = Vec::new();
        for changeset in self.used {
            // Changesets takes the first release that names the package.
            let own = changeset.releases.iter().find(|r| {
                names::resolve_in_changeset(self.packages, &r.name).ok() == Some(release.package)
            });
            let line = || self.release_line(changeset);
            match own.map(|r| r.bump) {
                Some(Bump::Major) => major.push(line()),
                Some(Bump::Minor) => minor.push(line()),
                Some(Bump::Patch) => patch.push(line()),
                Some(Bump::None) | None => {}
            }
        }
        let dependent = &self.packages[release.package];
        let updated: Vec<&Release> = self
            .plan
            .releases
            .iter()
            .filter(|dependency| {
                dependency::is_listed(self.packages, dependent, dependency, self.config)
            })
            .collect();
        patch.push(self.dependency_line(&updated));

        let mut rendered = vec![format!(
            "## {}",
            version_text(dependent.ecosystem, &release.new_version)
        )];
        rendered.extend(
            [("Major", major), ("Minor", minor), ("Patch", patch)]
                .into_iter()
                .filter_map(|(kind, lines)| section(kind, &lines)),
        );
        if rendered.len() == 1 {
            rendered.push("No changes in this release.".to_owned());
        }
        rendered.join("\n\n")
    }

    /// The commit that added the changeset's file, if any (an empty sha counts as none, as in
    /// JavaScript).
    fn commit(&self, changeset: &Changeset) -> Option<String> {
        self.commits
            .get(&changeset.id)
            .filter(|sha| !sha.is_empty())
            .map(|sha| sha.chars().take(7).collect())
    }

    /// changelog-git's `getReleaseLine`.
    fn release_line(&self, changeset: &Changeset) -> String {
        let mut lines = changeset
            .summary
            .split('\n')
            .map(|line| line.trim_end_matches(is_js_space));
        let first = lines.next().unwrap_or_default();
        let prefix = self
            .commit(changeset)
            .map(|sha| format!("{sha}: "))
            .unwrap_or_default();
        let mut line = format!("- {prefix}{first}");
        for rest in lines {
            line.push_str("\n  ");
            line.push_str(rest);
        }
        line
    }

    /// changelog-git's `getDependencyReleaseLine`: one `- Updated dependencies [<sha7>]` per
    /// changeset of the updated dependencies, then their new versions; empty without updates.
    fn dependency_line(&self, updated: &[&Release]) -> String {
        if updated.is_empty() {
            return String::new();
        }
        let links = self
            .used
            .iter()
            .filter(|changeset| updated.iter().any(|r| r.changesets.contains(&changeset.id)))
            .map(|changeset| match self.commit(changeset) {
                Some(sha) => format!("- Updated dependencies [{sha}]"),
                None => "- Updated dependencies".to_owned(),
            });
        let versions = updated.iter().map(|r| {
            let package = &self.packages[r.package];
            format!(
                "  - {}@{}",
                package.name,
                version_text(package.ecosystem, &r.new_version)
            )
        });
        links.chain(versions).collect::<Vec<_>>().join("\n")
    }
}

/// `generateMarkdownForVersionType`: `### <Kind> Changes`, a blank line, then the non-empty lines,
/// trimmed; `None` without lines.
///
/// Changesets separates two lines by two newlines where the first ends or the second starts with
/// one; the default generator's lines never do (summaries are trimmed, the dependency line ends
/// with a version), so one newline always separates them.
fn section(kind: &str, lines: &[String]) -> Option<String> {
    let lines: Vec<&str> = lines
        .iter()
        .filter(|line| !line.is_empty())
        .map(|line| js_trim(line))
        .collect();
    if lines.is_empty() {
        return None;
    }
    Some(format!("### {kind} Changes\n\n{}", lines.join("\n")))
}

/// A version as the package's manifest writes it.
fn version_text(ecosystem: Ecosystem, version: &semver::Version) -> String {
    match ecosystem {
        Ecosystem::Python => cargo_relflow_sync::pep440::semver_to_pep440(version),
        _ => version.to_string(),
    }
}
