//! Entries of Cargo and Python packages: the npm rule for `Updated dependencies` with each
//! ecosystem's requirement semantics, and versions written as the manifest writes them.

use std::collections::HashMap;

use camino::Utf8PathBuf;
use cargo_relflow_sync::{DepKind, Dependency, Ecosystem, Package, Publish, VersionSource};

use crate::changelog::entries;
use crate::plan::plan;
use crate::plan_config::UpdateInternalDependencies;
use crate::{Bump, Changeset, ChangesetRelease, PlanConfig, PreMode, PreState};

fn package(
    ecosystem: Ecosystem,
    name: &str,
    version: &str,
    deps: &[(&str, DepKind, &str)],
) -> Package {
    let version = semver::Version::parse(version).unwrap();
    Package {
        ecosystem,
        name: name.to_owned(),
        version_text: Some(version.to_string()),
        version_source: VersionSource::Manifest,
        version: Some(version),
        dir: Utf8PathBuf::from(name),
        manifest: Utf8PathBuf::from(format!("{name}/Cargo.toml")),
        publish: Publish::Default,
        deps: deps
            .iter()
            .map(|(dep, kind, requirement)| Dependency {
                name: (*dep).to_owned(),
                kind: *kind,
                requirement: (*requirement).to_owned(),
                target: None,
                rename: None,
            })
            .collect(),
    }
}

fn changeset(id: &str, releases: &[(&str, Bump)], summary: &str) -> Changeset {
    Changeset {
        id: id.to_owned(),
        releases: releases
            .iter()
            .enumerate()
            .map(|(i, (name, bump))| ChangesetRelease {
                name: (*name).to_owned(),
                bump: *bump,
                line: i + 2,
            })
            .collect(),
        summary: summary.to_owned(),
    }
}

/// The entries of the plan, as `name: entry` blocks.
fn render(
    packages: &[Package],
    changesets: &[Changeset],
    config: &PlanConfig,
    pre: Option<&PreState>,
) -> String {
    let release_plan = plan(packages, changesets, config, pre, None).unwrap();
    let commits: HashMap<String, String> = changesets
        .iter()
        .enumerate()
        .map(|(i, c)| (c.id.clone(), format!("{i}").repeat(40)))
        .collect();
    entries(packages, &release_plan, changesets, &commits, config)
        .into_iter()
        .map(|(index, entry)| format!("{}:\n{entry}\n", packages[index].name))
        .collect::<Vec<_>>()
        .join("\n")
}

fn cargo_workspace() -> Vec<Package> {
    use DepKind::{Build, Dev, Normal};
    vec![
        package(Ecosystem::Cargo, "core", "1.2.0", &[]),
        package(Ecosystem::Cargo, "cli", "0.4.0", &[("core", Normal, "1.2")]),
        package(Ecosystem::Cargo, "app", "0.1.0", &[("core", Normal, "")]),
        package(
            Ecosystem::Cargo,
            "tool",
            "0.1.0",
            &[("core", Dev, "1.2"), ("cli", Dev, "")],
        ),
        package(
            Ecosystem::Cargo,
            "bld",
            "3.0.0",
            &[("core", Build, "=1.2.0")],
        ),
    ]
}

fn cargo_changesets() -> Vec<Changeset> {
    vec![
        changeset("fix-core", &[("core", Bump::Patch)], "Fix core"),
        changeset(
            "cli-feature",
            &[("cli", Bump::Minor), ("tool", Bump::Patch)],
            "CLI feature",
        ),
    ]
}

#[test]
fn cargo_dependencies_listed_when_left_or_at_the_minimum_bump() {
    let packages = cargo_workspace();
    assert_eq!(
        render(&packages, &cargo_changesets(), &PlanConfig::default(), None),
        "core:\n## 1.2.1\n\n### Patch Changes\n\n- 0000000: Fix core\n
cli:\n## 0.5.0\n\n### Minor Changes\n\n- 1111111: CLI feature\n\n### Patch Changes\n\n- Updated dependencies [0000000]\n  - core@1.2.1\n
tool:\n## 0.1.1\n\n### Patch Changes\n\n- 1111111: CLI feature\n
bld:\n## 3.0.1\n\n### Patch Changes\n\n- Updated dependencies [0000000]\n  - core@1.2.1\n"
    );
}

#[test]
fn cargo_requirements_that_still_match_need_the_minimum_bump() {
    let packages = cargo_workspace();
    let config = PlanConfig {
        update_internal_dependencies: UpdateInternalDependencies::Minor,
        ..PlanConfig::default()
    };
    let rendered = render(&packages, &cargo_changesets(), &config, None);
    // `1.2` still matches 1.2.1 and a patch is below `minor`; the `=1.2.0` requirement is left,
    // so it is still listed. The path-only `app` is not released at all.
    assert!(
        rendered.contains("cli:\n## 0.5.0\n\n### Minor Changes\n\n- 1111111: CLI feature\n\ntool:"),
        "{rendered}"
    );
    assert!(!rendered.contains("app:"), "{rendered}");
    assert!(rendered.contains("bld:\n## 3.0.1\n\n### Patch Changes\n\n- Updated dependencies [0000000]\n  - core@1.2.1\n"), "{rendered}");
}

#[test]
fn python_versions_are_written_in_pep_440() {
    use DepKind::{Normal, Optional};
    let packages = vec![
        package(Ecosystem::Python, "lib", "1.0.0", &[]),
        package(
            Ecosystem::Python,
            "svc",
            "2.0.0",
            &[("lib", Normal, ">=1.0,<2")],
        ),
        package(
            Ecosystem::Python,
            "ext",
            "0.3.0",
            &[("lib", Optional, "==1.0.0")],
        ),
    ];
    let changesets = vec![changeset(
        "lib-feature",
        &[("lib", Bump::Minor)],
        "Faster\nand smaller",
    )];
    let pre = PreState {
        mode: PreMode::Pre,
        tag: "beta".to_owned(),
        initial_versions: std::collections::BTreeMap::new(),
        changesets: Vec::new(),
        raw: Default::default(),
    };
    assert_eq!(
        render(&packages, &changesets, &PlanConfig::default(), Some(&pre)),
        "lib:\n## 1.1.0b0\n\n### Minor Changes\n\n- 0000000: Faster\n  and smaller\n
svc:\n## 2.0.1b0\n\n### Patch Changes\n\n- Updated dependencies [0000000]\n  - lib@1.1.0b0\n
ext:\n## 0.3.1b0\n\n### Patch Changes\n\n- Updated dependencies [0000000]\n  - lib@1.1.0b0\n"
    );
}
