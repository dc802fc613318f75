//! Which forge a repository releases to: `[forge]` in relflow.toml first, then the `origin`
//! remote's URL (`git@host:owner/name.git`, `ssh://git@host:2222/owner/name`,
//! `https://host/owner/name.git`).

use std::fmt;

use cargo_relflow_sync::config::{ConfigSource, ForgeConfig};
use cargo_relflow_sync::InputError;

/// The forges relflow speaks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ForgeKind {
    /// GitHub and GitHub Enterprise Server (REST v3).
    GitHub,
    /// Gitea and Forgejo (`/api/v1`).
    Gitea,
    /// GitLab (`/api/v4`).
    GitLab,
}

impl ForgeKind {
    /// The environment variable its token is read from.
    pub fn token_variable(self) -> &'static str {
        match self {
            ForgeKind::GitHub => "GITHUB_TOKEN",
            ForgeKind::Gitea => "GITEA_TOKEN",
            ForgeKind::GitLab => "GITLAB_TOKEN",
        }
    }

    /// `github`, `gitea`, `gitlab`: the name `[forge] kind` takes.
    pub fn as_str(self) -> &'static str {
        match self {
            ForgeKind::GitHub => "github",
            ForgeKind::Gitea => "gitea",
            ForgeKind::GitLab => "gitlab",
        }
    }

    fn from_config(kind: &str) -> Option<ForgeKind> {
        match kind {
            "github" => Some(ForgeKind::GitHub),
            "gitea" | "forgejo" => Some(ForgeKind::Gitea),
            "gitlab" => Some(ForgeKind::GitLab),
            _ => None,
        }
    }

    /// The forge a well-known host runs.
    fn from_host(host: &str) -> Option<ForgeKind> {
        let host = host.to_ascii_lowercase();
        let first = host.split('.').next().unwrap_or("");
        if host == "github.com" || host.ends_with(".ghe.com") {
            Some(ForgeKind::GitHub)
        } else if host == "gitlab.com" || first == "gitlab" {
            Some(ForgeKind::GitLab)
        } else if matches!(host.as_str(), "codeberg.org" | "gitea.com")
            || matches!(first, "gitea" | "forgejo")
        {
            Some(ForgeKind::Gitea)
        } else {
            None
        }
    }

    /// The API base URL of this forge on a host reached at `origin` (`https://host[:port]`).
    fn api_url(self, origin: &str) -> String {
        match self {
            ForgeKind::GitHub if origin == "https://github.com" => "https://api.github.com".into(),
            ForgeKind::GitHub if origin.ends_with(".ghe.com") => {
                origin.replacen("https://", "https://api.", 1)
            }
            ForgeKind::GitHub => format!("{origin}/api/v3"),
            ForgeKind::Gitea => format!("{origin}/api/v1"),
            ForgeKind::GitLab => format!("{origin}/api/v4"),
        }
    }
}

impl fmt::Display for ForgeKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ForgeKind::GitHub => "GitHub",
            ForgeKind::Gitea => "Gitea",
            ForgeKind::GitLab => "GitLab",
        })
    }
}

/// A forge, its API and the repository on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ForgeSpec {
    /// Which forge.
    pub kind: ForgeKind,
    /// The API base URL, without a trailing slash.
    pub api_url: String,
    /// The repository's path on the forge (`owner/name`, GitLab `group/sub/name`).
    pub repository: String,
}

/// Why a repository has no forge.
#[derive(Debug)]
pub enum Unresolved {
    /// The configuration or the `origin` URL is wrong (exit 2).
    Input(InputError),
    /// Nothing says which forge: no `[forge]`, and `origin` is missing, a local path, or a host
    /// relflow does not know. The text says which.
    NotAForge(String),
}

/// A remote URL taken apart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteUrl {
    /// The host, lower case, without user-info or port.
    pub host: String,
    /// `https://host[:port]` (the port only for http(s) URLs; `http` kept for http URLs).
    pub web_origin: String,
    /// The repository path without a leading `/` or trailing `.git`.
    pub path: String,
}

