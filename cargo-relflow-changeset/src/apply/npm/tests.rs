//! The rules of section 5 of the Changesets reference one by one, then every case recorded from
//! Changesets itself by `cases.mjs`.

use camino::Utf8Path;
use cargo_relflow_sync::edit::RequirementChange;
use cargo_relflow_sync::{DepKind, Dependency, Ecosystem, Package, Publish, VersionSource};

use super::{new_range, requirement_changes, should_update};
use crate::plan::Release;
use crate::plan_config::UpdateInternalDependencies;
use crate::{Bump, PlanConfig};

fn release(old: &str, bump: Bump, new: &str) -> Release {
    Release {
        package: 0,
        bump,
        old_version: semver::Version::parse(old).unwrap(),
        new_version: semver::Version::parse(new).unwrap(),
        changesets: Vec::new(),
        reasons: Vec::new(),
        versioned: true,
    }
}

fn minor() -> Release {
    release("1.0.0", Bump::Minor, "1.1.0")
}

/// The new range of a normal dependency with the default config, `-` when it is kept.
#[track_caller]
fn check(range: &str, dependency: &Release, expected: &str) {
    check_with(
        range,
        DepKind::Normal,
        dependency,
        &PlanConfig::default(),
        false,
        expected,
    );
}

#[track_caller]
fn check_with(
    range: &str,
    kind: DepKind,
    dependency: &Release,
    config: &PlanConfig,
    snapshot: bool,
    expected: &str,
) {
    let got = new_range(range, kind, dependency, config, snapshot);
    assert_eq!(got.as_deref().unwrap_or("-"), expected, "range {range:?}");
}

#[test]
fn the_operator_is_kept_and_the_version_replaced() {
    let patch = release("1.0.0", Bump::Patch, "1.0.1");
    check("^1.0.0", &patch, "^1.0.1");
    check("~1.0.0", &patch, "~1.0.1");
    check(">=1.0.0", &patch, ">=1.0.1");
    check(">1.0.0", &patch, ">1.0.1");
    check("<=1.0.0", &patch, "<=1.0.1");
    check("1.0.0", &patch, "1.0.1");
    // Only these five operators are known: anything else becomes an exact version.
    check("=1.0.0", &patch, "1.0.1");
    check("v1.0.0", &patch, "1.0.1");
    check("<2.0.0", &patch, "1.0.1");
    check(" ^1.0.0", &patch, "1.0.1");
    check("^1.0.0 || ^2.0.0", &patch, "^1.0.1");
}

#[test]
fn two_sided_ranges_keep_their_upper_bound_while_it_holds() {
    check(">=1.0.0 <2.0.0", &minor(), ">=1.1.0 <2.0.0");
    check("<2.0.0 >=1.0.0", &minor(), "<2.0.0 >=1.1.0");
    check(">1.0.0 <=2.0.0", &minor(), ">=1.1.0 <=2.0.0");
    check(">=1 <2", &minor(), ">=1.1.0 <2.0.0-0");
    // Left behind: the upper bound becomes the next version of the same bump.
    check(">=1.0.0 <1.0.5", &minor(), ">=1.1.0 <1.2.0");
    check(
        ">=1.0.0 <2.0.0",
        &release("1.0.0", Bump::Major, "2.0.0"),
        ">=2.0.0 <3.0.0",
    );
    // Other ranges keep only their operator: `1.x` and hyphen ranges become exact.
    check("1.x", &release("1.0.0", Bump::Patch, "1.0.1"), "1.0.1");
    check(
        "1.0.0 - 2.0.0",
        &release("1.0.0", Bump::Patch, "1.0.1"),
        "1.0.1",
    );
}

#[test]
fn any_version_ranges_change_only_for_a_prerelease_and_empty_never() {
    let pre = release("1.0.0", Bump::Minor, "1.1.0-next.0");
    for range in ["*", "x", "*||1.0.0"] {
        check(range, &minor(), "-");
        check(range, &pre, "1.1.0-next.0");
    }
    check(">=0.0.0", &minor(), "-");
    check(">=0.0.0", &pre, ">=1.1.0-next.0");
    check("", &minor(), "-");
    check("", &pre, "-");
}

