//! The plan parts of Changesets' CLI `version` tests (V) and config tests (C), reference §7.

use super::check;

/// V1: pkg-a depends on pkg-b at `1.0.0`; pre mode `next`, then exit.
#[test]
fn v1_pre_sequence() {
    check(
        "
        pkg pkg-a 1.0.0
        pkg pkg-b 1.0.0
        dep pkg-a pkg-b normal 1.0.0
        cs one pkg-b:patch
        pre pre next
        ",
        "
        pkg-b patch 1.0.0 -> 1.0.1-next.0 [one]
        pkg-a patch 1.0.0 -> 1.0.1-next.0 []
        ",
    );
    let second = "
        pkg pkg-a 1.0.1-next.0
        pkg pkg-b 1.0.1-next.0
        dep pkg-a pkg-b normal 1.0.1-next.0
        cs pre/one pkg-b:patch
    ";
    check(
        &format!("{second}\ncs two pkg-a:patch\npre pre next"),
        "pkg-a patch 1.0.1-next.0 -> 1.0.1-next.1 [two]",
    );
    let third = second.replace("pkg pkg-a 1.0.1-next.0", "pkg pkg-a 1.0.1-next.1");
    check(
        &format!("{third}\ncs pre/two pkg-a:patch\ncs three pkg-a:patch\npre pre next"),
        "pkg-a patch 1.0.1-next.1 -> 1.0.1-next.2 [three]",
    );
    let fourth = second.replace("pkg pkg-a 1.0.1-next.0", "pkg pkg-a 1.0.1-next.2");
    let consumed = "cs pre/two pkg-a:patch\ncs pre/three pkg-a:patch";
    check(
        &format!("{fourth}\n{consumed}\ncs four pkg-a:minor\npre pre next"),
        "pkg-a minor 1.0.1-next.2 -> 1.1.0-next.3 [four]",
    );
    let exit = second.replace("pkg pkg-a 1.0.1-next.0", "pkg pkg-a 1.1.0-next.3");
    check(
        &format!("{exit}\n{consumed}\ncs pre/four pkg-a:minor\npre exit next"),
        "
        pkg-b patch 1.0.1-next.0 -> 1.0.1 [pre/one]
        pkg-a minor 1.1.0-next.3 -> 1.1.0 [pre/two,pre/three,pre/four]
        ",
    );
}

#[test]
fn v1_v2_pre_json_lists_versioned_changesets() {
    // A v2 pre.json that was not migrated lists the versioned ids instead of `pre/`.
    check(
        "
        pkg pkg-a 1.0.1-next.0
        cs one pkg-a:patch
        cs two pkg-a:patch
        pre pre next one
        ",
        "pkg-a patch 1.0.1-next.0 -> 1.0.1-next.1 [two]",
    );
}

#[test]
fn v2_caret_dependents_in_pre_mode_and_exit() {
    check(
        "
        pkg pkg-a 1.0.0
        pkg pkg-b 1.0.0
        dep pkg-a pkg-b normal ^1.0.0
        cs one pkg-b:patch
        pre pre next
        ",
        "
        pkg-b patch 1.0.0 -> 1.0.1-next.0 [one]
        pkg-a patch 1.0.0 -> 1.0.1-next.0 []
        ",
    );
    check(
        "
        pkg pkg-a 1.0.1-next.0
        pkg pkg-b 1.0.1-next.0
        dep pkg-a pkg-b normal ^1.0.1-next.0
        cs pre/one pkg-b:patch
        pre exit next
        show reasons
        ",
        "
        pkg-b patch 1.0.1-next.0 -> 1.0.1 [pre/one] {changeset pre/one}
        pkg-a patch 1.0.1-next.0 -> 1.0.1 [] {pre exit}
        ",
    );
}

#[test]
fn v3_star_and_workspace_ranges_in_pre_mode() {
    for range in ["*", "workspace:*", "workspace:^", "workspace:~"] {
        check(
            &format!(
                "
                pkg pkg-a 1.0.0
                pkg pkg-b 1.0.0
                dep pkg-a pkg-b normal {range}
                cs one pkg-b:patch
                pre pre alpha
                "
            ),
            "
            pkg-b patch 1.0.0 -> 1.0.1-alpha.0 [one]
            pkg-a patch 1.0.0 -> 1.0.1-alpha.0 []
            ",
        );
    }
}

const V5: &str = "
    pkg pkg-a 1.0.0
    pkg pkg-b 1.0.0
    dep pkg-a pkg-b normal 1.0.0
    ignore pkg-a
    cs one pkg-b:major
    snapshot now=1639354050879
";

#[test]
fn v5_snapshot_skips_ignored_dependent() {
    check(
        V5,
        "
        pkg-b major 1.0.0 -> 0.0.0-20211213000730 [one]
        pkg-a none 1.0.0 -> 1.0.0 []
        ",
    );
    check(
        &format!("{V5}\nset calculated"),
        "
        pkg-b major 1.0.0 -> 2.0.0-20211213000730 [one]
        pkg-a none 1.0.0 -> 1.0.0 []
        ",
    );
}