/// Takes `url` apart; `Ok(None)` for a local path (`/srv/repo.git`, `../up`, `file://...`).
pub fn parse_remote_url(url: &str) -> Result<Option<RemoteUrl>, String> {
    let url = url.trim();
    if url.is_empty() {
        return Err("the URL is empty".into());
    }
    let (scheme, authority, path) = if let Some((scheme, rest)) = url.split_once("://") {
        let scheme = scheme.to_ascii_lowercase();
        if scheme == "file" {
            return Ok(None);
        }
        if !matches!(
            scheme.as_str(),
            "https" | "http" | "ssh" | "git" | "git+ssh"
        ) {
            return Err(format!("`{scheme}://` is not a scheme git remotes use"));
        }
        let end = rest.find('/').unwrap_or(rest.len());
        (scheme, &rest[..end], &rest[end..])
    } else if url.starts_with(['/', '.', '~']) || is_windows_path(url) {
        return Ok(None);
    } else if let Some((authority, path)) = url.split_once(':') {
        // scp-like: [user@]host:path.
        if authority.contains('/') {
            return Ok(None);
        }
        ("ssh".to_owned(), authority, path)
    } else {
        return Ok(None);
    };
    let host_port = authority.rsplit('@').next().unwrap_or(authority);
    let host = match host_port.rsplit_once(':') {
        Some((host, port)) if port.chars().all(|c| c.is_ascii_digit()) => host,
        _ => host_port,
    };
    if host.is_empty() || host.contains(char::is_whitespace) {
        return Err("it has no host".into());
    }
    let host = host.to_ascii_lowercase();
    let web_origin = match scheme.as_str() {
        "http" => format!("http://{}", host_port.to_ascii_lowercase()),
        "https" => format!("https://{}", host_port.to_ascii_lowercase()),
        _ => format!("https://{host}"),
    };
    let path = path
        .trim_matches('/')
        .trim_end_matches(".git")
        .trim_end_matches('/');
    let segments: Vec<&str> = path.split('/').collect();
    if segments.len() < 2 || segments.iter().any(|s| s.is_empty()) {
        return Err(format!(
            "`{path}` is not a repository path (`owner/name`) on `{host}`"
        ));
    }
    Ok(Some(RemoteUrl {
        host,
        web_origin,
        path: path.to_owned(),
    }))
}

fn is_windows_path(url: &str) -> bool {
    let bytes = url.as_bytes();
    bytes.len() > 2 && bytes[0].is_ascii_alphabetic() && bytes[1] == b':' && bytes[2] == b'\\'
}

