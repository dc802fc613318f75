//! A [`PublishReport`] for people (the plan, the summary table) and as JSON: the SPEC's
//! `{"packages":[{"name","ecosystem","version","level","state"}]}` for the plan, the same with
//! `result` (and `reason`, `tag`) for a run.

use serde_json::{json, Value};

use super::{Outcome, PlannedPackage, PublishReport};

impl PublishReport {
    /// The plan as JSON, in publish order.
    pub fn plan_json(&self) -> Value {
        json!({
            "packages": self.packages.iter().map(|p| json!({
                "name": p.name,
                "ecosystem": p.ecosystem.as_str(),
                "version": p.version.to_string(),
                "level": p.level,
                "state": p.state.as_str(),
            })).collect::<Vec<_>>(),
        })
    }

    /// The outcome of a run as JSON: the plan's keys, then `result` (`published`,
    /// `already-published`, `not-published`, `failed`, `skipped`), `reason` for the last two,
    /// and `tag`.
    pub fn summary_json(&self) -> Value {
        json!({
            "packages": self.packages.iter().map(|p| {
                let mut entry = json!({
                    "name": p.name,
                    "ecosystem": p.ecosystem.as_str(),
                    "version": p.version.to_string(),
                    "level": p.level,
                    "state": p.state.as_str(),
                    "result": p.outcome.as_ref().map(outcome_name),
                });
                if let Some(Outcome::Failed(reason) | Outcome::Skipped(reason)) = &p.outcome {
                    entry["reason"] = json!(reason);
                }
                entry["tag"] = json!(p.tag.as_ref().filter(|_| p.tag_exists));
                entry
            }).collect::<Vec<_>>(),
            "tags_created": self.tags_created,
            "tags_pushed": self.tags_pushed,
            "releases": self.releases.iter().map(|r| json!({
                "tag": r.tag,
                "url": r.url,
                "created": r.created,
                "assets_uploaded": r.uploaded,
            })).collect::<Vec<_>>(),
        })
    }

    /// The plan as a table: level, package, version, ecosystem, state, registry, tag.
    pub fn plan_text(&self) -> String {
        if self.packages.is_empty() {
            return "no package to publish\n".to_owned();
        }
        let rows: Vec<Vec<String>> = self
            .packages
            .iter()
            .map(|p| {
                vec![
                    p.level.to_string(),
                    p.name.clone(),
                    p.version.to_string(),
                    p.ecosystem.as_str().to_owned(),
                    p.state.as_str().to_owned(),
                    p.registry.clone().unwrap_or_else(|| "-".to_owned()),
                    tag_text(p),
                ]
            })
            .collect();
        table(
            &[
                "level",
                "package",
                "version",
                "ecosystem",
                "state",
                "registry",
                "tag",
            ],
            &rows,
        )
    }

    /// The summary table of a run: what was published, what was there already, what failed
    /// (with the reason), then the tags.
    pub fn summary_text(&self) -> String {
        let rows: Vec<Vec<String>> = self
            .packages
            .iter()
            .map(|p| {
                let result = match &p.outcome {
                    Some(Outcome::Failed(reason)) => format!("failed: {reason}"),
                    Some(Outcome::Skipped(reason)) => format!("skipped: {reason}"),
                    Some(outcome) => outcome_text(outcome).to_owned(),
                    None => "planned".to_owned(),
                };
                vec![
                    p.name.clone(),
                    p.version.to_string(),
                    p.ecosystem.as_str().to_owned(),
                    result,
                ]
            })
            .collect();
        let mut text = if rows.is_empty() {
            "no package to publish\n".to_owned()
        } else {
            table(&["package", "version", "ecosystem", "result"], &rows)
        };
        let count = |wanted: fn(&Outcome) -> bool| {
            self.packages
                .iter()
                .filter(|p| p.outcome.as_ref().is_some_and(wanted))
                .count()
        };
        text.push_str(&format!(
            "\n{} published, {} already there, {} failed, {} not published (private); {} tags created, {} pushed\n",
            count(|o| *o == Outcome::Published),
            count(|o| *o == Outcome::AlreadyThere),
            count(|o| matches!(o, Outcome::Failed(_) | Outcome::Skipped(_))),
            count(|o| *o == Outcome::NotPublished),
            self.tags_created.len(),
            self.tags_pushed.len(),
        ));
        if !self.releases.is_empty() {
            let created = self.releases.iter().filter(|r| r.created).count();
            let uploaded: usize = self.releases.iter().map(|r| r.uploaded.len()).sum();
            text.push_str(&format!(
                "{created} forge releases created, {} there already; {uploaded} assets uploaded\n",
                self.releases.len() - created
            ));
        }
        text
    }
}