#[test]
fn v4_snapshot_templates_in_plan() {
    let base = "
        pkg pkg-a 1.0.0
        cs one pkg-a:minor
    ";
    let cases = [
        (
            "template {tag}\nsnapshot now=1639354050879 tag=test",
            "0.0.0-test",
        ),
        (
            "template {timestamp}\nsnapshot now=1639354050879",
            "0.0.0-1639354050879",
        ),
        (
            "template {datetime}-{tag}\nsnapshot now=1639354050879 tag=alpha",
            "0.0.0-20211213000730-alpha",
        ),
        (
            "template {commit-short}\nsnapshot now=1 commit=abcdef0123456",
            "0.0.0-abcdef0",
        ),
        (
            "snapshot now=1639354050879 tag=canary",
            "0.0.0-canary-20211213000730",
        ),
    ];
    for (extra, version) in cases {
        check(
            &format!("{base}\n{extra}"),
            &format!("pkg-a minor 1.0.0 -> {version} [one]"),
        );
    }
    check(
        &format!("{base}\ntemplate {{commit}}\nsnapshot now=1"),
        "error: Failed to compose snapshot version: \"{commit}\" placeholder is used without having a value defined!",
    );
    check(
        &format!("{base}\ntemplate {{datetime}}\nsnapshot now=1 tag=test"),
        "error: Failed to compose snapshot version: \"{tag}\" placeholder is missing, but the snapshot parameter is defined (value: 'test')",
    );
}

#[test]
fn v7_ignored_packages_are_not_bumped() {
    check(
        "
        pkg pkg-a 1.0.0
        pkg pkg-b 1.0.0
        dep pkg-a pkg-b normal 1.0.0
        ignore pkg-a
        cs one pkg-a:minor
        cs two pkg-b:patch
        ",
        "
        pkg-b patch 1.0.0 -> 1.0.1 [two]
        pkg-a none 1.0.0 -> 1.0.0 []
        ",
    );
}

#[test]
fn v9_workspace_aliases() {
    let run = |range: &str, bump: &str, expected: &str| {
        check(
            &format!(
                "
                pkg pkg-a 1.0.0
                pkg pkg-b 1.0.0
                dep pkg-a pkg-b normal {range}
                cs one pkg-b:{bump}
                "
            ),
            expected,
        );
    };
    run(
        "workspace:*",
        "patch",
        "pkg-b patch 1.0.0 -> 1.0.1 [one]\npkg-a patch 1.0.0 -> 1.0.1 []",
    );
    run("workspace:^", "patch", "pkg-b patch 1.0.0 -> 1.0.1 [one]");
    run(
        "workspace:~",
        "minor",
        "pkg-b minor 1.0.0 -> 1.1.0 [one]\npkg-a patch 1.0.0 -> 1.0.1 []",
    );
}

#[test]
fn v11_private_packages_are_skipped() {
    check(
        "
        pkg pkg-a 1.0.0 private
        pkg pkg-b 1.0.0
        dep pkg-a pkg-b normal 1.0.0
        cs one pkg-b:minor
        ",
        "
        pkg-b minor 1.0.0 -> 1.1.0 [one]
        pkg-a none 1.0.0 -> 1.0.0 []
        ",
    );
    // With privatePackages.version the private package is released like any other.
    check(
        "
        pkg pkg-a 1.0.0 private
        pkg pkg-b 1.0.0
        dep pkg-a pkg-b normal 1.0.0
        cs one pkg-b:minor
        set private-version
        ",
        "
        pkg-b minor 1.0.0 -> 1.1.0 [one]
        pkg-a patch 1.0.0 -> 1.0.1 []
        ",
    );
}

#[test]
fn v12_linked_in_pre_mode() {
    let base = "
        pkg pkg-a 1.0.0
        pkg pkg-b 1.0.0
        dep pkg-a pkg-b normal 1.0.0
        linked pkg-a pkg-b
    ";
    check(
        &format!("{base}\ncs one pkg-a:minor"),
        "pkg-a minor 1.0.0 -> 1.1.0 [one]",
    );
    let after = base.replace("pkg pkg-a 1.0.0", "pkg pkg-a 1.1.0");
    check(
        &format!("{after}\ncs two pkg-b:patch\npre pre next"),
        "
        pkg-b patch 1.1.0 -> 1.1.1-next.0 [two]
        pkg-a patch 1.1.0 -> 1.1.1-next.0 []
        ",
    );
    check(
        "
        pkg pkg-a 1.1.1-next.0
        pkg pkg-b 1.1.1-next.0
        dep pkg-a pkg-b normal 1.1.1-next.0
        linked pkg-a pkg-b
        cs pre/two pkg-b:patch
        cs three pkg-a:patch
        pre pre next
        ",
        "pkg-a patch 1.1.1-next.0 -> 1.1.1-next.1 [three]",
    );
}

