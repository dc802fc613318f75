//! Differential test: on random npm monorepos, relflow's release plan must equal what the real
//! `@changesets/cli@3.0.3 status --output` reports, run with Node 22, and relflow's own
//! `status --output` must write the same file byte for byte; then both tools run
//! `version` on fresh copies, and every file they leave (package.json files, CHANGELOG.md files,
//! the changesets left, pre.json) must be byte-identical.
//!
//! `cargo xtask test` installs both tools and sets `RELFLOW_NODE` and `RELFLOW_CHANGESETS_CLI`.
//! `RELFLOW_DIFF_SEEDS=N` sets how many repositories (default 300), `RELFLOW_DIFF_SEED=S` runs one.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::process::Command;

use relflow_tests::TestRepo;
use serde_json::Value;

/// splitmix64: a small deterministic generator, so a seed always makes the same repository.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// The files of one generated repository.
fn generate(seed: u64) -> Vec<(String, String)> {
    let mut rng = Rng(seed);
    let count = 2 + rng.below(5);
    let pre = rng.chance(12);
    let names: Vec<String> = (0..count)
        .map(|i| {
            let base = format!("pkg-{}", (b'a' + i as u8) as char);
            if rng.chance(25) {
                format!("@scope/{base}")
            } else {
                base
            }
        })
        .collect();
    let plain_versions = ["1.0.0", "0.1.0", "0.0.3", "2.3.4", "1.2.0"];
    let versions: Vec<String> = (0..count)
        .map(|_| {
            if pre && rng.chance(40) {
                (*rng.pick(&["1.0.1-next.0", "2.0.0-next.2", "0.2.0-next.1"])).to_owned()
            } else {
                (*rng.pick(&plain_versions)).to_owned()
            }
        })
        .collect();
    let mut files = vec![
        (
            "package.json".to_owned(),
            "{ \"name\": \"root\", \"private\": true, \"workspaces\": [\"packages/*\"] }\n"
                .to_owned(),
        ),
        ("package-lock.json".to_owned(), "{}\n".to_owned()),
    ];
    for i in 0..count {
        let mut fields: BTreeMap<&str, Vec<(String, String)>> = BTreeMap::new();
        for j in 0..i {
            if !rng.chance(45) {
                continue;
            }
            let field = *rng.pick(&[
                "dependencies",
                "dependencies",
                "devDependencies",
                "peerDependencies",
                "optionalDependencies",
            ]);
            let v = &versions[j];
            let range = match rng.below(11) {
                0 | 1 => format!("^{v}"),
                2 => format!("~{v}"),
                3 | 4 => v.clone(),
                5 => "*".to_owned(),
                6 => "workspace:*".to_owned(),
                7 => "workspace:^".to_owned(),
                8 => "workspace:~".to_owned(),
                9 => format!(">={v}"),
                _ => format!("workspace:^{v}"),
            };
            fields
                .entry(field)
                .or_default()
                .push((names[j].clone(), range));
        }
        let mut json = format!(
            "{{\n  \"name\": \"{}\",\n  \"version\": \"{}\"",
            names[i], versions[i]
        );
        if rng.chance(15) {
            json.push_str(",\n  \"private\": true");
        }
        for (field, deps) in fields {
            let entries: Vec<String> = deps
                .iter()
                .map(|(n, r)| format!("\"{n}\": \"{r}\""))
                .collect();
            let _ = write!(json, ",\n  \"{field}\": {{ {} }}", entries.join(", "));
        }
        json.push_str("\n}\n");
        files.push((format!("packages/p{i}/package.json"), json));
    }

    // Configuration.
    let quoted = |list: &[String]| {
        list.iter()
            .map(|n| format!("\"{n}\""))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut config = Vec::new();
    let mut free: Vec<String> = names.clone();
    for key in ["fixed", "linked"] {
        if free.len() >= 2 && rng.chance(if key == "fixed" { 20 } else { 15 }) {
            let size = 2 + rng.below(free.len() - 1);
            let group: Vec<String> = (0..size)
                .map(|_| free.remove(rng.below(free.len())))
                .collect();
            config.push(format!("\"{key}\": [[{}]]", quoted(&group)));
        }
    }
    if rng.chance(10) {
        config.push(format!("\"ignore\": [\"{}\"]", rng.pick(&names)));
    }
    if rng.chance(30) {
        config.push("\"updateInternalDependencies\": \"minor\"".to_owned());
    }
    match rng.below(4) {
        0 => config.push("\"privatePackages\": { \"version\": true, \"tag\": false }".to_owned()),
        1 => config.push("\"privatePackages\": false".to_owned()),
        _ => {}
    }
    if rng.chance(10) {
        config.push("\"bumpVersionsWithWorkspaceProtocolOnly\": true".to_owned());
    }
    let mut experimental = Vec::new();
    if rng.chance(15) {
        experimental.push("\"onlyUpdatePeerDependentsWhenOutOfRange\": true");
    }
    if rng.chance(15) {
        experimental.push("\"updateInternalDependents\": \"always\"");
    }
    if !experimental.is_empty() {
        config.push(format!(
            "\"___experimentalUnsafeOptions_WILL_CHANGE_IN_PATCH\": {{ {} }}",
            experimental.join(", ")
        ));
    }
    files.push((
        ".changeset/config.json".to_owned(),
        format!("{{\n  {}\n}}\n", config.join(",\n  ")),
    ));
    if pre {
        let mode = if rng.chance(25) { "exit" } else { "pre" };
        files.push((
            ".changeset/pre.json".to_owned(),
            format!("{{\n  \"mode\": \"{mode}\",\n  \"tag\": \"next\"\n}}\n"),
        ));
    }

    // Changesets.
    for c in 0..1 + rng.below(3) {
        let mut front = String::new();
        if !rng.chance(5) {
            let mut used = Vec::new();
            for _ in 0..1 + rng.below(3) {
                let name = rng.pick(&names).clone();
                if used.contains(&name) {
                    continue;
                }
                let bump =
                    rng.pick(&["major", "minor", "minor", "patch", "patch", "patch", "none"]);
                let _ = writeln!(front, "\"{name}\": {bump}");
                used.push(name);
            }
        }
        files.push((
            format!(".changeset/change-{c}.md"),
            format!("---\n{front}---\n\nChange {c}\n"),
        ));
    }
    files
}

/// `name -> (new version, bump)` from a JSON plan, in either tool's key names.
fn releases(json: &Value, version_key: &str, bump_key: &str) -> BTreeMap<String, (String, String)> {
    json["releases"]
        .as_array()
        .map(|list| {
            list.iter()
                .map(|r| {
                    (
                        r["name"].as_str().unwrap_or_default().to_owned(),
                        (
                            r[version_key].as_str().unwrap_or_default().to_owned(),
                            r[bump_key].as_str().unwrap_or_default().to_owned(),
                        ),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Compares both tools on one seed: `Ok(number of releases)` when they agree (0 when both
/// rejected the repository), `Err(report)` when they differ.
fn compare(seed: u64, node: &str, changesets: &str) -> Result<usize, String> {
    let files = generate(seed);
    let repo = fresh_repo(&files);
    let output = repo
        .isolated(Command::new(node))
        .args([changesets, "status", "--output=plan.json"])
        .output()
        .expect("run changesets");
    let theirs = (output.status.code() == Some(0)).then(|| {
        let text = std::fs::read_to_string(repo.root().join("plan.json")).expect("plan.json");
        releases(
            &serde_json::from_str(&text).expect("changesets JSON"),
            "newVersion",
            "type",
        )
    });
    let run = repo.relflow(["changeset", "status", "--format", "json"]);
    let ours = (run.code == 0).then(|| {
        releases(
            &serde_json::from_str(&run.stdout).expect("relflow JSON"),
            "new_version",
            "bump",
        )
    });
    let agree = match (&theirs, &ours) {
        (Some(a), Some(b)) => {
            if a == b {
                compare_status_output(seed, &repo)?;
            }
            a == b
        }
        (None, None) => run.code == 2,
        _ => false,
    };
    if agree {
        if theirs.is_some() {
            compare_version(seed, &files, node, changesets)?;
        }
        return Ok(theirs.map_or(0, |t| t.len()));
    }
    let mut report = format!(
        "seed {seed}: changesets {theirs:?}\n  relflow (exit {}) {ours:?}\n",
        run.code
    );
    if theirs.is_none() {
        let _ = writeln!(
            report,
            "  changesets said: {}",
            String::from_utf8_lossy(&output.stdout)
                .lines()
                .chain(String::from_utf8_lossy(&output.stderr).lines())
                .find(|l| l.contains("Error") || l.contains("error"))
                .unwrap_or("")
        );
    }
    if ours.is_none() {
        let _ = writeln!(report, "  relflow said: {}", run.stderr.trim());
    }
    for (path, text) in files.iter().filter(|(p, _)| p != "package-lock.json") {
        let _ = writeln!(report, "  --- {path}\n{}", text.trim_end());
    }
    Err(report)
}

/// `status --output FILE` must write the file `changeset status --output` wrote, byte for byte.
fn compare_status_output(seed: u64, repo: &TestRepo) -> Result<(), String> {
    repo.relflow(["changeset", "status", "--output=relflow-plan.json"])
        .assert_code(0);
    let (theirs, ours) = (repo.read("plan.json"), repo.read("relflow-plan.json"));
    if theirs == ours {
        Ok(())
    } else {
        Err(format!(
            "seed {seed}: `status --output` differs\n  changesets:\n{theirs}\n  relflow:\n{ours}"
        ))
    }
}

/// A fresh commit of the generated files.
fn fresh_repo(files: &[(String, String)]) -> TestRepo {
    let mut repo = TestRepo::new();
    for (path, text) in files {
        repo = repo.file(path, text);
    }
    repo.commit("generated")
}

/// Runs `changeset version` and `cargo relflow version` on two copies of the repository of
/// `seed`, and compares the trees they leave.
fn compare_version(
    seed: u64,
    files: &[(String, String)],
    node: &str,
    changesets: &str,
) -> Result<(), String> {
    let theirs = fresh_repo(files);
    let output = theirs
        .isolated(Command::new(node))
        .args([changesets, "version"])
        .output()
        .expect("run changeset version");
    let ours = fresh_repo(files);
    let run = ours.relflow(["version"]);
    let theirs_ok = output.status.success();
    if theirs_ok != (run.code == 0) {
        return Err(format!(
            "seed {seed}: `version` exit codes differ: changesets {:?}, relflow {}\n  changesets said: {}\n  relflow said: {}",
            output.status.code(),
            run.code,
            String::from_utf8_lossy(&output.stderr).trim(),
            run.stderr.trim()
        ));
    }
    let (theirs_tree, ours_tree) = (theirs.snapshot_tree(), ours.snapshot_tree());
    if theirs_tree == ours_tree {
        return Ok(());
    }
    let mut report = format!("seed {seed}: `version` wrote different files\n");
    let paths: std::collections::BTreeSet<_> = theirs_tree.keys().chain(ours_tree.keys()).collect();
    for path in paths {
        let (a, b) = (theirs_tree.get(path), ours_tree.get(path));
        if a != b {
            let show = |bytes: Option<&Vec<u8>>| {
                bytes.map_or_else(
                    || "(absent)".to_owned(),
                    |b| String::from_utf8_lossy(b).into_owned(),
                )
            };
            let _ = writeln!(
                report,
                "  --- {path}\n  changesets:\n{}\n  relflow:\n{}",
                show(a),
                show(b)
            );
        }
    }
    Err(report)
}

/// Node 22 and the Changesets CLI that `cargo xtask test` installs; `None` (the test skips) when
/// run outside it, which is an error on CI.
#[expect(clippy::print_stderr, reason = "tells why the test was skipped")]
fn tools() -> Option<(String, String)> {
    let (Ok(node), Ok(changesets)) = (
        std::env::var("RELFLOW_NODE"),
        std::env::var("RELFLOW_CHANGESETS_CLI"),
    ) else {
        assert!(
            std::env::var_os("CI").is_none(),
            "RELFLOW_NODE and RELFLOW_CHANGESETS_CLI are unset: run the suite with `cargo xtask test`"
        );
        eprintln!(
            "skipped: run through `cargo xtask test`, which installs Node 22 and @changesets/cli"
        );
        return None;
    };
    Some((node, changesets))
}

#[test]
fn plan_equals_changesets_v3_on_generated_repositories() {
    let Some((node, changesets)) = tools() else {
        return;
    };
    let seeds: Vec<u64> = match std::env::var("RELFLOW_DIFF_SEED") {
        Ok(seed) => vec![seed.parse().expect("RELFLOW_DIFF_SEED is a number")],
        Err(_) => {
            let count: u64 = std::env::var("RELFLOW_DIFF_SEEDS")
                .ok()
                .and_then(|n| n.parse().ok())
                .unwrap_or(300);
            (1..=count).collect()
        }
    };
    let workers = 3;
    let chunks: Vec<Vec<u64>> = (0..workers)
        .map(|w| seeds.iter().copied().skip(w).step_by(workers).collect())
        .collect();
    let results: Vec<Result<usize, String>> = std::thread::scope(|scope| {
        let handles: Vec<_> = chunks
            .iter()
            .map(|chunk| {
                let (node, changesets) = (&node, &changesets);
                scope.spawn(move || {
                    chunk
                        .iter()
                        .map(|&seed| compare(seed, node, changesets))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("worker"))
            .collect()
    });
    let mismatches: Vec<&String> = results.iter().filter_map(|r| r.as_ref().err()).collect();
    let planned = results
        .iter()
        .filter(|r| matches!(r, Ok(n) if *n > 0))
        .count();
    let rejected = results.iter().filter(|r| matches!(r, Ok(0))).count();
    eprintln!(
        "differential: {} repositories, {planned} with releases, {rejected} rejected or empty by both, {} differ",
        seeds.len(),
        mismatches.len()
    );
    assert!(
        mismatches.is_empty(),
        "{} of {} repositories differ; the first:\n{}",
        mismatches.len(),
        seeds.len(),
        mismatches
            .iter()
            .take(3)
            .map(|m| m.as_str())
            .collect::<Vec<_>>()
            .join("\n")
    );
    assert!(
        seeds.len() < 20 || planned * 2 > seeds.len(),
        "the generator should mostly make repositories with releases: {planned} of {}",
        seeds.len()
    );
}

#[test]
fn changesets_written_by_relflow_are_read_by_changesets_v3() {
    let Some((node, changesets)) = tools() else {
        return;
    };
    let repo = TestRepo::new()
        .file(
            "package.json",
            r#"{ "private": true, "workspaces": ["packages/*"] }"#,
        )
        .file("package-lock.json", "{}\n")
        .file(
            "packages/a/package.json",
            r#"{ "name": "@scope/a", "version": "1.0.0" }"#,
        )
        .file(
            "packages/b/package.json",
            r#"{ "name": "b", "version": "0.2.0" }"#,
        )
        .file(".changeset/config.json", "{}\n")
        .commit("initial");
    repo.relflow([
        "changeset",
        "-p",
        "@scope/a:major",
        "-p",
        "b:minor",
        "-m",
        "Line one\n\nMore \"quoted\" text",
    ])
    .assert_code(0);
    repo.relflow(["changeset", "--empty", "-m", "Nothing to release"])
        .assert_code(0);
    let output = repo
        .isolated(Command::new(&node))
        .args([changesets.as_str(), "status", "--output=plan.json"])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let plan: Value = serde_json::from_str(&repo.read("plan.json")).unwrap();
    assert_eq!(
        releases(&plan, "newVersion", "type"),
        BTreeMap::from([
            (
                "@scope/a".to_owned(),
                ("2.0.0".to_owned(), "major".to_owned())
            ),
            ("b".to_owned(), ("0.3.0".to_owned(), "minor".to_owned())),
        ])
    );
    let summaries: Vec<&str> = plan["changesets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["summary"].as_str().unwrap())
        .collect();
    assert!(
        summaries.contains(&"Line one\n\nMore \"quoted\" text"),
        "{summaries:?}"
    );
    assert!(summaries.contains(&"Nothing to release"), "{summaries:?}");
}