#[test]
fn snapshots_pin_the_exact_version() {
    let snapshot = release("1.0.0", Bump::Minor, "0.0.0-canary-20211213000730");
    let config = PlanConfig::default();
    for range in ["^1.0.0", ">=1.0.0 <2.0.0", "*", "1.x"] {
        check_with(
            range,
            DepKind::Normal,
            &snapshot,
            &config,
            true,
            "0.0.0-canary-20211213000730",
        );
    }
    check_with(
        "workspace:^1.0.0",
        DepKind::Dev,
        &snapshot,
        &config,
        true,
        "workspace:0.0.0-canary-20211213000730",
    );
    check_with(
        "workspace:^",
        DepKind::Normal,
        &snapshot,
        &config,
        true,
        "-",
    );
}

#[test]
fn peer_ranges_follow_only_update_peer_dependents_when_out_of_range() {
    let patch = release("1.0.0", Bump::Patch, "1.0.1");
    let mut config = PlanConfig {
        update_internal_dependencies: UpdateInternalDependencies::Minor,
        ..PlanConfig::default()
    };
    // The peer setting overrides updateInternalDependencies: a patch still rewrites peers.
    check_with("^1.0.0", DepKind::Peer, &patch, &config, false, "^1.0.1");
    check_with("^1.0.0", DepKind::Normal, &patch, &config, false, "-");
    config.only_update_peer_dependents_when_out_of_range = true;
    check_with("^1.0.0", DepKind::Peer, &minor(), &config, false, "-");
    let major = release("1.0.0", Bump::Major, "2.0.0");
    check_with("^1.0.0", DepKind::Peer, &major, &config, false, "^2.0.0");
}

#[test]
fn update_internal_dependencies_minor_keeps_ranges_that_a_patch_still_satisfies() {
    let config = PlanConfig {
        update_internal_dependencies: UpdateInternalDependencies::Minor,
        ..PlanConfig::default()
    };
    let patch = release("1.0.0", Bump::Patch, "1.0.1");
    check_with("^1.0.0", DepKind::Normal, &patch, &config, false, "-");
    check_with(
        "^1.0.0",
        DepKind::Optional,
        &minor(),
        &config,
        false,
        "^1.1.0",
    );
    // Out of range is rewritten whatever the bump.
    check_with("1.0.0", DepKind::Dev, &patch, &config, false, "1.0.1");
    let zero = release("0.1.0", Bump::Patch, "0.1.1");
    check_with("~0.1.0", DepKind::Normal, &zero, &config, false, "-");
}

#[test]
fn file_link_tags_and_aliases_are_left_alone() {
    let major = release("1.0.0", Bump::Major, "2.0.0");
    for range in ["file:../dep", "link:../dep", "latest", "npm:dep@^1.0.0"] {
        check(range, &major, "-");
    }
}

#[test]
fn workspace_protocol() {
    check("workspace:^1.0.0", &minor(), "workspace:^1.1.0");
    check("workspace:1.0.0", &minor(), "workspace:1.1.0");
    check(
        "workspace:>=1.0.0 <2.0.0",
        &minor(),
        "workspace:>=1.1.0 <2.0.0",
    );
    for alias in [
        "workspace:*",
        "workspace:^",
        "workspace:~",
        "workspace:packages/dep",
    ] {
        check(alias, &release("1.0.0", Bump::Major, "2.0.0"), "-");
    }
}

#[test]
fn bump_versions_with_workspace_protocol_only_skips_plain_ranges() {
    let config = PlanConfig {
        bump_versions_with_workspace_protocol_only: true,
        ..PlanConfig::default()
    };
    let major = release("1.0.0", Bump::Major, "2.0.0");
    check_with("^1.0.0", DepKind::Normal, &major, &config, false, "-");
    check_with(
        "workspace:^1.0.0",
        DepKind::Normal,
        &major,
        &config,
        false,
        "workspace:^2.0.0",
    );
}