fn tag_text(package: &PlannedPackage) -> String {
    match &package.tag {
        Some(tag) if package.tag_exists => tag.clone(),
        Some(tag) => format!("{tag} (new)"),
        None => "-".to_owned(),
    }
}

fn outcome_name(outcome: &Outcome) -> &'static str {
    match outcome {
        Outcome::Published => "published",
        Outcome::AlreadyThere => "already-published",
        Outcome::NotPublished => "not-published",
        Outcome::Failed(_) => "failed",
        Outcome::Skipped(_) => "skipped",
    }
}

fn outcome_text(outcome: &Outcome) -> &'static str {
    match outcome {
        Outcome::Published => "published",
        Outcome::AlreadyThere => "already there",
        Outcome::NotPublished => "not published (private)",
        Outcome::Failed(_) => "failed",
        Outcome::Skipped(_) => "skipped",
    }
}

/// Left-aligned columns two spaces apart; the last column is not padded.
pub(crate) fn table(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let line = |cells: Vec<&str>| {
        let last = cells.len().saturating_sub(1);
        let mut text = String::new();
        for (at, (cell, width)) in cells.iter().zip(&widths).enumerate() {
            if at == last {
                text.push_str(cell);
            } else {
                text.push_str(&format!("{cell:<width$}  "));
            }
        }
        text.trim_end().to_owned() + "\n"
    };
    let mut text = line(header.to_vec());
    for row in rows {
        text.push_str(&line(row.iter().map(String::as_str).collect()));
    }
    text
}

#[cfg(test)]
mod tests {
    use cargo_relflow_sync::Ecosystem;

    use super::super::PlanState;
    use super::*;

    fn planned(
        name: &str,
        level: usize,
        state: PlanState,
        outcome: Option<Outcome>,
    ) -> PlannedPackage {
        PlannedPackage {
            name: name.to_owned(),
            ecosystem: Ecosystem::Cargo,
            version: semver::Version::new(1, 0, 0),
            level,
            state,
            registry: Some("registry `local`".to_owned()),
            tag: Some(format!("{name}@1.0.0")),
            tag_exists: false,
            outcome,
        }
    }

    #[test]
    fn plan_as_json_and_text() {
        let report = PublishReport {
            packages: vec![
                planned("core", 0, PlanState::Unpublished, None),
                planned("cli", 1, PlanState::Unknown, None),
            ],
            ..PublishReport::default()
        };
        assert_eq!(
            report.plan_json().to_string(),
            r#"{"packages":[{"name":"core","ecosystem":"cargo","version":"1.0.0","level":0,"state":"unpublished"},{"name":"cli","ecosystem":"cargo","version":"1.0.0","level":1,"state":"unknown"}]}"#
        );
        assert_eq!(
            report.plan_text(),
            "level  package  version  ecosystem  state        registry          tag\n\
             0      core     1.0.0    cargo      unpublished  registry `local`  core@1.0.0 (new)\n\
             1      cli      1.0.0    cargo      unknown      registry `local`  cli@1.0.0 (new)\n"
        );
    }

    #[test]
    fn summary_counts_and_reasons() {
        let mut published = planned("core", 0, PlanState::Unpublished, Some(Outcome::Published));
        published.tag_exists = true;
        let report = PublishReport {
            packages: vec![
                published,
                planned(
                    "cli",
                    1,
                    PlanState::Unpublished,
                    Some(Outcome::Failed("error: boom".to_owned())),
                ),
            ],
            tags_created: vec!["core@1.0.0".to_owned()],
            ..PublishReport::default()
        };
        assert_eq!(
            report.summary_text(),
            "package  version  ecosystem  result\n\
             core     1.0.0    cargo      published\n\
             cli      1.0.0    cargo      failed: error: boom\n\
             \n1 published, 0 already there, 1 failed, 0 not published (private); 1 tags created, 0 pushed\n"
        );
        let json = report.summary_json();
        assert_eq!(json["packages"][0]["result"], "published");
        assert_eq!(json["packages"][0]["tag"], "core@1.0.0");
        assert_eq!(json["packages"][1]["reason"], "error: boom");
        assert_eq!(json["packages"][1]["tag"], Value::Null);
    }
}
