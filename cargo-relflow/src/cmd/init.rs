//! `cargo relflow init`: the `.changeset` folder and a commented relflow.toml.

use camino::Utf8Path;
use cargo_relflow_sync::config::CONFIG_FILE;
use cargo_relflow_sync::discover::{self, Workspace};
use cargo_relflow_sync::txn::Transaction;

use crate::error::{Failure, Outcome};
use crate::lock::RepoLock;
use crate::repo::CHANGESET_DIR;
use crate::ui::Ui;

const README: &str = "# Changesets

Hello and welcome! This folder holds changesets: small markdown files that record which
packages a change releases, by how much (major, minor or patch), and the summary that goes
into their changelogs.

Add one with `cargo relflow changeset` (or `npx changeset`: the format is the same as the
JavaScript [Changesets](https://github.com/changesets/changesets) tool's). See the plan with
`cargo relflow changeset status`, and apply it with `cargo relflow version`.
";

const CONFIG_JSON: &str = r#"{
  "$schema": "https://unpkg.com/@changesets/config@3.0.0/schema.json",
  "changelog": "@changesets/cli/changelog",
  "commit": false,
  "fixed": [],
  "linked": [],
  "access": "restricted",
  "baseBranch": "main",
  "updateInternalDependencies": "patch",
  "ignore": [],
  "privatePackages": { "version": true, "tag": true }
}
"#;

/// Writes each missing file; existing ones are left as they are.
pub fn run(start: &Utf8Path, ui: &Ui) -> Result<Outcome, Failure> {
    let lock = RepoLock::acquire(start, ui)?;
    let root = lock.root().to_owned();
    let workspace = discover::discover(&root)?;
    let mut txn = Transaction::new();
    let mut plan = |relative: &str, text: String| {
        let path = root.join(relative);
        if path.exists() {
            ui.status(
                "Skipping",
                &format!("`{relative}` exists and is left as it is"),
            );
        } else {
            ui.status("Creating", &format!("`{relative}`"));
            txn.write(path, text);
        }
    };
    plan(&format!("{CHANGESET_DIR}/README.md"), README.to_owned());
    plan(
        &format!("{CHANGESET_DIR}/config.json"),
        CONFIG_JSON.to_owned(),
    );
    let configured_in_cargo = workspace
        .config
        .source
        .as_ref()
        .is_some_and(|s| s.path.as_str() != CONFIG_FILE);
    if configured_in_cargo {
        ui.status(
            "Skipping",
            &format!("`{CONFIG_FILE}`: relflow is configured in `[workspace.metadata.relflow]`"),
        );
    } else {
        plan(CONFIG_FILE, relflow_toml(&workspace));
    }
    lock.commit(txn)?;
    Ok(Outcome::Yes)
}

/// A relflow.toml whose every line is a comment: the packages found and the keys to set.
fn relflow_toml(workspace: &Workspace) -> String {
    let mut text = String::from(
        "# cargo relflow configuration. Every key is optional; see the README for all of them.\n#\n# Packages found in this repository:\n",
    );
    if workspace.packages.is_empty() {
        text.push_str("#   (none yet)\n");
    }
    for package in &workspace.packages {
        let version = package.version_text.as_deref().unwrap_or("no version");
        let private = if package.publish.is_published() {
            ""
        } else {
            ", not published"
        };
        text.push_str(&format!(
            "#   {:<40} {version}  ({}{private})\n",
            package.qualified_name(),
            if package.dir.as_str().is_empty() {
                "."
            } else {
                package.dir.as_str()
            },
        ));
    }
    text.push_str(
        r#"
# base_branch = "main"
# tag_format = "{name}@{version}"
# fixed = [["cargo:core", "npm:@acme/core", "python:acme"]]   # always one version
# linked = []
# ignore = []
# update_internal_dependencies = "patch"
# private_packages = { version = true, tag = true }
#
# [[package]]
# name = "npm:@acme/core"
# depends_on = ["cargo:core"]        # publish the crate first
#
# [[sync]]                           # another file that carries a version
# package = "app"
# file = "src-tauri/tauri.conf.json"
# json = "/version"
"#,
    );
    text
}