/// The forge of a repository with `config` (its `[forge]` table, if any, from `source`) and
/// the `origin` remote's URL (`None`: no `origin`).
pub fn resolve(
    config: Option<&ForgeConfig>,
    source: Option<&ConfigSource>,
    origin: Option<&str>,
) -> Result<ForgeSpec, Unresolved> {
    let config_error = |message: String, at: Option<usize>| {
        let mut error = match source {
            Some(source) => {
                let error = InputError::in_file(&source.path, message);
                match at {
                    Some(at) => error.at_offset(&source.text, at),
                    None => error,
                }
            }
            None => InputError::new(message),
        };
        error = error.with_hint("set `[forge] kind`, `api_url` and `repository` in relflow.toml");
        Unresolved::Input(error)
    };
    let remote = match origin {
        Some(url) => parse_remote_url(url).map_err(|why| {
            Unresolved::Input(
                InputError::new(format!(
                    "the `origin` remote's URL `{}` cannot be read as a forge repository: {why}",
                    crate::registry::http::redact_url(url)
                ))
                .with_hint(
                    "fix it with `git remote set-url origin URL`, or set `[forge] repository` \
                     and `api_url` in relflow.toml",
                ),
            )
        }),
        None => Ok(None),
    };
    let configured = config.is_some_and(|c| c.kind.is_some() || c.api_url.is_some());
    // A bad origin only matters when the forge is read from it.
    let remote = match remote {
        Ok(remote) => remote,
        Err(error) if !configured || config.is_some_and(|c| c.repository.is_none()) => {
            return Err(error)
        }
        Err(_) => None,
    };
    let kind_at = config.and_then(|c| c.kind.as_ref()).map(|k| k.span().start);
    let kind = match config.and_then(|c| c.kind.as_ref()) {
        Some(kind) => ForgeKind::from_config(kind.get_ref()),
        None => remote.as_ref().and_then(|r| ForgeKind::from_host(&r.host)),
    };
    let Some(kind) = kind else {
        return Err(match (&remote, configured) {
            (_, true) => config_error(
                "`[forge]` has an `api_url` but no `kind`".into(),
                config
                    .and_then(|c| c.api_url.as_ref())
                    .map(|u| u.span().start),
            ),
            (Some(remote), false) => Unresolved::NotAForge(format!(
                "`origin` is on `{}`, which is not a forge relflow knows by name",
                remote.host
            )),
            (None, false) if origin.is_some() => {
                Unresolved::NotAForge("`origin` is a local path, not a forge".into())
            }
            (None, false) => Unresolved::NotAForge("there is no `origin` remote".into()),
        });
    };
    let api_url = match config.and_then(|c| c.api_url.as_ref()) {
        Some(url) => url.get_ref().trim_end_matches('/').to_owned(),
        None => match &remote {
            Some(remote) => kind.api_url(&remote.web_origin),
            None => return Err(config_error(
                "`[forge]` has no `api_url`, and there is no forge URL in `origin` to read it from"
                    .into(),
                kind_at,
            )),
        },
    };
    let repository = match config.and_then(|c| c.repository.as_ref()) {
        Some(repository) => repository.get_ref().clone(),
        None => match &remote {
            Some(remote) => remote.path.clone(),
            None => {
                return Err(config_error(
                    "`[forge]` has no `repository`, and there is no forge URL in `origin` to read it from"
                        .into(),
                    kind_at,
                ))
            }
        },
    };
    Ok(ForgeSpec {
        kind,
        api_url,
        repository,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(origin: &str) -> ForgeSpec {
        resolve(None, None, Some(origin)).unwrap()
    }

    #[test]
    fn remote_urls_in_every_form() {
        let parsed = parse_remote_url("git@github.com:acme/widgets.git")
            .unwrap()
            .unwrap();
        assert_eq!(parsed.host, "github.com");
        assert_eq!(parsed.path, "acme/widgets");
        assert_eq!(parsed.web_origin, "https://github.com");
        let parsed = parse_remote_url("ssh://git@gitlab.example:2222/a/b/c.git")
            .unwrap()
            .unwrap();
        assert_eq!(parsed.web_origin, "https://gitlab.example");
        assert_eq!(parsed.path, "a/b/c");
        let parsed = parse_remote_url("https://me:tok@Git.Example:8443/o/r/")
            .unwrap()
            .unwrap();
        assert_eq!(parsed.web_origin, "https://git.example:8443");
        assert_eq!(parsed.path, "o/r");
        for local in ["/srv/git/r.git", "../r", "file:///srv/r", "C:\\r"] {
            assert_eq!(parse_remote_url(local), Ok(None), "{local}");
        }
        for bad in [
            "https://github.com",
            "git@github.com:",
            "https://github.com/acme",
            "ftp://x/y/z",
        ] {
            assert!(parse_remote_url(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn forges_by_host() {
        let github = spec("https://github.com/acme/widgets.git");
        assert_eq!(github.kind, ForgeKind::GitHub);
        assert_eq!(github.api_url, "https://api.github.com");
        assert_eq!(github.repository, "acme/widgets");
        assert_eq!(
            spec("git@gitlab.com:g/s/p.git").api_url,
            "https://gitlab.com/api/v4"
        );
        assert_eq!(spec("git@gitlab.corp.example:g/p").kind, ForgeKind::GitLab);
        assert_eq!(
            spec("https://codeberg.org/o/r").api_url,
            "https://codeberg.org/api/v1"
        );
        assert!(matches!(
            resolve(None, None, Some("git@git.example:o/r")),
            Err(Unresolved::NotAForge(_))
        ));
        assert!(matches!(
            resolve(None, None, Some("/srv/r.git")),
            Err(Unresolved::NotAForge(_))
        ));
        assert!(matches!(
            resolve(None, None, Some("https://github.com/acme")),
            Err(Unresolved::Input(_))
        ));
    }

    #[test]
    fn configuration_wins_and_fills_in() {
        let config: ForgeConfig = toml::from_str("kind = \"github\"").unwrap();
        let ghe = resolve(Some(&config), None, Some("git@ghe.corp:acme/w.git")).unwrap();
        assert_eq!(ghe.api_url, "https://ghe.corp/api/v3");
        let config: ForgeConfig = toml::from_str(
            "kind = \"forgejo\"\napi_url = \"http://127.0.0.1:3000/api/v1/\"\nrepository = \"o/r\"",
        )
        .unwrap();
        let local = resolve(Some(&config), None, Some("/srv/r.git")).unwrap();
        assert_eq!(local.kind, ForgeKind::Gitea);
        assert_eq!(local.api_url, "http://127.0.0.1:3000/api/v1");
        assert_eq!(local.repository, "o/r");
        let config: ForgeConfig = toml::from_str("kind = \"gitlab\"").unwrap();
        assert!(matches!(
            resolve(Some(&config), None, Some("/srv/r.git")),
            Err(Unresolved::Input(_))
        ));
    }
}
