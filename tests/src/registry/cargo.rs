//! ferro-cargo-registry-server: a sparse cargo registry that the real `cargo publish` talks to,
//! alone or behind [`RegistryProxy`].

use std::path::PathBuf;
use std::process::Command;

use super::proxy::{ProxySettings, RegistryProxy};
use super::{server_dir, tool, ServerProcess};

/// A running cargo registry, with its data directory and a fresh `CARGO_HOME` for the cargo
/// commands that use it (so no stale index cache is read).
pub struct CargoRegistry {
    // Dropped first: the proxy stops before the server it forwards to.
    proxy: Option<RegistryProxy>,
    server: ServerProcess,
    dir: tempfile::TempDir,
}

impl CargoRegistry {
    /// The registry alone.
    pub fn start() -> Option<CargoRegistry> {
        CargoRegistry::launch(None)
    }

    /// The registry behind a [`RegistryProxy`] with `settings`: every URL it hands out (index,
    /// API, downloads) is the proxy's.
    pub fn start_behind_proxy(settings: ProxySettings) -> Option<CargoRegistry> {
        CargoRegistry::launch(Some(settings))
    }

    fn launch(proxy_settings: Option<ProxySettings>) -> Option<CargoRegistry> {
        let binary = tool(
            "RELFLOW_CARGO_REGISTRY_SERVER",
            "target/tools/cargo/bin/ferro-cargo-registry-server",
            "ferro-cargo-registry-server",
        )?;
        let dir = server_dir("cargo-registry");
        std::fs::create_dir_all(dir.path().join("cargo-home")).expect("create CARGO_HOME");
        // The proxy's listener is bound first: the server advertises the proxy's address.
        let listener = proxy_settings.map(|settings| (RegistryProxy::bind(), settings));
        let data = dir.path().join("data");
        let server = ServerProcess::start("ferro-cargo-registry-server", dir.path(), "/ready", {
            let advertised = listener.as_ref().map(|(bound, _)| bound.origin());
            move |port| {
                let origin = format!("http://127.0.0.1:{port}");
                let mut command = Command::new(&binary);
                command
                    .env("FERRO_CARGO_REGISTRY_LISTEN", format!("127.0.0.1:{port}"))
                    .env("FERRO_CARGO_REGISTRY_DATA", &data)
                    .env(
                        "FERRO_CARGO_REGISTRY_API",
                        advertised.clone().unwrap_or(origin),
                    );
                command
            }
        });
        let proxy = listener.map(|(bound, settings)| bound.run(server.addr, settings));
        Some(CargoRegistry { proxy, server, dir })
    }

    /// The index URL cargo is given: `sparse+http://127.0.0.1:PORT/` (the proxy's port when
    /// there is one).
    pub fn index_url(&self) -> String {
        format!("sparse+{}/", self.origin())
    }

    /// `http://127.0.0.1:PORT` of what cargo talks to.
    pub fn origin(&self) -> String {
        self.proxy
            .as_ref()
            .map_or_else(|| self.server.origin(), RegistryProxy::origin)
    }

    /// The proxy, when started behind one.
    pub fn proxy(&self) -> Option<&RegistryProxy> {
        self.proxy.as_ref()
    }

    /// `.cargo/config.toml` text that names this registry `name`.
    pub fn cargo_config(&self, name: &str) -> String {
        format!("[registries.{name}]\nindex = \"{}\"\n", self.index_url())
    }

    /// The fresh `CARGO_HOME` for commands that use this registry.
    pub fn cargo_home(&self) -> PathBuf {
        self.dir.path().join("cargo-home")
    }

    /// `http://127.0.0.1:PORT` of the registry server itself, bypassing the proxy.
    pub fn server_origin(&self) -> String {
        self.server.origin()
    }

    /// A `cargo` command for this registry as `name`: see [`CargoRegistry::configure`].
    pub fn cargo(&self, name: &str, token: &str) -> Command {
        let mut command = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
        self.configure(&mut command, name, token);
        command
    }

    /// Points `command` (cargo, or relflow, which runs cargo) at this registry as `name`: the
    /// fresh `CARGO_HOME`, `token` in `CARGO_REGISTRIES_<NAME>_TOKEN`, and `RUSTUP_HOME` kept, so
    /// that cargo still finds its toolchain when a test points `HOME` elsewhere.
    pub fn configure<'c>(
        &self,
        command: &'c mut Command,
        name: &str,
        token: &str,
    ) -> &'c mut Command {
        let variable = format!(
            "CARGO_REGISTRIES_{}_TOKEN",
            name.to_ascii_uppercase().replace('-', "_")
        );
        command
            .env("CARGO_HOME", self.cargo_home())
            .env(variable, token)
            .env_remove("CARGO_REGISTRY_TOKEN");
        let rustup_home = std::env::var_os("RUSTUP_HOME")
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".rustup")));
        if let Some(rustup_home) = rustup_home.filter(|dir| dir.exists()) {
            command.env("RUSTUP_HOME", rustup_home);
        }
        command
    }

    /// What the server printed so far.
    pub fn log(&self) -> String {
        self.server.log()
    }
}
