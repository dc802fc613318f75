//! Changesets' own `assemble-release-plan` tests (reference §7, A1–A19) on npm packages.

use super::{arp, check};

#[test]
fn a1_two_changesets_for_a_package() {
    check(
        &arp("cs big-cats-delight pkg-a:major"),
        "pkg-a major 1.0.0 -> 2.0.0 [strange-words-combine,big-cats-delight]",
    );
}

#[test]
fn a2_none_does_not_override() {
    check(
        &arp("
            cs none-1 pkg-a:none pkg-b:none pkg-c:none
            cs real pkg-a:patch pkg-b:minor pkg-c:major
            cs none-2 pkg-a:none pkg-b:none pkg-c:none
        "),
        "
        pkg-a patch 1.0.0 -> 1.0.1 [strange-words-combine,none-1,real,none-2]
        pkg-b minor 1.0.0 -> 1.1.0 [none-1,real,none-2]
        pkg-c major 1.0.0 -> 2.0.0 [none-1,real,none-2]
        ",
    );
}

#[test]
fn a3_dependents() {
    check(
        &arp("
            dep pkg-b pkg-a normal ^1.0.0
            cs major pkg-a:major
            show reasons
        "),
        r#"
        pkg-a major 1.0.0 -> 2.0.0 [strange-words-combine,major] {changeset strange-words-combine, changeset major}
        pkg-b patch 1.0.0 -> 1.0.1 [] {dependency pkg-a "^1.0.0"}
        "#,
    );
}

const A4: &str = "
    dep pkg-b pkg-a normal 1.0.0
    dep pkg-c pkg-a normal ~1.0.0
    dep pkg-d pkg-a normal ^1.0.0
";

#[test]
fn a4_thoroughness_patch() {
    check(
        &arp(A4),
        "
        pkg-a patch 1.0.0 -> 1.0.1 [strange-words-combine]
        pkg-b patch 1.0.0 -> 1.0.1 []
        ",
    );
}

#[test]
fn a4_thoroughness_minor() {
    check(
        &arp(&format!("{A4}\ncs minor pkg-a:minor")),
        "
        pkg-a minor 1.0.0 -> 1.1.0 [strange-words-combine,minor]
        pkg-b patch 1.0.0 -> 1.0.1 []
        pkg-c patch 1.0.0 -> 1.0.1 []
        ",
    );
}

#[test]
fn a4_thoroughness_major() {
    check(
        &arp(&format!("{A4}\ncs major pkg-a:major")),
        "
        pkg-a major 1.0.0 -> 2.0.0 [strange-words-combine,major]
        pkg-b patch 1.0.0 -> 1.0.1 []
        pkg-c patch 1.0.0 -> 1.0.1 []
        pkg-d patch 1.0.0 -> 1.0.1 []
        ",
    );
}

#[test]
fn a5_dev_dependent_gets_none() {
    check(
        &arp("
            dep pkg-b pkg-a dev ^1.0.0
            cs major pkg-a:major
        "),
        "
        pkg-a major 1.0.0 -> 2.0.0 [strange-words-combine,major]
        pkg-b none 1.0.0 -> 1.0.0 []
        ",
    );
}

#[test]
fn a6_dev_dependent_does_not_propagate() {
    check(
        &arp("
            dep pkg-b pkg-a dev 1.0.0
            dep pkg-c pkg-b normal 1.0.0
        "),
        "
        pkg-a patch 1.0.0 -> 1.0.1 [strange-words-combine]
        pkg-b none 1.0.0 -> 1.0.0 []
        ",
    );
}

#[test]
fn a7_wildcard_dependent_is_not_bumped() {
    check(
        &arp("
            dep pkg-b pkg-a normal *
            cs major pkg-a:major
        "),
        "pkg-a major 1.0.0 -> 2.0.0 [strange-words-combine,major]",
    );
}

#[test]
fn a8_mixed_changeset() {
    check(
        &arp("
            cs mixed pkg-a:major pkg-b:minor
            ignore pkg-b
        "),
        "
        error: Found mixed changeset mixed
        Found ignored packages: pkg-b
        Found not ignored packages: pkg-a
        Mixed changesets that contain both ignored and not ignored packages are not allowed
        ",
    );
}

#[test]
fn a8_package_not_in_workspace() {
    check(
        &arp("cs small-dogs-sad pkg-z:major"),
        "error: Found changeset small-dogs-sad for package pkg-z which is not in the workspace",
    );
}

#[test]
fn a9_ignored_dependents_get_none() {
    for kind in ["normal", "peer", "dev"] {
        check(
            &arp(&format!(
                "
                dep pkg-b pkg-a {kind} 1.0.0
                ignore pkg-b
                cs major pkg-a:major
                cs minor pkg-b:minor
                "
            )),
            "
            pkg-a major 1.0.0 -> 2.0.0 [strange-words-combine,major]
            pkg-b none 1.0.0 -> 1.0.0 []
            ",
        );
    }
}

const A10: &str = "
    pkg pkg-a 1.0.0
    pkg pkg-b 1.0.0
    pkg pkg-c 2.0.0
    cs strange-words-combine pkg-a:patch
    cs some-id pkg-b:minor pkg-a:patch
";

#[test]
fn a10_fixed_highest_version_from_unreleased_member() {
    check(
        &format!("{A10}\nfixed pkg-a pkg-b pkg-c\nshow reasons"),
        "
        pkg-a minor 2.0.0 -> 2.1.0 [strange-words-combine,some-id] {changeset strange-words-combine, changeset some-id, fixed}
        pkg-b minor 2.0.0 -> 2.1.0 [some-id] {changeset some-id, fixed}
        pkg-c minor 2.0.0 -> 2.1.0 [] {fixed}
        ",
    );
}

#[test]
fn a10_linked_highest_version_from_unreleased_member() {
    check(
        &format!("{A10}\nlinked pkg-a pkg-b pkg-c\nshow reasons"),
        "
        pkg-a minor 2.0.0 -> 2.1.0 [strange-words-combine,some-id] {changeset strange-words-combine, changeset some-id, linked}
        pkg-b minor 2.0.0 -> 2.1.0 [some-id] {changeset some-id, linked}
        ",
    );
}

#[test]
fn a11_fixed_chain_order() {
    check(
        &arp("
            cs b-major pkg-b:major
            cs d-minor pkg-d:minor
            dep pkg-c pkg-a normal ^1.0.0
            fixed pkg-a pkg-b
            fixed pkg-c pkg-d
        "),
        "
        pkg-a major 1.0.0 -> 2.0.0 [strange-words-combine]
        pkg-b major 1.0.0 -> 2.0.0 [b-major]
        pkg-d minor 1.0.0 -> 1.1.0 [d-minor]
        pkg-c minor 1.0.0 -> 1.1.0 []
        ",
    );
}

/// v3's "dependent bumping" matrix: pkg-b depends on pkg-a (at 1.0.0) with `kind` and `range`;
/// returns pkg-b's resulting version ("-" when it has no release).
fn dependent_version(kind: &str, range: &str, bump: &str, always: bool) -> String {
    let fixture = format!(
        "
        pkg pkg-a 1.0.0
        pkg pkg-b 1.0.0
        dep pkg-b pkg-a {kind} {range}1.0.0
        cs bump pkg-a:{bump}
        {}
        ",
        if always { "set always" } else { "" }
    );
    let plan = super::run(&fixture);
    plan.lines()
        .find_map(|l| l.strip_prefix("pkg-b "))
        .map_or("-".to_owned(), |l| {
            l.split_whitespace().nth(3).unwrap_or("?").to_owned()
        })
}

#[test]
fn a12_v3_dependent_bumping_matrix() {
    // (bump, [^, ~, =]) for dependencies and peers alike.
    let table = [
        ("none", ["-", "-", "-"]),
        ("patch", ["-", "-", "1.0.1"]),
        ("minor", ["-", "1.0.1", "1.0.1"]),
        ("major", ["1.0.1", "1.0.1", "1.0.1"]),
    ];
    for kind in ["normal", "peer"] {
        for (bump, row) in table {
            for (range, want) in ["^", "~", "="].iter().zip(row) {
                let got = dependent_version(kind, range, bump, false);
                assert_eq!(got, want, "{kind} {range} {bump}");
            }
        }
    }
    // Dev dependents are never bumped (they get a `none` release when out of range).
    for bump in ["none", "patch", "minor", "major"] {
        for range in ["^", "~", "="] {
            let got = dependent_version("dev", range, bump, false);
            assert!(got == "-" || got == "1.0.0", "dev {range} {bump}: {got}");
        }
    }
    // updateInternalDependents: always.
    for kind in ["normal", "peer"] {
        assert_eq!(dependent_version(kind, "^", "patch", true), "1.0.1");
        assert_eq!(dependent_version(kind, "~", "patch", true), "1.0.1");
        assert_eq!(dependent_version(kind, "^", "minor", true), "1.0.1");
        assert_eq!(dependent_version(kind, "^", "none", true), "-");
    }
}

#[test]
fn a12_peer_chain_v3() {
    // v2 made pkg-b major here; v3 leaves it alone because `^1.0.0` accepts 1.1.0.
    check(
        &arp("
            dep pkg-b pkg-a peer ^1.0.0
            dep pkg-c pkg-b normal ^1.0.0
            cs minor pkg-a:minor
        "),
        "pkg-a minor 1.0.0 -> 1.1.0 [strange-words-combine,minor]",
    );
    check(
        &arp("
            dep pkg-b pkg-a peer ~1.0.0
            dep pkg-c pkg-b normal ^1.0.0
            set peer-out-of-range
            cs minor pkg-a:minor
        "),
        "
        pkg-a minor 1.0.0 -> 1.1.0 [strange-words-combine,minor]
        pkg-b patch 1.0.0 -> 1.0.1 []
        ",
    );
}

#[test]
fn a13_peer_dependent_of_fixed_member_gets_patch() {
    check(
        &arp("
            dep pkg-b pkg-c peer 1.0.0
            cs minor pkg-a:minor
            fixed pkg-a pkg-c
        "),
        "
        pkg-a minor 1.0.0 -> 1.1.0 [strange-words-combine,minor]
        pkg-c minor 1.0.0 -> 1.1.0 []
        pkg-b patch 1.0.0 -> 1.0.1 []
        ",
    );
}

#[test]
fn a14_fixed_group_with_peer_dependents() {
    check(
        "
        pkg @ex/core 0.1.0
        pkg @ex/errors 0.1.0
        pkg @ex/api 0.1.0
        pkg some-peer 0.1.0
        pkg @ex/components 0.1.0
        dep @ex/api @ex/core normal 0.1.0
        dep @ex/api @ex/errors normal 0.1.0
        dep @ex/api some-peer peer 0.1.0
        dep @ex/components @ex/api normal 0.1.0
        dep @ex/components some-peer normal 0.1.0
        cs core @ex/core:minor
        fixed @ex/core @ex/errors @ex/api some-peer @ex/components
        ",
        "
        @ex/core minor 0.1.0 -> 0.2.0 [core]
        @ex/api minor 0.1.0 -> 0.2.0 []
        @ex/components minor 0.1.0 -> 0.2.0 []
        @ex/errors minor 0.1.0 -> 0.2.0 []
        some-peer minor 0.1.0 -> 0.2.0 []
        ",
    );
}

#[test]
fn a15_pre_highest_bump_of_current_release() {
    check(
        "
        pkg pkg-a 2.0.0-next.0
        cs strange-words-combine pkg-a:patch
        cs pre/major-bumping-one pkg-a:major
        cs minor-bumping-one pkg-a:minor
        pre pre next
        ",
        "pkg-a minor 2.0.0-next.0 -> 2.0.0-next.1 [strange-words-combine,minor-bumping-one]",
    );
}

#[test]
fn a15_pre_exit_without_prereleases_patches_nothing_else() {
    check(
        &arp("pre exit next"),
        "pkg-a patch 1.0.0 -> 1.0.1 [strange-words-combine]",
    );
}

const A16: &str = "
    pkg pkg-a 1.0.1-next.0
    pkg pkg-b 1.0.1-next.0
    dep pkg-b pkg-a dev 1.0.1-next.0
    cs pre/strange-words-combine pkg-a:patch
    pre exit next
    show reasons
";

#[test]
fn a16_pre_exit_patches_dev_dependents() {
    check(
        A16,
        r#"
        pkg-a patch 1.0.1-next.0 -> 1.0.1 [pre/strange-words-combine] {changeset pre/strange-words-combine}
        pkg-b patch 1.0.1-next.0 -> 1.0.1 [] {dependency pkg-a "1.0.1-next.0", pre exit}
        "#,
    );
    check(
        &format!("{A16}\nignore pkg-b"),
        r#"
        pkg-a patch 1.0.1-next.0 -> 1.0.1 [pre/strange-words-combine] {changeset pre/strange-words-combine}
        pkg-b none 1.0.1-next.0 -> 1.0.1-next.0 [] {dependency pkg-a "1.0.1-next.0"}
        "#,
    );
}

#[test]
fn a17_workspace_protocol_only() {
    check(
        &arp("
            dep pkg-b pkg-a normal ^1.0.0
            dep pkg-c pkg-a normal workspace:^1.0.0
            cs major pkg-a:major
            set ws-only
        "),
        "
        pkg-a major 1.0.0 -> 2.0.0 [strange-words-combine,major]
        pkg-c patch 1.0.0 -> 1.0.1 []
        ",
    );
    check(
        &arp("
            dep pkg-b pkg-a normal workspace:~
            dep pkg-c pkg-a normal workspace:^
            cs major pkg-a:major
            set ws-only
        "),
        "
        pkg-a major 1.0.0 -> 2.0.0 [strange-words-combine,major]
        pkg-b patch 1.0.0 -> 1.0.1 []
        pkg-c patch 1.0.0 -> 1.0.1 []
        ",
    );
}

#[test]
fn workspace_path_dependencies() {
    check(
        &arp("dep pkg-b pkg-a normal workspace:packages/pkg-a"),
        "
        pkg-a patch 1.0.0 -> 1.0.1 [strange-words-combine]
        pkg-b patch 1.0.0 -> 1.0.1 []
        ",
    );
    // A wrong path is no edge at all.
    check(
        &arp("dep pkg-b pkg-a normal workspace:packages/pkg-x"),
        "pkg-a patch 1.0.0 -> 1.0.1 [strange-words-combine]",
    );
}

#[test]
fn a18_update_internal_dependents_always() {
    check(
        &arp("
            dep pkg-b pkg-a normal ^1.0.0
            dep pkg-c pkg-b normal ^1.0.0
            set always
        "),
        "
        pkg-a patch 1.0.0 -> 1.0.1 [strange-words-combine]
        pkg-b patch 1.0.0 -> 1.0.1 []
        pkg-c patch 1.0.0 -> 1.0.1 []
        ",
    );
}

#[test]
fn a19_snapshot_with_tag() {
    check(
        &arp("snapshot now=1639354050879 tag=foo"),
        "pkg-a patch 1.0.0 -> 0.0.0-foo-20211213000730 [strange-words-combine]",
    );
}