#[test]
fn none_and_unversioned_releases_change_nothing() {
    check("1.0.0", &release("1.0.0", Bump::None, "1.0.0"), "-");
    let mut unversioned = release("0.0.0", Bump::None, "0.0.0");
    unversioned.versioned = false;
    check("workspace:*", &unversioned, "-");
    assert!(!should_update(
        "workspace:*",
        DepKind::Normal,
        &unversioned,
        Utf8Path::new("packages/dep"),
        &PlanConfig::default()
    ));
}

#[test]
fn should_update_counts_workspace_aliases_for_the_changelog() {
    let config = PlanConfig::default();
    let dir = Utf8Path::new("packages/dep");
    let none = release("1.0.0", Bump::None, "1.0.0");
    let update = |range: &str, dependency: &Release| {
        should_update(range, DepKind::Normal, dependency, dir, &config)
    };
    assert!(update("workspace:*", &none));
    assert!(update("workspace:packages/dep", &none));
    assert!(update("workspace:./packages//dep", &none));
    assert!(!update("workspace:../dep", &none));
    assert!(!update("workspace:^", &none));
    assert!(update("workspace:^", &minor()));
    assert!(update(
        "workspace:~",
        &release("1.0.0", Bump::Minor, "1.1.0")
    ));
    assert!(!update("^1.0.0", &none));
    assert!(update("latest", &none));
}

#[test]
fn requirement_changes_name_npm_releases_only() {
    let package = |ecosystem: Ecosystem, name: &str| Package {
        ecosystem,
        name: name.to_owned(),
        version: Some(semver::Version::new(1, 0, 0)),
        version_text: Some("1.0.0".to_owned()),
        version_source: VersionSource::Manifest,
        dir: format!("packages/{name}").into(),
        manifest: format!("packages/{name}/package.json").into(),
        publish: Publish::Default,
        deps: Vec::new(),
    };
    let packages = [
        package(Ecosystem::Cargo, "core"),
        package(Ecosystem::Npm, "core"),
        package(Ecosystem::Npm, "ui"),
    ];
    let mut cargo_core = release("1.0.0", Bump::Major, "2.0.0");
    cargo_core.package = 0;
    let mut npm_core = minor();
    npm_core.package = 1;
    let dep = |name: &str, kind: DepKind, requirement: &str| Dependency {
        name: name.to_owned(),
        kind,
        requirement: requirement.to_owned(),
        target: None,
        rename: None,
    };
    let deps = [
        dep("core", DepKind::Normal, "^1.0.0"),
        dep("core", DepKind::Peer, "^1.0.0"),
        dep("core", DepKind::Dev, "workspace:*"),
        dep("ui", DepKind::Normal, "^1.0.0"),
    ];
    let changes = requirement_changes(
        &deps,
        &[cargo_core, npm_core],
        &packages,
        &PlanConfig::default(),
        false,
    );
    let change = |kind: DepKind, requirement: &str| RequirementChange {
        dependency: "core".to_owned(),
        kind,
        target: None,
        rename: None,
        requirement: requirement.to_owned(),
    };
    assert_eq!(
        changes,
        [
            change(DepKind::Normal, "^1.1.0"),
            change(DepKind::Peer, "^1.1.0")
        ]
    );
}

#[test]
fn the_root_package_json_gets_new_ranges_and_keeps_its_version() {
    use cargo_relflow_sync::edit::npm::PackageJsonMut;
    use cargo_relflow_sync::edit::ManifestChange;

    let text = "{\n  \"name\": \"root\",\n  \"version\": \"1.0.0\",\n  \"devDependencies\": {\n    \"dep\": \"^1.0.0\",\n    \"prettier\": \"^3.0.0\"\n  }\n}\n";
    let mut root = PackageJsonMut::parse(text, "package.json").unwrap();
    let package = Package {
        ecosystem: Ecosystem::Npm,
        name: "dep".to_owned(),
        version: Some(semver::Version::new(1, 0, 0)),
        version_text: Some("1.0.0".to_owned()),
        version_source: VersionSource::Manifest,
        dir: "packages/dep".into(),
        manifest: "packages/dep/package.json".into(),
        publish: Publish::Default,
        deps: Vec::new(),
    };
    let requirements = requirement_changes(
        &root.dependencies(),
        &[minor()],
        &[package],
        &PlanConfig::default(),
        false,
    );
    root.apply(&ManifestChange {
        version: None,
        requirements,
    })
    .unwrap();
    assert_eq!(root.finish(), text.replace("^1.0.0", "^1.1.0"));
}

