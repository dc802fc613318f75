//! Data-driven plan tests: a small fixture text in, the rendered plan out.
//!
//! Fixture lines (`#` starts a comment):
//!
//! ```text
//! pkg <[eco:]name> <version|-> [private] [dir=<dir>]      npm unless qualified
//! dep <[eco:]dependent> <name> <normal|dev|build|peer|optional> [<requirement>]
//! cs <id> [<[eco:]name>:<bump> ...]
//! fixed|linked|ignore <pattern> ...                         one group per line
//! set always|ws-only|private-version|private-tag|calculated|minor-deps
//! template <prereleaseTemplate>
//! pre <pre|exit> <tag> [<already versioned id> ...]
//! snapshot now=<millis> [tag=<tag>] [commit=<sha>]
//! show reasons
//! ```
//!
//! The plan renders as one line per release, `name bump old -> new [changesets]` (plus
//! `{reasons}` with `show reasons`), then `warning: ...` lines; an error renders as `error: ...`.

mod arp;
mod differential;
mod poly;
mod scenarios;

use std::collections::BTreeMap;

use cargo_relflow_sync::names::split_qualified;
use cargo_relflow_sync::{DepKind, Dependency, Ecosystem, Package, Publish, VersionSource};

use super::{plan, Reason, SnapshotRequest};
use crate::plan_config::UpdateInternalDependents;
use crate::{Bump, Changeset, ChangesetRelease, PlanConfig, PreMode, PreState};

/// The ARP fixture: pkg-a..pkg-d at 1.0.0 and `strange-words-combine` patching pkg-a.
pub(super) const ARP: &str = "
pkg pkg-a 1.0.0
pkg pkg-b 1.0.0
pkg pkg-c 1.0.0
pkg pkg-d 1.0.0
cs strange-words-combine pkg-a:patch
";

fn package(qualified: &str, version: &str, flags: &[&str]) -> Package {
    let (ecosystem, name) = split_qualified(qualified);
    let ecosystem = ecosystem.unwrap_or(Ecosystem::Npm);
    let dir = flags
        .iter()
        .find_map(|f| f.strip_prefix("dir="))
        .map_or_else(|| format!("packages/{name}"), str::to_owned);
    let version = (version != "-").then(|| semver::Version::parse(version).unwrap());
    Package {
        ecosystem,
        name: name.to_owned(),
        version_text: version.as_ref().map(ToString::to_string),
        version_source: if version.is_some() {
            VersionSource::Manifest
        } else {
            VersionSource::None
        },
        version,
        manifest: format!("{dir}/package.json").into(),
        dir: dir.into(),
        publish: if flags.contains(&"private") {
            Publish::No
        } else {
            Publish::Default
        },
        deps: Vec::new(),
    }
}

fn kind(word: &str) -> DepKind {
    match word {
        "normal" => DepKind::Normal,
        "dev" => DepKind::Dev,
        "build" => DepKind::Build,
        "peer" => DepKind::Peer,
        "optional" => DepKind::Optional,
        other => panic!("unknown kind {other}"),
    }
}

fn find(packages: &[Package], qualified: &str) -> usize {
    let (ecosystem, name) = split_qualified(qualified);
    let ecosystem = ecosystem.unwrap_or(Ecosystem::Npm);
    packages
        .iter()
        .position(|p| p.name == name && p.ecosystem == ecosystem)
        .unwrap_or_else(|| panic!("no package {qualified}"))
}

