//! A [`YankReport`] for people (the steps, the summary table) and as JSON:
//! `{"items":[{"name","ecosystem","version","level","state","steps","tag","tag_local","tag_remote"}]}`
//! for the plan, with `result` (and `reason` or `url`) per item and the deleted tags for a run.

use serde_json::{json, Value};

use super::plan::YankItem;
use super::{ItemOutcome, YankReport};
use crate::publish::report::table;

impl YankReport {
    /// The plan or the run as JSON, items dependents first.
    pub fn to_json(&self) -> Value {
        let items: Vec<Value> = self
            .items
            .iter()
            .enumerate()
            .map(|(at, item)| {
                let mut entry = json!({
                    "name": item.name,
                    "ecosystem": item.ecosystem.as_str(),
                    "version": item.version_text,
                    "level": item.level,
                    "state": item.state.as_str(),
                    "steps": steps(item),
                    "tag": item.tag,
                    "tag_local": item.tag_local,
                    "tag_remote": item.tag_remote,
                });
                if let Some(outcome) = self.outcomes.get(at) {
                    entry["result"] = json!(result_name(outcome));
                    match outcome {
                        ItemOutcome::Failed(reason) => entry["reason"] = json!(reason),
                        ItemOutcome::Manual(url) => entry["url"] = json!(url),
                        _ => {}
                    }
                }
                entry
            })
            .collect();
        let mut value = json!({ "items": items });
        if !self.dry_run {
            value["tags_deleted"] = json!(self.tags_deleted);
            value["tags_deleted_remote"] = json!(self.tags_deleted_remote);
        }
        value
    }

    /// The plan as a table: order, package, version, ecosystem, state, steps, tag.
    pub fn plan_text(&self) -> String {
        if self.items.is_empty() {
            return "nothing to roll back\n".to_owned();
        }
        let rows: Vec<Vec<String>> = self
            .items
            .iter()
            .map(|item| {
                vec![
                    item.name.clone(),
                    item.version_text.clone(),
                    item.ecosystem.as_str().to_owned(),
                    item.registry.clone().unwrap_or_else(|| "-".to_owned()),
                    item.state.as_str().to_owned(),
                    steps_text(item),
                ]
            })
            .collect();
        table(
            &[
                "package",
                "version",
                "ecosystem",
                "registry",
                "state",
                "steps",
            ],
            &rows,
        )
    }

    /// The summary of a run: each item's state before and result, then the counts and tags.
    pub fn summary_text(&self) -> String {
        if self.items.is_empty() {
            return "nothing to roll back\n".to_owned();
        }
        let rows: Vec<Vec<String>> = self
            .items
            .iter()
            .zip(&self.outcomes)
            .map(|(item, outcome)| {
                let result = match outcome {
                    ItemOutcome::Done("already") => "nothing left to do".to_owned(),
                    ItemOutcome::Done(done) => (*done).to_owned(),
                    ItemOutcome::Manual(url) => format!("manual: {url}"),
                    ItemOutcome::Failed(reason) => format!("failed: {reason}"),
                    ItemOutcome::NotTried => "not tried".to_owned(),
                };
                vec![
                    item.name.clone(),
                    item.version_text.clone(),
                    item.ecosystem.as_str().to_owned(),
                    item.state.as_str().to_owned(),
                    result,
                ]
            })
            .collect();
        let mut text = table(&["package", "version", "ecosystem", "was", "result"], &rows);
        let count =
            |wanted: fn(&ItemOutcome) -> bool| self.outcomes.iter().filter(|o| wanted(o)).count();
        text.push_str(&format!(
            "\n{} rolled back, {} had nothing left to do, {} manual, {} failed, {} not tried; {} tags deleted locally, {} on origin\n",
            count(|o| matches!(o, ItemOutcome::Done(done) if *done != "already")),
            count(|o| *o == ItemOutcome::Done("already")),
            count(|o| matches!(o, ItemOutcome::Manual(_))),
            count(|o| matches!(o, ItemOutcome::Failed(_))),
            count(|o| *o == ItemOutcome::NotTried),
            self.tags_deleted.len(),
            self.tags_deleted_remote.len(),
        ));
        text
    }
}

/// What is still to do for an item, in order.
fn steps(item: &YankItem) -> Vec<String> {
    let mut steps: Vec<String> = item.action.iter().map(|action| action.describe()).collect();
    if let Some(latest) = &item.latest_to {
        steps.push(format!("move latest to {latest}"));
    }
    if let Some(tag) = &item.tag {
        match (item.tag_remote, item.tag_local) {
            (true, true) => steps.push(format!("delete tag {tag} on origin and locally")),
            (true, false) => steps.push(format!("delete tag {tag} on origin")),
            (false, true) => steps.push(format!("delete tag {tag} locally")),
            (false, false) => {}
        }
    }
    steps
}

fn steps_text(item: &YankItem) -> String {
    let steps = steps(item);
    if steps.is_empty() {
        "nothing left to do".to_owned()
    } else {
        steps.join("; ")
    }
}

fn result_name(outcome: &ItemOutcome) -> &'static str {
    match outcome {
        ItemOutcome::Done(done) => done,
        ItemOutcome::Manual(_) => "manual",
        ItemOutcome::Failed(_) => "failed",
        ItemOutcome::NotTried => "not-tried",
    }
}

#[cfg(test)]
mod tests {
    use cargo_relflow_sync::Ecosystem;

    use super::super::plan::{Action, ItemState};
    use super::*;

    fn item(name: &str, state: ItemState, action: Option<Action>) -> YankItem {
        YankItem {
            index: 0,
            name: name.to_owned(),
            ecosystem: Ecosystem::Npm,
            version: semver::Version::new(1, 1, 0),
            version_text: "1.1.0".to_owned(),
            level: 0,
            registry: Some("http://127.0.0.1:1/".to_owned()),
            state,
            action,
            latest_to: None,
            tag: Some(format!("{name}@1.1.0")),
            tag_local: true,
            tag_remote: false,
        }
    }

    #[test]
    fn plan_and_summary() {
        let mut web = item("web", ItemState::Published, Some(Action::NpmDeprecate));
        web.latest_to = Some("1.0.0".to_owned());
        let mut report = YankReport {
            items: vec![web, item("done", ItemState::Deprecated, None)],
            dry_run: true,
            ..YankReport::default()
        };
        assert_eq!(
            report.plan_text(),
            "package  version  ecosystem  registry             state       steps\n\
             web      1.1.0    npm        http://127.0.0.1:1/  published   npm deprecate; move latest to 1.0.0; delete tag web@1.1.0 locally\n\
             done     1.1.0    npm        http://127.0.0.1:1/  deprecated  delete tag done@1.1.0 locally\n"
        );
        let json = report.to_json();
        assert_eq!(json["items"][0]["steps"][1], "move latest to 1.0.0");
        assert_eq!(json["items"][1]["state"], "deprecated");
        assert!(json.get("tags_deleted").is_none());
        report.dry_run = false;
        report.outcomes = vec![
            ItemOutcome::Done("deprecated"),
            ItemOutcome::Failed("boom".to_owned()),
        ];
        report.tags_deleted = vec!["web@1.1.0".to_owned()];
        let json = report.to_json();
        assert_eq!(json["items"][0]["result"], "deprecated");
        assert_eq!(json["items"][1]["reason"], "boom");
        assert_eq!(json["tags_deleted"][0], "web@1.1.0");
        assert!(report
            .summary_text()
            .ends_with("1 rolled back, 0 had nothing left to do, 0 manual, 1 failed, 0 not tried; 1 tags deleted locally, 0 on origin\n"));
    }
}