/// Every scenario `cases.mjs` recorded from `@changesets/apply-release-plan` 8.1: the ranges it
/// rewrote (and, by omission, those it kept) for each dependency kind.
#[test]
fn matches_changesets_apply_release_plan() {
    const RANGES: &[&str] = &[
        "^1.0.0",
        "~1.0.0",
        "1.0.0",
        "=1.0.0",
        "v1.0.0",
        " ^1.0.0",
        ">=1.0.0",
        ">1.0.0",
        "<=1.0.0",
        "<2.0.0",
        ">=1.0.0 <2.0.0",
        "<2.0.0 >=1.0.0",
        ">=1.0.0 <1.0.5",
        ">1.0.0 <=2.0.0",
        ">=1 <2",
        "1.x",
        "1",
        "*",
        "x",
        "",
        ">=0.0.0",
        "*||1.0.0",
        "^1.0.0 || ^2.0.0",
        "1.0.0 - 2.0.0",
        "^0.1.0",
        "~0.1.0",
        "0.1.0",
        "^1.0.0-next.0",
        "^1.1.0-next.0",
        "latest",
        "file:../dep",
        "link:../dep",
        "npm:dep@^1.0.0",
        "workspace:*",
        "workspace:^",
        "workspace:~",
        "workspace:^1.0.0",
        "workspace:~1.0.0",
        "workspace:1.0.0",
        "workspace:*||1.0.0",
        "workspace:>=1.0.0 <2.0.0",
        "workspace:packages/dep",
        "workspace:../dep",
        "workspace:x",
    ];
    let mut failures = Vec::new();
    let mut n_cases = 0;
    for line in include_str!("cases.jsonl").lines() {
        let case: serde_json::Value = serde_json::from_str(line).unwrap();
        let text = |key: &str| case[key].as_str().unwrap().to_owned();
        let bump: Bump = text("bump").parse().unwrap();
        let dependency = release(&text("old"), bump, &text("new"));
        let snapshot = case["snapshot"].as_bool().unwrap();
        let settings = &case["settings"];
        let config = PlanConfig {
            update_internal_dependencies: match settings["updateInternalDependencies"].as_str() {
                Some("minor") => UpdateInternalDependencies::Minor,
                _ => UpdateInternalDependencies::Patch,
            },
            only_update_peer_dependents_when_out_of_range: settings
                ["onlyUpdatePeerDependentsWhenOutOfRange"]
                .as_bool()
                .unwrap_or(false),
            bump_versions_with_workspace_protocol_only: settings
                ["bumpVersionsWithWorkspaceProtocolOnly"]
                .as_bool()
                .unwrap_or(false),
            ..PlanConfig::default()
        };
        let rewritten = case["rewritten"].as_array().unwrap();
        for range in RANGES {
            let recorded = rewritten.iter().find(|r| r[0] == *range);
            let expected = |column: usize| recorded.and_then(|r| r[column].as_str());
            for kind in [
                DepKind::Normal,
                DepKind::Dev,
                DepKind::Optional,
                DepKind::Peer,
            ] {
                n_cases += 1;
                let want = expected(if kind == DepKind::Peer { 2 } else { 1 });
                let got = new_range(range, kind, &dependency, &config, snapshot)
                    .filter(|new| new != range);
                if got.as_deref() != want {
                    failures.push(format!(
                        "{} {bump} -> {} {settings} snapshot={snapshot}: {kind} {range:?}: \
                         changesets {want:?}, relflow {got:?}",
                        dependency.old_version, dependency.new_version
                    ));
                }
            }
        }
    }
    assert!(n_cases > 8000, "only {n_cases} cases");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
