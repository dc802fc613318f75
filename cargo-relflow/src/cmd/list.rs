//! `cargo relflow list`: every package relflow found, with its dependencies.

use camino::Utf8Path;
use cargo_relflow_sync::{names, Package, Publish, VersionSource};
use serde_json::{json, Value};

use crate::cli::DataFormat;
use crate::error::{Failure, Outcome};
use crate::repo::Repo;
use crate::ui::Ui;

/// Prints the packages, for people or as JSON.
pub fn run(start: &Utf8Path, format: DataFormat, ui: &Ui) -> Result<Outcome, Failure> {
    let repo = Repo::open(start)?;
    repo.warnings.iter().for_each(|w| ui.warn(w));
    match format {
        DataFormat::Json => {
            let packages: Vec<Value> = repo.packages().iter().map(package_json).collect();
            let text = serde_json::to_string_pretty(&json!({ "packages": packages }))
                .map_err(anyhow::Error::from)?;
            ui.data(&text);
        }
        DataFormat::Human => {
            let mut text = String::new();
            for package in repo.packages() {
                let version = package.version_text.as_deref().unwrap_or("(no version)");
                let dir = if package.dir.as_str().is_empty() {
                    "."
                } else {
                    package.dir.as_str()
                };
                let private = if package.publish.is_published() {
                    ""
                } else {
                    "  [not published]"
                };
                // A plain name shared across ecosystems means the npm package in changesets.
                let plain = if names::npm_wins_plain_name(repo.packages(), package) {
                    format!("  [plain `{}` in changesets means this one]", package.name)
                } else {
                    String::new()
                };
                text.push_str(&format!(
                    "{} {version}  {dir}{private}{plain}\n",
                    package.qualified_name()
                ));
                for dep in &package.deps {
                    let requirement = if dep.requirement.is_empty() {
                        "(path)"
                    } else {
                        &dep.requirement
                    };
                    text.push_str(&format!("    {} {requirement} ({})\n", dep.name, dep.kind));
                }
            }
            if text.is_empty() {
                ui.warn("no packages found");
            } else {
                ui.data(&text);
            }
        }
    }
    Ok(Outcome::Yes)
}

fn package_json(package: &Package) -> Value {
    json!({
        "name": package.name,
        "ecosystem": package.ecosystem.as_str(),
        "version": package.version.as_ref().map(ToString::to_string),
        "version_text": package.version_text,
        "version_source": match &package.version_source {
            VersionSource::Manifest => "manifest".to_owned(),
            VersionSource::CargoWorkspace => "workspace".to_owned(),
            VersionSource::Maturin { cargo_manifest } => format!("maturin:{cargo_manifest}"),
            VersionSource::File => "file".to_owned(),
            VersionSource::None => "none".to_owned(),
        },
        "dir": package.dir,
        "manifest": package.manifest,
        "publish": match &package.publish {
            Publish::Default => json!(true),
            Publish::No => json!(false),
            Publish::Registries(registries) => json!(registries),
        },
        "dependencies": package.deps.iter().map(|d| json!({
            "name": d.name,
            "kind": d.kind.as_str(),
            "requirement": d.requirement,
            "target": d.target,
            "rename": d.rename,
        })).collect::<Vec<_>>(),
    })
}
