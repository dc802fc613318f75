//! Cargo and Python requirement semantics, and groups across ecosystems.

use super::check;

/// `cargo:app` depends on `cargo:core` with `requirement`; `core` gets `bump`.
fn cargo_dependent(version: &str, kind: &str, requirement: &str, bump: &str) -> String {
    super::run(&format!(
        "
        pkg cargo:core {version}
        pkg cargo:app 1.0.0
        dep cargo:app core {kind} {requirement}
        cs one cargo:core:{bump}
        "
    ))
}

#[test]
fn cargo_requirements_cascade_with_cargo_rules() {
    let bumped = "cargo:app patch 1.0.0 -> 1.0.1 []";
    let cases = [
        // (core version, requirement, bump, app bumped?)
        ("1.2.0", "1.2", "patch", false),
        ("1.2.0", "1.2", "minor", false),
        ("1.2.0", "1.2", "major", true),
        ("0.3.1", "0.3", "patch", false),
        ("0.3.1", "0.3", "minor", true),
        ("0.0.3", "0.0.3", "patch", true),
        ("1.2.3", "=1.2.3", "patch", true),
        ("1.2.3", "~1.2", "patch", false),
        ("1.2.3", "~1.2", "minor", true),
        ("1.2.3", ">=1.0, <2", "minor", false),
        ("1.2.3", "*", "major", false),
    ];
    for (version, requirement, bump, want) in cases {
        let plan = cargo_dependent(version, "normal", requirement, bump);
        assert_eq!(
            plan.contains(bumped),
            want,
            "{version} {requirement} {bump}:\n{plan}"
        );
    }
}

#[test]
fn cargo_path_only_and_dev_dependencies() {
    // A path-only normal or build dependency has no requirement: it never cascades.
    for kind in ["normal", "build"] {
        assert_eq!(
            cargo_dependent("1.0.0", kind, "", "major"),
            "cargo:core major 1.0.0 -> 2.0.0 [one]"
        );
    }
    // A dev-dependency without a version never cascades, not even as `none`.
    assert_eq!(
        cargo_dependent("1.0.0", "dev", "", "major"),
        "cargo:core major 1.0.0 -> 2.0.0 [one]"
    );
    // A versioned dev-dependency left behind is rewritten (`none`), never bumped.
    assert_eq!(
        cargo_dependent("1.0.0", "dev", "1.0", "major"),
        "cargo:core major 1.0.0 -> 2.0.0 [one]\ncargo:app none 1.0.0 -> 1.0.0 []"
    );
    // A requirement the current version does not meet is no edge.
    assert_eq!(
        cargo_dependent("2.0.0", "normal", "1.0", "major"),
        "cargo:core major 2.0.0 -> 3.0.0 [one]"
    );
}

fn python_dependent(version: &str, requirement: &str, bump: &str) -> String {
    super::run(&format!(
        "
        pkg python:acme {version}
        pkg python:tool 1.0.0
        dep python:tool acme normal {requirement}
        cs one python:acme:{bump}
        "
    ))
}

#[test]
fn python_specifiers_cascade_with_pep440_rules() {
    let bumped = "python:tool patch 1.0.0 -> 1.0.1 []";
    let cases = [
        ("1.2.0", ">=1.2,<2", "minor", false),
        ("1.2.0", ">=1.2,<2", "major", true),
        ("1.2.0", "~=1.2", "minor", false),
        ("1.2.0", "~=1.2", "major", true),
        ("1.2.0", "~=1.2.0", "minor", true),
        ("1.2.0", "==1.2.*", "patch", false),
        ("1.2.0", "==1.2.*", "minor", true),
        ("1.2.0", "==1.2.0", "patch", true),
        ("1.2.0", "", "major", false),
    ];
    for (version, requirement, bump, want) in cases {
        let plan = python_dependent(version, requirement, bump);
        assert_eq!(
            plan.contains(bumped),
            want,
            "{version} {requirement:?} {bump}:\n{plan}"
        );
    }
}

