//! Repositories run through the real Changesets: `testdata/NAME.txt` is the repository (files and
//! commits), `testdata/NAME.expected` what `changeset version` wrote (and the commit that added
//! each changeset, which relflow reads from git). Regenerate with `testdata/capture.mjs`.

use std::collections::{BTreeMap, HashMap};

use camino::{Utf8Path, Utf8PathBuf};
use cargo_relflow_sync::{DepKind, Dependency, Ecosystem, Package, Publish, VersionSource};
use serde_json::Value;

use crate::changelog::{entries, insert};
use crate::changesets_config::parse_changesets_config;
use crate::parse::{is_changeset_file_name, parse_changeset};
use crate::plan::plan;
use crate::pre::parse_pre_state;

/// The sections of a fixture: `-- HEAD --` lines, each followed by its text (without the newline
/// that separates it from the next header).
fn sections(text: &str) -> Vec<(&str, &str)> {
    let mut heads = Vec::new();
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        if let Some(head) = line
            .strip_prefix("-- ")
            .and_then(|rest| rest.strip_suffix(" --\n"))
        {
            heads.push((head, offset, offset + line.len()));
        }
        offset += line.len();
    }
    heads
        .iter()
        .enumerate()
        .map(|(i, &(head, _, start))| {
            let end = heads.get(i + 1).map_or(text.len(), |next| next.1);
            let body = &text[start..end];
            (head, body.strip_suffix('\n').unwrap_or(body))
        })
        .collect()
}

/// A package.json as relflow's npm discovery reads it (dependencies on workspace packages only).
fn package(dir: &str, json: &Value, names: &[String]) -> Package {
    let version = json["version"]
        .as_str()
        .map(|v| semver::Version::parse(v).unwrap());
    let mut deps = Vec::new();
    for (field, object) in json.as_object().unwrap() {
        let kind = match field.as_str() {
            "dependencies" => DepKind::Normal,
            "devDependencies" => DepKind::Dev,
            "peerDependencies" => DepKind::Peer,
            "optionalDependencies" => DepKind::Optional,
            _ => continue,
        };
        for (name, range) in object.as_object().unwrap() {
            if names.contains(name) {
                deps.push(Dependency {
                    name: name.clone(),
                    kind,
                    requirement: range.as_str().unwrap().to_owned(),
                    target: None,
                    rename: None,
                });
            }
        }
    }
    Package {
        ecosystem: Ecosystem::Npm,
        name: json["name"].as_str().unwrap().to_owned(),
        version_text: version.as_ref().map(ToString::to_string),
        version_source: if version.is_some() {
            VersionSource::Manifest
        } else {
            VersionSource::None
        },
        version,
        dir: Utf8PathBuf::from(dir),
        manifest: Utf8PathBuf::from(format!("{dir}/package.json")),
        publish: if json["private"] == Value::Bool(true) {
            Publish::No
        } else {
            Publish::Default
        },
        deps,
    }
}

/// Runs relflow on the repository of `fixture` and compares every CHANGELOG.md with `expected`.
#[track_caller]
fn check(fixture: &str, expected: &str) {
    let mut files: BTreeMap<&str, &str> = BTreeMap::new();
    for (head, text) in sections(fixture) {
        if !head.starts_with("@commit ") {
            files.insert(head, text);
        }
    }
    let manifests: Vec<(&str, Value)> = files
        .iter()
        .filter_map(|(path, text)| {
            let dir = path.strip_suffix("/package.json")?;
            Some((dir, serde_json::from_str(text).unwrap()))
        })
        .collect();
    let names: Vec<String> = manifests
        .iter()
        .map(|(_, json)| json["name"].as_str().unwrap().to_owned())
        .collect();
    let packages: Vec<Package> = manifests
        .iter()
        .map(|(dir, json)| package(dir, json, &names))
        .collect();
    let changesets: Vec<_> = files
        .iter()
        .filter_map(|(path, text)| {
            let name = path.strip_prefix(".changeset/")?;
            is_changeset_file_name(name)
                .then(|| parse_changeset(name.strip_suffix(".md").unwrap(), text).unwrap())
        })
        .collect();
    let config = parse_changesets_config(
        files[".changeset/config.json"],
        Utf8Path::new(".changeset/config.json"),
    )
    .unwrap()
    .plan_config();
    let pre = files
        .get(".changeset/pre.json")
        .map(|text| parse_pre_state(text, Utf8Path::new(".changeset/pre.json")).unwrap());
    let release_plan = plan(&packages, &changesets, &config, pre.as_ref(), None).unwrap();

    let mut commits = HashMap::new();
    let mut wanted = BTreeMap::new();
    for (head, text) in sections(expected) {
        match head.strip_prefix("@sha ") {
            Some(id) => {
                commits.insert(id.to_owned(), text.trim().to_owned());
            }
            None => {
                wanted.insert(head.to_owned(), text.to_owned());
            }
        }
    }
    let mut written: BTreeMap<String, String> = files
        .iter()
        .filter(|(path, _)| path.ends_with("/CHANGELOG.md"))
        .map(|(path, text)| ((*path).to_owned(), (*text).to_owned()))
        .collect();
    for (index, entry) in entries(&packages, &release_plan, &changesets, &commits, &config) {
        let package = &packages[index];
        let path = format!("{}/CHANGELOG.md", package.dir);
        let existing = written.get(&path).map(String::as_str);
        let text = insert(existing, &package.name, &entry);
        written.insert(path, text);
    }
    assert_eq!(written, wanted);
}

macro_rules! captured {
    ($($name:ident),* $(,)?) => {$(
        #[test]
        fn $name() {
            check(
                include_str!(concat!("../testdata/", stringify!($name), ".txt")),
                include_str!(concat!("../testdata/", stringify!($name), ".expected")),
            );
        }
    )*};
}

captured!(
    basic,
    crlf,
    dependency_kinds,
    existing,
    fixed_group,
    pre_mode,
    summaries,
    update_minor,
);