#[test]
fn v13_always_with_workspace_star() {
    check(
        "
        pkg pkg-a 1.0.0
        pkg pkg-b 1.0.0
        dep pkg-b pkg-a normal workspace:*
        cs one pkg-a:minor
        set always
        ",
        "
        pkg-a minor 1.0.0 -> 1.1.0 [one]
        pkg-b patch 1.0.0 -> 1.0.1 []
        ",
    );
}

#[test]
fn c2_fixed_globs_with_exclusions() {
    check(
        "
        pkg pkg-a 1.0.0
        pkg pkg-b 1.0.0
        pkg @pkg/a 1.0.0
        pkg @pkg/b 1.0.0
        pkg @pkg-other/a 1.0.0
        pkg @pkg-other/b 1.0.0
        fixed pkg-* !pkg-b @pkg/*
        fixed @pkg-other/a
        cs one pkg-a:minor
        cs two @pkg-other/b:patch
        ",
        "
        pkg-a minor 1.0.0 -> 1.1.0 [one]
        @pkg-other/b patch 1.0.0 -> 1.0.1 [two]
        @pkg/a minor 1.0.0 -> 1.1.0 []
        @pkg/b minor 1.0.0 -> 1.1.0 []
        ",
    );
}

#[test]
fn c3_package_in_two_fixed_groups() {
    check(
        "
        pkg pkg-a 1.0.0
        fixed pkg-a
        fixed pkg-a
        ",
        "error: Found issues in your config:\n- fixed: Invalid group: The package or glob \"pkg-a\" is defined in multiple groups of fixed packages. Packages can only be belong to a single group. Note that glob expressions must be defined according to https://npmx.dev/picomatch.",
    );
    check(
        "
        pkg pkg-a 1.0.0
        linked pkg-a
        linked pkg-a
        fixed pkg-a
        fixed pkg-nope
        ",
        "
        error: Found issues in your config:
        - fixed: Invalid path: The package or glob \"pkg-nope\" does not match any package in the project. Note that glob expressions must be defined according to https://npmx.dev/picomatch.
        - linked: Invalid group: The package or glob \"pkg-a\" is defined in multiple groups of linked packages. Packages can only be belong to a single group. Note that glob expressions must be defined according to https://npmx.dev/picomatch.
        - Invalid group: The package \"pkg-a\" can be found in both fixed and linked groups. A package can only be either fixed or linked.
        ",
    );
}

#[test]
fn unmatched_groups_are_warnings() {
    check(
        "
        pkg pkg-a 1.0.0
        fixed pkg-a pkg-zz*
        linked nope
        ignore also-nope
        cs one pkg-a:patch
        ",
        "
        pkg-a patch 1.0.0 -> 1.0.1 [one]
        warning: fixed: Invalid path: The package or glob \"pkg-zz*\" does not match any package in the project. Note that glob expressions must be defined according to https://npmx.dev/picomatch.
        warning: linked: Invalid path: The package or glob \"nope\" does not match any package in the project. Note that glob expressions must be defined according to https://npmx.dev/picomatch.
        ",
    );
}

#[test]
fn c4_invalid_tree() {
    let base = "
        pkg pkg-a 1.0.0
        pkg pkg-b 1.0.0
        ignore pkg-b
    ";
    check(
        &format!("{base}\ndep pkg-a pkg-b normal 1.0.0"),
        "error: Found issues in your config:\n- Invalid tree: \"pkg-a\" depends on the skipped package \"pkg-b\", but \"pkg-a\" is not skipped. Please add \"pkg-a\" to the \"ignore\" option.",
    );
    // Fine when the dependent is private, or when the link is a devDependency.
    let private = base.replace("pkg pkg-a 1.0.0", "pkg pkg-a 1.0.0 private");
    check(
        &format!("{private}\ndep pkg-a pkg-b normal 1.0.0\nset private-version\ncs x pkg-a:patch"),
        "pkg-a patch 1.0.0 -> 1.0.1 [x]",
    );
    check(&format!("{base}\ndep pkg-a pkg-b dev 1.0.0"), "");
    check(
        "
        pkg pkg-a 1.0.0
        set private-tag
        ",
        "error: Found issues in your config:\n- privatePackages: Invalid combination: \"tag\" is set to \"true\" but \"version\" is set to \"false\".",
    );
}

#[test]
fn none_changeset_replaced_by_dependency_release() {
    // Changesets replaces the `none` release, dropping its changeset ids.
    check(
        "
        pkg pkg-a 1.0.0
        pkg pkg-b 1.0.0
        dep pkg-b pkg-a normal 1.0.0
        cs one pkg-b:none
        cs two pkg-a:patch
        ",
        "
        pkg-b patch 1.0.0 -> 1.0.1 []
        pkg-a patch 1.0.0 -> 1.0.1 [two]
        ",
    );
}

#[test]
fn unversioned_private_dependent() {
    check(
        "
        pkg app - private
        pkg lib 1.0.0
        dep app lib normal ^1.0.0
        cs one lib:major
        ",
        "
        lib major 1.0.0 -> 2.0.0 [one]
        app none - -> - []
        ",
    );
}