#[test]
fn python_pre_releases_leave_specifiers() {
    check(
        "
        pkg python:acme 1.2.0
        pkg python:tool 1.0.0
        dep python:tool acme normal >=1.2,<2
        cs one python:acme:patch
        pre pre beta
        ",
        "
        python:acme patch 1.2.0 -> 1.2.1-beta.0 [one]
        python:tool patch 1.0.0 -> 1.0.1-beta.0 []
        ",
    );
}

const POLY: &str = "
    pkg cargo:core 1.4.0
    pkg npm:core 1.2.0
    pkg python:core 1.3.0
    pkg cargo:cli 0.9.0
    pkg web 2.0.0
    dep cargo:cli core normal 1.4
    dep web core peer ^1.2.0
";

#[test]
fn fixed_group_spans_ecosystems() {
    check(
        &format!(
            "{POLY}
            fixed cargo:core npm:core python:core
            cs one python:core:minor
            show reasons
            "
        ),
        "
        python:core minor 1.4.0 -> 1.5.0 [one] {changeset one, fixed}
        cargo:core minor 1.4.0 -> 1.5.0 [] {fixed}
        npm:core minor 1.4.0 -> 1.5.0 [] {fixed}
        ",
    );
    // A major release leaves both dependents' ranges, each by its own rules.
    check(
        &format!(
            "{POLY}
            fixed cargo:core npm:core python:core
            cs one cargo:core:major
            "
        ),
        "
        cargo:core major 1.4.0 -> 2.0.0 [one]
        cargo:cli patch 0.9.0 -> 0.9.1 []
        npm:core major 1.4.0 -> 2.0.0 []
        python:core major 1.4.0 -> 2.0.0 []
        web patch 2.0.0 -> 2.0.1 []
        ",
    );
}

#[test]
fn plain_glob_matches_every_ecosystem_and_ambiguous_names_fail() {
    check(
        &format!(
            "{POLY}
            linked core
            "
        ),
        "
        error: package name `core` is ambiguous (in config entry `core`)
        hint: write one of `cargo:core`, `npm:core`, `python:core` instead
        ",
    );
    // In a changeset a plain name shared with npm means the npm package (Changesets wrote it).
    let plan = super::run(&format!(
        "{POLY}
        cs one core:patch
        "
    ));
    assert!(
        plan.starts_with("npm:core patch 1.2.0 -> 1.2.1 [one]"),
        "{plan}"
    );
    assert!(!plan.contains("cargo:core patch"), "{plan}");
    // Shared by other ecosystems only, it is ambiguous.
    check(
        "
        pkg cargo:tool 1.0.0
        pkg python:tool 1.0.0
        cs one tool:patch
        ",
        "
        error: package name `tool` is ambiguous
          --> .changeset/one.md:2
        hint: write one of `cargo:tool`, `python:tool` instead
        ",
    );
}

#[test]
fn linked_across_ecosystems() {
    check(
        &format!(
            "{POLY}
            linked cargo:core web python:core
            cs one web:patch
            cs two python:core:minor
            show reasons
            "
        ),
        "
        web minor 2.0.0 -> 2.1.0 [one] {changeset one, linked}
        python:core minor 2.0.0 -> 2.1.0 [two] {changeset two, linked}
        ",
    );
}

#[test]
fn pre_mode_and_snapshot_across_ecosystems() {
    check(
        &format!(
            "{POLY}
            fixed cargo:core npm:core
            cs one cargo:core:patch
            pre pre rc
            "
        ),
        "
        cargo:core patch 1.4.0 -> 1.4.1-rc.0 [one]
        cargo:cli patch 0.9.0 -> 0.9.1-rc.0 []
        npm:core patch 1.4.0 -> 1.4.1-rc.0 []
        web patch 2.0.0 -> 2.0.1-rc.0 []
        ",
    );
    check(
        &format!(
            "{POLY}
            cs one cargo:core:minor
            snapshot now=1639354050879 tag=dev
            "
        ),
        "cargo:core minor 1.4.0 -> 0.0.0-dev-20211213000730 [one]",
    );
}
