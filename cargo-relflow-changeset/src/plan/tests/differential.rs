//! Differential check against Changesets itself, run by hand: a JSON file of
//! `[{"fixture": "...", "expected": "..."}]` produced by running `@changesets/assemble-release-plan`
//! 7 and `@changesets/config` 4 (the versions `@changesets/cli` 3.0.3 uses) on random repositories,
//! rendered in this module's fixture and output formats.
//!
//! `RELFLOW_CHANGESETS_CASES=cases.json cargo test -p cargo-relflow-changeset --lib differential -- --ignored`

#[test]
#[ignore = "needs RELFLOW_CHANGESETS_CASES, a file generated with Node and Changesets"]
fn matches_changesets_on_generated_repositories() {
    let path = std::env::var("RELFLOW_CHANGESETS_CASES").unwrap();
    let text = std::fs::read_to_string(path).unwrap();
    let cases: serde_json::Value = serde_json::from_str(&text).unwrap();
    let mut failures = Vec::new();
    let cases = cases.as_array().unwrap();
    for case in cases {
        let fixture = case["fixture"].as_str().unwrap();
        let expected = case["expected"].as_str().unwrap();
        let normal = |s: &str| s.lines().map(str::trim).collect::<Vec<_>>().join("\n");
        let got = super::run(fixture);
        if normal(&got) != normal(expected) {
            failures.push(format!(
                "--- fixture\n{fixture}\n--- changesets\n{expected}\n--- relflow\n{got}\n"
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} differ:\n{}",
        failures.len(),
        cases.len(),
        failures.iter().take(5).cloned().collect::<String>()
    );
}
