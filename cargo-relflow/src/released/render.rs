//! A [`ReleasedReport`] for people, as JSON
//! (`{"commit","parent","released":[{"name","ecosystem","old_version","new_version","tag","tag_exists"}]}`)
//! and as a markdown table.

use serde_json::{json, Value};

use super::{ReleasedPackage, ReleasedReport};
use crate::publish::report::table;

impl ReleasedReport {
    /// The report as JSON; `old_version` is `null` for a package new in the commit.
    pub fn to_json(&self) -> Value {
        json!({
            "commit": self.commit,
            "parent": self.parent,
            "released": self.packages.iter().map(|p| json!({
                "name": p.name,
                "ecosystem": p.ecosystem.as_str(),
                "old_version": p.old_version,
                "new_version": p.new_version,
                "tag": p.tag,
                "tag_exists": p.tag_exists,
            })).collect::<Vec<_>>(),
        })
    }

    /// A table: package, ecosystem, old and new version, tag.
    pub fn to_text(&self) -> String {
        if self.packages.is_empty() {
            return format!("commit {} released no package\n", self.short());
        }
        let rows: Vec<Vec<String>> = self
            .packages
            .iter()
            .map(|p| {
                vec![
                    p.name.clone(),
                    p.ecosystem.as_str().to_owned(),
                    p.old_version.clone().unwrap_or_else(|| "-".to_owned()),
                    p.new_version.clone(),
                    tag_text(p),
                ]
            })
            .collect();
        table(&["package", "ecosystem", "old", "new", "tag"], &rows)
    }

    /// A markdown table for a pull-request or job summary.
    pub fn to_markdown(&self) -> String {
        if self.packages.is_empty() {
            return format!("Commit `{}` released no package.\n", self.short());
        }
        let mut text = format!(
            "Commit `{}` released:\n\n| Package | Ecosystem | Old | New | Tag |\n|---|---|---|---|---|\n",
            self.short()
        );
        for p in &self.packages {
            text.push_str(&format!(
                "| `{}` | {} | {} | {} | {} |\n",
                p.name,
                p.ecosystem.as_str(),
                p.old_version.as_deref().unwrap_or("-"),
                p.new_version,
                p.tag
                    .as_ref()
                    .map_or_else(|| "-".to_owned(), |tag| format!("`{tag}`{}", missing(p))),
            ));
        }
        text
    }

    fn short(&self) -> &str {
        &self.commit[..self.commit.len().min(7)]
    }
}

fn tag_text(package: &ReleasedPackage) -> String {
    match &package.tag {
        Some(tag) => format!("{tag}{}", missing(package)),
        None => "-".to_owned(),
    }
}

fn missing(package: &ReleasedPackage) -> &'static str {
    if package.tag_exists {
        ""
    } else {
        " (not tagged yet)"
    }
}

#[cfg(test)]
mod tests {
    use cargo_relflow_sync::Ecosystem;

    use super::*;

    #[test]
    fn json_text_and_markdown() {
        let report = ReleasedReport {
            commit: "0123456789abcdef".to_owned(),
            parent: None,
            packages: vec![ReleasedPackage {
                index: 0,
                name: "core".to_owned(),
                ecosystem: Ecosystem::Cargo,
                old_version: None,
                new_version: "1.0.0".to_owned(),
                version: semver::Version::new(1, 0, 0),
                tag: Some("core@1.0.0".to_owned()),
                tag_exists: false,
            }],
        };
        assert_eq!(
            report.to_json().to_string(),
            r#"{"commit":"0123456789abcdef","parent":null,"released":[{"name":"core","ecosystem":"cargo","old_version":null,"new_version":"1.0.0","tag":"core@1.0.0","tag_exists":false}]}"#
        );
        assert_eq!(
            report.to_text(),
            "package  ecosystem  old  new    tag\ncore     cargo      -    1.0.0  core@1.0.0 (not tagged yet)\n"
        );
        assert!(report
            .to_markdown()
            .contains("| `core` | cargo | - | 1.0.0 | `core@1.0.0` (not tagged yet) |"));
        let empty = ReleasedReport {
            packages: Vec::new(),
            ..report
        };
        assert_eq!(empty.to_text(), "commit 0123456 released no package\n");
    }
}