/// Runs the fixture and renders the plan (or the error).
pub(super) fn run(fixture: &str) -> String {
    let mut packages = Vec::new();
    let mut changesets = Vec::new();
    let mut config = PlanConfig::default();
    let mut pre = None;
    let mut snapshot = None;
    let mut show_reasons = false;
    for line in fixture.lines() {
        let line = line.split(" #").next().unwrap().trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let words: Vec<&str> = line.split_whitespace().collect();
        let rest: Vec<String> = words[1..].iter().map(|w| (*w).to_owned()).collect();
        match words[0] {
            "pkg" => packages.push(package(words[1], words[2], &words[3..])),
            "dep" => {
                let i = find(&packages, words[1]);
                packages[i].deps.push(Dependency {
                    name: words[2].to_owned(),
                    kind: kind(words[3]),
                    requirement: words[4..].join(" "),
                    target: None,
                    rename: None,
                });
            }
            "cs" => changesets.push(Changeset {
                id: words[1].to_owned(),
                releases: words[2..]
                    .iter()
                    .enumerate()
                    .map(|(n, w)| {
                        let (name, bump) = w.rsplit_once(':').unwrap();
                        ChangesetRelease {
                            name: name.to_owned(),
                            bump: bump.parse::<Bump>().unwrap(),
                            line: n + 2,
                        }
                    })
                    .collect(),
                summary: String::new(),
            }),
            "fixed" => config.fixed.push(rest),
            "linked" => config.linked.push(rest),
            "ignore" => config.ignore.extend(rest),
            "set" => match words[1] {
                "always" => config.update_internal_dependents = UpdateInternalDependents::Always,
                "ws-only" => config.bump_versions_with_workspace_protocol_only = true,
                "private-version" => config.private_packages.version = true,
                "private-tag" => config.private_packages.tag = true,
                "peer-out-of-range" => config.only_update_peer_dependents_when_out_of_range = true,
                "calculated" => config.snapshot.use_calculated_version = true,
                other => panic!("unknown setting {other}"),
            },
            "template" => config.snapshot.prerelease_template = Some(words[1..].join(" ")),
            "pre" => {
                pre = Some(PreState {
                    mode: if words[1] == "exit" {
                        PreMode::Exit
                    } else {
                        PreMode::Pre
                    },
                    tag: words[2].to_owned(),
                    initial_versions: BTreeMap::new(),
                    changesets: rest[2..].to_vec(),
                    raw: Default::default(),
                })
            }
            "snapshot" => {
                let mut request = SnapshotRequest::default();
                for word in &words[1..] {
                    let (key, value) = word.split_once('=').unwrap();
                    match key {
                        "now" => request.now_millis = value.parse().unwrap(),
                        "tag" => request.tag = Some(value.to_owned()),
                        "commit" => request.commit = Some(value.to_owned()),
                        other => panic!("unknown snapshot key {other}"),
                    }
                }
                snapshot = Some(request);
            }
            "show" => show_reasons = true,
            other => panic!("unknown fixture line {other}"),
        }
    }
    match plan(
        &packages,
        &changesets,
        &config,
        pre.as_ref(),
        snapshot.as_ref(),
    ) {
        Err(error) => format!("error: {error}"),
        Ok(result) => {
            let index = super::index::Index::new(&packages);
            let mut out: Vec<String> = result
                .releases
                .iter()
                .map(|r| {
                    let package = &packages[r.package];
                    let name = if package.ecosystem == Ecosystem::Npm {
                        super::groups::display_name(&index, r.package)
                    } else {
                        package.qualified_name()
                    };
                    let (old, new) = if r.versioned {
                        (r.old_version.to_string(), r.new_version.to_string())
                    } else {
                        ("-".to_owned(), "-".to_owned())
                    };
                    let mut line = format!(
                        "{name} {} {old} -> {new} [{}]",
                        r.bump,
                        r.changesets.join(",")
                    );
                    if show_reasons {
                        let reasons: Vec<String> = r.reasons.iter().map(render_reason).collect();
                        line.push_str(&format!(" {{{}}}", reasons.join(", ")));
                    }
                    line
                })
                .collect();
            out.extend(result.warnings.iter().map(|w| format!("warning: {w}")));
            out.join("\n")
        }
    }
}

fn render_reason(reason: &Reason) -> String {
    match reason {
        Reason::Changeset(id) => format!("changeset {id}"),
        Reason::Dependency { name, requirement } => format!("dependency {name} {requirement:?}"),
        Reason::FixedGroup => "fixed".to_owned(),
        Reason::LinkedGroup => "linked".to_owned(),
        Reason::PreExit => "pre exit".to_owned(),
    }
}

/// Asserts the rendered plan of `fixture`, comparing trimmed lines.
#[track_caller]
pub(super) fn check(fixture: &str, expected: &str) {
    let got: Vec<String> = run(fixture).lines().map(|l| l.trim().to_owned()).collect();
    let got = got.join("\n");
    let want: Vec<&str> = expected
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    let want = want.join("\n");
    assert_eq!(
        got, want,
        "\n--- fixture ---\n{fixture}\n--- got ---\n{got}\n"
    );
}

/// The ARP fixture plus `extra`.
pub(super) fn arp(extra: &str) -> String {
    format!("{ARP}{extra}")
}
