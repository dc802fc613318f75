//! The entry of one release: `getChangelogEntry` of `@changesets/apply-release-plan` with the
//! release and dependency lines of `@changesets/changelog-git`.

use std::collections::HashMap;

use cargo_relflow_sync::{Ecosystem, Package};

use super::dependency;
use super::github::GithubLines;
use crate::name_index::NameIndex;
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
    entries_with(packages, plan, changesets, commits, config, Generator::Git)
}

/// Which changelog generator writes the release and dependency lines.
#[derive(Debug, Clone, Copy)]
pub enum Generator<'a> {
    /// `@changesets/cli/changelog` (`@changesets/changelog-git`), Changesets' default.
    Git,
    /// `@changesets/changelog-github`, with GitHub's answers.
    GitHub(&'a GithubLines),
}

/// [`entries`] with the lines of `generator`.
pub fn entries_with(
    packages: &[Package],
    plan: &ReleasePlan,
    changesets: &[Changeset],
    commits: &HashMap<String, String>,
    config: &PlanConfig,
    generator: Generator<'_>,
) -> Vec<(usize, String)> {
    let by_id: HashMap<&str, &Changeset> = changesets.iter().map(|c| (c.id.as_str(), c)).collect();
    let used: Vec<&Changeset> = plan
        .changesets
        .iter()
        .filter_map(|id| by_id.get(id.as_str()).copied())
        .collect();
    // Each name is resolved once: for each package, the changesets naming it with the bump of
    // the first release that does (Changesets takes the first), in plan order.
    let index = NameIndex::new(packages);
    let mut own: Vec<Vec<(usize, Bump)>> = vec![Vec::new(); packages.len()];
    for (position, changeset) in used.iter().enumerate() {
        for release in &changeset.releases {
            if let Ok(package) = index.resolve(&release.name) {
                if own[package].last().map(|(p, _)| *p) != Some(position) {
                    own[package].push((position, release.bump));
                }
            }
        }
    }
    let mut releases_named: HashMap<(Ecosystem, &str), Vec<usize>> = HashMap::new();
    for (position, release) in plan.releases.iter().enumerate() {
        let package = &packages[release.package];
        releases_named
            .entry((package.ecosystem, package.name.as_str()))
            .or_default()
            .push(position);
    }
    let position_of: HashMap<&str, usize> = used
        .iter()
        .enumerate()
        .map(|(position, changeset)| (changeset.id.as_str(), position))
        .collect();
    let context = Context {
        packages,
        plan,
        used: &used,
        own: &own,
        releases_named: &releases_named,
        position_of: &position_of,
        commits,
        config,
        generator,
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
    /// For each package, `(position in used, bump)` of the changesets that name it.
    own: &'a [Vec<(usize, Bump)>],
    /// The positions in `plan.releases` of the releases of each package name, per ecosystem.
    releases_named: &'a HashMap<(Ecosystem, &'a str), Vec<usize>>,
    /// The position in `used` of each changeset id.
    position_of: &'a HashMap<&'a str, usize>,
    commits: &'a HashMap<String, String>,
    config: &'a PlanConfig,
    generator: Generator<'a>,
}

impl Context<'_> {
    /// `getChangelogEntry` for a release whose bump is not `none`.
    fn entry(&self, release: &Release) -> String {
        let mut major = Vec::new();
        let mut minor = Vec::new();
        let mut patch = Vec::new();
        for &(position, bump) in &self.own[release.package] {
            let line = || self.release_line(self.used[position]);
            match bump {
                Bump::Major => major.push(line()),
                Bump::Minor => minor.push(line()),
                Bump::Patch => patch.push(line()),
                Bump::None => {}
            }
        }
        let dependent = &self.packages[release.package];
        // Only releases of packages it names can be listed; in plan order.
        let mut candidates: Vec<usize> = dependent
            .deps
            .iter()
            .filter_map(|dep| {
                self.releases_named
                    .get(&(dependent.ecosystem, dep.name.as_str()))
            })
            .flatten()
            .copied()
            .collect();
        candidates.sort_unstable();
        candidates.dedup();
        let updated: Vec<&Release> = candidates
            .into_iter()
            .map(|position| &self.plan.releases[position])
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

    /// The full hash of the commit that added the changeset's file, if any.
    fn full_commit(&self, changeset: &Changeset) -> Option<&str> {
        self.commits
            .get(&changeset.id)
            .map(String::as_str)
            .filter(|sha| !sha.is_empty())
    }

    /// The generator's `getReleaseLine`.
    fn release_line(&self, changeset: &Changeset) -> String {
        if let Generator::GitHub(github) = self.generator {
            return github.release_line(&changeset.summary, self.full_commit(changeset));
        }
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
        let mut positions: Vec<usize> = updated
            .iter()
            .flat_map(|r| &r.changesets)
            .filter_map(|id| self.position_of.get(id.as_str()).copied())
            .collect();
        positions.sort_unstable();
        positions.dedup();
        if let Generator::GitHub(github) = self.generator {
            let commits: Vec<Option<&str>> = positions
                .iter()
                .map(|&position| self.full_commit(self.used[position]))
                .collect();
            let versions: Vec<String> = updated
                .iter()
                .map(|r| {
                    let package = &self.packages[r.package];
                    format!(
                        "{}@{}",
                        package.name,
                        version_text(package.ecosystem, &r.new_version)
                    )
                })
                .collect();
            return github.dependency_line(&commits, &versions);
        }
        let links = positions
            .into_iter()
            .map(|position| self.used[position])
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

/// `generateMarkdownForVersionType`: `### <Kind> Changes`, then the non-empty lines, trimmed;
/// `None` without lines. Before each line go as many newlines (one or two) as the previous line
/// ended with plus this one starts with (two after the heading): the default generator's lines
/// have none (one newline between them), changelog-github's start with two (a blank line).
fn section(kind: &str, lines: &[String]) -> Option<String> {
    let lines: Vec<&String> = lines.iter().filter(|line| !line.is_empty()).collect();
    if lines.is_empty() {
        return None;
    }
    let mut content = format!("### {kind} Changes");
    let mut newlines = 2;
    for line in lines {
        newlines += line.len() - line.trim_start_matches('\n').len();
        content.push_str(&"\n".repeat(newlines.clamp(1, 2)));
        content.push_str(js_trim(line));
        newlines = line.len() - line.trim_end_matches('\n').len();
    }
    Some(content)
}

/// A version as the package's manifest writes it.
fn version_text(ecosystem: Ecosystem, version: &semver::Version) -> String {
    match ecosystem {
        Ecosystem::Python => cargo_relflow_sync::pep440::semver_to_pep440(version),
        _ => version.to_string(),
    }
}
