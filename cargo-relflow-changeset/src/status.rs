//! Rendering a release plan: for people, as JSON (the SPEC's schema), and as a markdown table.

use cargo_relflow_sync::Package;
use serde_json::{json, Value};

use crate::plan::{Reason, Release, ReleasePlan};
use crate::Changeset;

/// One reason as a short phrase: `changeset brave-owls-sing`, `dependency core ^1.0.0`,
/// `fixed group`, `linked group`, `pre exit`.
pub fn reason_text(reason: &Reason) -> String {
    match reason {
        Reason::Changeset(id) => format!("changeset {id}"),
        Reason::Dependency { name, requirement } if requirement.is_empty() => {
            format!("dependency {name}")
        }
        Reason::Dependency { name, requirement } => format!("dependency {name} {requirement}"),
        Reason::FixedGroup => "fixed group".to_owned(),
        Reason::LinkedGroup => "linked group".to_owned(),
        Reason::PreExit => "pre exit".to_owned(),
    }
}

fn versions(release: &Release) -> (Value, Value) {
    if release.versioned {
        (
            json!(release.old_version.to_string()),
            json!(release.new_version.to_string()),
        )
    } else {
        (Value::Null, Value::Null)
    }
}

/// The plan as `{"releases":[{"name","ecosystem","old_version","new_version","bump","reasons",
/// "changesets"}],"changesets":[{"id","summary","releases":[{"name","type"}]}]}`.
pub fn to_json(packages: &[Package], plan: &ReleasePlan, changesets: &[Changeset]) -> Value {
    let releases: Vec<Value> = plan
        .releases
        .iter()
        .map(|release| {
            let package = &packages[release.package];
            let (old_version, new_version) = versions(release);
            json!({
                "name": package.name,
                "ecosystem": package.ecosystem.as_str(),
                "old_version": old_version,
                "new_version": new_version,
                "bump": release.bump.as_str(),
                "reasons": release.reasons.iter().map(reason_text).collect::<Vec<_>>(),
                "changesets": release.changesets,
            })
        })
        .collect();
    let used: Vec<Value> = changesets
        .iter()
        .filter(|c| plan.changesets.contains(&c.id))
        .map(|c| {
            json!({
                "id": c.id,
                "summary": c.summary,
                "releases": c.releases.iter().map(|r| json!({"name": r.name, "type": r.bump.as_str()})).collect::<Vec<_>>(),
            })
        })
        .collect();
    json!({ "releases": releases, "changesets": used })
}

/// A markdown table for a pull-request comment.
pub fn to_markdown(packages: &[Package], plan: &ReleasePlan) -> String {
    if plan.releases.is_empty() {
        return "No packages will be released.\n".to_owned();
    }
    let mut text = String::from(
        "| Package | Ecosystem | Version | Bump | Why |\n| --- | --- | --- | --- | --- |\n",
    );
    for release in &plan.releases {
        let package = &packages[release.package];
        let version = if !release.versioned {
            "(no version)".to_owned()
        } else if release.old_version == release.new_version {
            release.new_version.to_string()
        } else {
            format!("{} → {}", release.old_version, release.new_version)
        };
        let why: Vec<String> = release.reasons.iter().map(reason_text).collect();
        text.push_str(&format!(
            "| `{}` | {} | {version} | {} | {} |\n",
            escape_cell(&package.name),
            package.ecosystem,
            release.bump,
            escape_cell(&why.join(", "))
        ));
    }
    text
}

/// Lines for people: `name (ecosystem)  old -> new  bump  why`.
pub fn to_human(packages: &[Package], plan: &ReleasePlan) -> String {
    if plan.releases.is_empty() {
        return "No packages will be released.\n".to_owned();
    }
    let width = plan
        .releases
        .iter()
        .map(|r| packages[r.package].qualified_name().len())
        .max()
        .unwrap_or(0);
    let mut text = String::new();
    for release in &plan.releases {
        let package = &packages[release.package];
        let versions = if release.versioned {
            format!("{} -> {}", release.old_version, release.new_version)
        } else {
            "(no version)".to_owned()
        };
        let why: Vec<String> = release.reasons.iter().map(reason_text).collect();
        text.push_str(&format!(
            "{:<width$}  {versions:<22} {:<6} {}\n",
            package.qualified_name(),
            release.bump.as_str(),
            why.join(", ")
        ));
    }
    text
}

fn escape_cell(text: &str) -> String {
    text.replace('|', "\\|")
}
