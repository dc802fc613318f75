//! Real registry servers on 127.0.0.1 for publish tests, each started on a free port, waited
//! for, and killed when its value is dropped:
//! - [`cargo::CargoRegistry`]: ferro-cargo-registry-server, a sparse registry that the real
//!   `cargo publish` talks to, optionally behind [`proxy::RegistryProxy`] (a delayed index, 429s);
//! - [`npm::Verdaccio`]: verdaccio under Node 22, with users and tokens;
//! - [`python::PypiServer`]: pypiserver with an htpasswd user, for `twine upload`.
//!
//! `cargo xtask test` installs the servers under `target/tools/` and names them in
//! `RELFLOW_CARGO_REGISTRY_SERVER`, `RELFLOW_NODE`, `RELFLOW_VERDACCIO` and
//! `RELFLOW_PYTHON_VENV`; without those variables the same `target/tools/` paths are tried. A
//! server whose tool is missing makes `start` return `None` after saying so on stderr, and
//! panics when `CI` is set: a test never passes silently for want of a tool.
//!
//! ```no_run
//! use relflow_tests::registry::npm::Verdaccio;
//! let Some(verdaccio) = Verdaccio::start() else { return };
//! let token = verdaccio.add_user("ci", "secret");
//! assert!(verdaccio.url().starts_with("http://127.0.0.1:"));
//! ```

pub mod cargo;
pub mod npm;
pub mod proxy;
pub mod python;

use std::fs::File;
use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// How long a server may take to answer its readiness URL.
const READY_TIMEOUT: Duration = Duration::from_secs(60);
/// How many ports a server is tried on before giving up (another process may take a free port
/// between the check and the server's bind).
const START_ATTEMPTS: usize = 3;

/// An installed tool, found through its variable or under `target/tools/`.
///
/// `None` when missing, after printing why on stderr; panics instead when `CI` is set.
#[expect(
    clippy::print_stderr,
    reason = "a test that cannot run says so where `cargo test` shows it"
)]
pub fn tool(variable: &str, default: &str, what: &str) -> Option<PathBuf> {
    let path = std::env::var_os(variable)
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join(default));
    if path.exists() {
        return Some(path);
    }
    let message = format!(
        "{what} is missing: `{}` does not exist (set {variable}, or run `cargo xtask tools`)",
        path.display()
    );
    assert!(std::env::var_os("CI").is_none(), "{message}");
    eprintln!("SKIPPED (not in CI): {message}");
    None
}

/// The workspace root (the parent of the `tests` crate).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
}

/// A port on 127.0.0.1 that was free a moment ago.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|addr| addr.port())
        .expect("bind a free port on 127.0.0.1")
}

/// A running server process, killed (by its PID) and reaped on drop. Its stdout and stderr go to
/// `log` for failure messages.
pub struct ServerProcess {
    child: Child,
    /// The address it listens on.
    pub addr: SocketAddr,
    log: PathBuf,
}

impl ServerProcess {
    /// Starts `command(port)` on a free port until `ready_path` answers 200 there, trying a few
    /// ports; panics with the server's log when it never gets ready.
    pub fn start(
        name: &str,
        log_dir: &Path,
        ready_path: &str,
        mut command: impl FnMut(u16) -> Command,
    ) -> ServerProcess {
        let mut last_log = String::new();
        for attempt in 0..START_ATTEMPTS {
            let port = free_port();
            let log = log_dir.join(format!("{name}-{attempt}.log"));
            let out = File::create(&log).expect("create server log");
            let err = out.try_clone().expect("clone log handle");
            let child = command(port)
                .stdin(Stdio::null())
                .stdout(out)
                .stderr(err)
                .spawn()
                .unwrap_or_else(|e| panic!("cannot start {name}: {e}"));
            let mut server = ServerProcess {
                child,
                addr: SocketAddr::from(([127, 0, 0, 1], port)),
                log,
            };
            if server.wait_ready(ready_path) {
                return server;
            }
            last_log = server.log();
        }
        panic!("{name} did not get ready after {START_ATTEMPTS} attempts; last log:\n{last_log}");
    }

    /// `http://127.0.0.1:PORT` (no trailing slash).
    pub fn origin(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// What the server printed so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Polls `path` until it answers 200; false when the process exits or time runs out.
    fn wait_ready(&mut self, path: &str) -> bool {
        let url = format!("{}{path}", self.origin());
        let agent = agent(Duration::from_secs(2));
        let started = Instant::now();
        while started.elapsed() < READY_TIMEOUT {
            if matches!(self.child.try_wait(), Ok(Some(_))) {
                return false;
            }
            if agent
                .get(&url)
                .call()
                .is_ok_and(|response| response.status() == 200)
            {
                return true;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        false
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A plain HTTP client for the harness: no status is an error, no proxy from the environment,
/// no redirects followed, no compression asked for (the proxy passes bodies on as they are).
pub fn agent(timeout: Duration) -> ureq::Agent {
    ureq::Agent::config_builder()
        .timeout_global(Some(timeout))
        .http_status_as_error(false)
        .proxy(None)
        .max_redirects(0)
        .accept_encoding("")
        .build()
        .into()
}

/// A fresh temporary directory for one server's files.
pub fn server_dir(name: &str) -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix(&format!("relflow-{name}-"))
        .tempdir()
        .expect("create server temp dir")
}
