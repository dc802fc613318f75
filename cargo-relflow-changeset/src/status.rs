//! Rendering a release plan: for people, as JSON (the SPEC's schema), and as a markdown table.

use cargo_relflow_sync::Package;
use serde_json::{json, Value};

use crate::plan::{Reason, Release, ReleasePlan};
use crate::pre::PreState;
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

/// The plan in the schema of Changesets' `changeset status --output FILE`, text for text:
/// `{"changesets":[{"releases":[{"name","type"}],"summary","id"}],"releases":[{"name","type",
/// "oldVersion","changesets","newVersion"}],"preState":{"mode","tag"}}`, two-space indentation,
/// no final newline (`JSON.stringify(plan, undefined, 2)`), `preState` only in pre mode.
/// `names[i]` is the name of `packages[i]` as a changeset writes it (plain when unique); a
/// release without a version has `null` versions.
pub fn to_changesets_json(
    names: &[String],
    plan: &ReleasePlan,
    changesets: &[Changeset],
    pre: Option<&PreState>,
) -> String {
    let used: Vec<Value> = changesets
        .iter()
        .filter(|c| plan.changesets.contains(&c.id))
        .map(|c| {
            let releases: Vec<Value> = c
                .releases
                .iter()
                .map(|r| json!({"name": r.name, "type": r.bump.as_str()}))
                .collect();
            json!({"releases": releases, "summary": c.summary, "id": c.id})
        })
        .collect();
    let releases: Vec<Value> = plan
        .releases
        .iter()
        .map(|release| {
            let (old_version, new_version) = versions(release);
            json!({
                "name": names[release.package],
                "type": release.bump.as_str(),
                "oldVersion": old_version,
                "changesets": release.changesets,
                "newVersion": new_version,
            })
        })
        .collect();
    let mut value = json!({ "changesets": used, "releases": releases });
    if let Some(pre) = pre {
        value["preState"] = json!({"mode": pre.mode.as_str(), "tag": pre.tag});
    }
    serde_json::to_string_pretty(&value).unwrap_or_default()
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
            markdown_reasons(&why)
        ));
    }
    text
}

/// Up to this many reasons are listed in a markdown cell as they are.
const MARKDOWN_REASONS: usize = 5;
/// A longer list shows this many, then the count, with the whole list folded away.
const MARKDOWN_REASONS_SHOWN: usize = 3;

/// The "Why" cell: the reasons, or for a long list (pnpm releases a package through 170
/// changesets) the first few and the count, with every reason in a collapsed `<details>` block.
fn markdown_reasons(why: &[String]) -> String {
    if why.len() <= MARKDOWN_REASONS {
        return escape_cell(&why.join(", "));
    }
    let first = why[..MARKDOWN_REASONS_SHOWN].join(", ");
    let rest = why.len() - MARKDOWN_REASONS_SHOWN;
    format!(
        "<details><summary>{} reasons: {} and {rest} more</summary>{}</details>",
        why.len(),
        escape_cell(&escape_html(&first)),
        escape_cell(&escape_html(&why.join(", ")))
    )
}

fn escape_html(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
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

#[cfg(test)]
mod tests {
    use super::*;

    fn why(count: usize) -> Vec<String> {
        (1..=count).map(|i| format!("changeset c{i}")).collect()
    }

    #[test]
    fn a_short_list_of_reasons_is_the_cell() {
        assert_eq!(
            markdown_reasons(&why(5)),
            "changeset c1, changeset c2, changeset c3, changeset c4, changeset c5"
        );
    }

    #[test]
    fn a_long_list_of_reasons_is_summarised_with_the_full_list_folded() {
        let mut reasons = why(170);
        reasons.push("dependency core >=1 <2 || 3".to_owned());
        let cell = markdown_reasons(&reasons);
        assert!(cell.starts_with(
            "<details><summary>171 reasons: changeset c1, changeset c2, changeset c3 and 168 \
             more</summary>changeset c1, changeset c2, "
        ));
        assert!(cell.ends_with("changeset c170, dependency core &gt;=1 &lt;2 \\|\\| 3</details>"));
        assert!(!cell.contains('\n'), "one table row");
    }
}
