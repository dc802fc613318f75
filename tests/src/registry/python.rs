//! pypiserver: a Python package index that `twine upload` talks to, with one htpasswd user
//! allowed to upload and `--disable-fallback`, so an unknown project is a 404 rather than a
//! redirect to the public index.

use std::path::{Path, PathBuf};
use std::process::Command;

use super::{server_dir, tool, ServerProcess};

/// The user that may upload.
pub const USER: &str = "relflow";
/// Its password.
pub const PASSWORD: &str = "relflow-test-password";

/// A running pypiserver, and the venv it came from (with twine and build).
pub struct PypiServer {
    server: ServerProcess,
    venv: PathBuf,
    _dir: tempfile::TempDir,
}

impl PypiServer {
    /// Starts pypiserver with an empty package directory on a free port.
    pub fn start() -> Option<PypiServer> {
        let venv = tool(
            "RELFLOW_PYTHON_VENV",
            "target/tools/python",
            "the Python venv",
        )?;
        let dir = server_dir("pypiserver");
        let htpasswd = dir.path().join("htpasswd");
        let packages = dir.path().join("packages");
        std::fs::create_dir_all(&packages).expect("create the package directory");
        let made = Command::new(venv.join("bin/python"))
            .args([
                "-c",
                "import sys; from passlib.apache import HtpasswdFile; \
                 h = HtpasswdFile(sys.argv[1], new=True); h.set_password(sys.argv[2], sys.argv[3]); h.save()",
            ])
            .arg(&htpasswd)
            .args([USER, PASSWORD])
            .output()
            .expect("run passlib");
        assert!(
            made.status.success(),
            "passlib failed: {}",
            String::from_utf8_lossy(&made.stderr)
        );
        let server = ServerProcess::start("pypiserver", dir.path(), "/health", |port| {
            let mut command = Command::new(venv.join("bin/pypi-server"));
            command
                .args(["run", "-i", "127.0.0.1", "-p", &port.to_string(), "-P"])
                .arg(&htpasswd)
                .args(["-a", "update", "--disable-fallback"])
                .arg(&packages);
            command
        });
        Some(PypiServer {
            server,
            venv,
            _dir: dir,
        })
    }

    /// The upload URL twine is given: `http://127.0.0.1:PORT/`.
    pub fn upload_url(&self) -> String {
        format!("{}/", self.server.origin())
    }

    /// The PEP 503 simple index: `http://127.0.0.1:PORT/simple/`.
    pub fn simple_url(&self) -> String {
        format!("{}/simple/", self.server.origin())
    }

    /// A program of the venv (`python`, `twine`, ...).
    pub fn bin(&self, name: &str) -> PathBuf {
        self.venv.join("bin").join(name)
    }

    /// `python -m build --no-isolation --outdir OUT` for the project in `dir` (the backends are in
    /// the venv, so nothing is downloaded).
    pub fn build(&self, dir: &Path, out: &Path) -> Command {
        let mut command = Command::new(self.bin("python"));
        command
            .current_dir(dir)
            .args(["-m", "build", "--no-isolation", "--outdir"])
            .arg(out);
        command
    }

    /// `twine upload` of `files` to this server with the test user's credentials.
    pub fn twine_upload(&self, files: &[PathBuf]) -> Command {
        let mut command = Command::new(self.bin("twine"));
        command
            .args([
                "upload",
                "--non-interactive",
                "--disable-progress-bar",
                "--repository-url",
                &self.upload_url(),
            ])
            .args(files)
            .env("TWINE_USERNAME", USER)
            .env("TWINE_PASSWORD", PASSWORD)
            .env("UV_PUBLISH_USERNAME", USER)
            .env("UV_PUBLISH_PASSWORD", PASSWORD);
        command
    }

    /// Points `command` (relflow, which runs the build and twine or uv) at this server's tools
    /// and user: the venv's `bin` first on `PATH` (so `python3 -m build` and `twine` are the
    /// venv's), and the user in `TWINE_USERNAME` / `TWINE_PASSWORD` and `UV_PUBLISH_USERNAME` /
    /// `UV_PUBLISH_PASSWORD`.
    pub fn configure<'c>(&self, command: &'c mut Command) -> &'c mut Command {
        let mut path = vec![self.venv.join("bin")];
        path.extend(std::env::split_paths(
            &std::env::var_os("PATH").unwrap_or_default(),
        ));
        command
            .env(
                "PATH",
                std::env::join_paths(path).expect("PATH entries without separators"),
            )
            .env("TWINE_USERNAME", USER)
            .env("TWINE_PASSWORD", PASSWORD)
            .env("UV_PUBLISH_USERNAME", USER)
            .env("UV_PUBLISH_PASSWORD", PASSWORD)
            .env_remove("TWINE_REPOSITORY_URL")
    }

    /// What pypiserver printed so far.
    pub fn log(&self) -> String {
        self.server.log()
    }
}
