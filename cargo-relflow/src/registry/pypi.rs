//! Python package indexes: whether a version is on the PEP 503 simple page of a project.
//!
//! [`version_state`] GETs `{index}/{normalized-name}/` (PyPI and pypiserver both serve it; a
//! JSON `Accept` header still gets HTML from pypiserver, so the HTML is what is read) and reads
//! the version out of each file name: wheels (`name-1.0-py3-none-any.whl`) and sdists
//! (`name-1.0.tar.gz`). [`simple_index_for_upload`] turns the upload URL twine is given into the
//! simple index to check. [`remove_release`] sends the legacy `remove_pkg` action that
//! pypiserver takes; PyPI has no API for it ([`manage_url`] is its page to yank by hand).
//!
//! Not here: credentials for reading private indexes (pypiserver and PyPI serve the page to
//! anyone).

use std::str::FromStr;

use cargo_relflow_sync::discover::python::normalize_name;
use pep440_rs::Version;

use super::http::{redact_url, Auth, Client, Token};
use super::{RegistryError, State};

/// PyPI's simple index.
pub const PYPI_SIMPLE_INDEX: &str = "https://pypi.org/simple/";

/// The file extensions of source distributions, longest first.
const SDIST_EXTENSIONS: [&str; 6] = [".tar.gz", ".tar.bz2", ".tar.xz", ".tgz", ".zip", ".tar"];

/// The simple index that belongs to a twine upload URL: PyPI's and TestPyPI's `legacy/`
/// endpoints map to their `simple/` pages; any other repository (pypiserver, most private
/// indexes) serves the simple index at `{url}/simple/`.
pub fn simple_index_for_upload(upload_url: &str) -> String {
    let url = upload_url.trim_end_matches('/');
    match url {
        "https://upload.pypi.org/legacy" => PYPI_SIMPLE_INDEX.to_owned(),
        "https://test.pypi.org/legacy" => "https://test.pypi.org/simple/".to_owned(),
        _ => format!("{}/simple/", url.trim_end_matches("/legacy")),
    }
}

/// The page of PyPI or TestPyPI on which a maintainer yanks `version` of `project` by hand, when
/// `upload_url` is one of theirs: they take uploads but offer no API to yank or remove them.
pub fn manage_url(upload_url: &str, project: &str, version: &str) -> Option<String> {
    let host = match upload_url.trim_end_matches('/') {
        "https://upload.pypi.org/legacy" => "https://pypi.org",
        "https://test.pypi.org/legacy" => "https://test.pypi.org",
        _ => return None,
    };
    Some(format!(
        "{host}/manage/project/{}/release/{version}/",
        normalize_name(project)
    ))
}

/// Removes every file of `version` of `project` from the repository at `upload_url` with the
/// legacy `:action=remove_pkg` form (pypiserver's), as `user`. pypiserver matches the name and
/// version as the file names write them ([`release_spellings`]).
pub fn remove_release(
    client: &Client,
    upload_url: &str,
    project: &str,
    version: &str,
    user: &str,
    password: &Token,
) -> Result<(), RegistryError> {
    client.post_form(
        upload_url,
        &[
            (":action", "remove_pkg"),
            ("name", project),
            ("version", version),
        ],
        Auth::Basic(user, password),
    )
}

/// The project page: `{index}/{normalized-name}/`.
pub fn project_url(index: &str, project: &str) -> String {
    format!(
        "{}/{}/",
        index.trim_end_matches('/'),
        normalize_name(project)
    )
}

/// A file of a project's simple page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileLink {
    /// The file name (the anchor's text).
    pub name: String,
    /// The anchor has PEP 592's `data-yanked` attribute.
    pub yanked: bool,
}

/// The files listed on the project's simple page, or `None` when the index does not know the
/// project.
pub fn project_files(
    client: &Client,
    index: &str,
    project: &str,
) -> Result<Option<Vec<FileLink>>, RegistryError> {
    let url = project_url(index, project);
    let Some(body) = client.get_optional(&url, "text/html", Auth::None)? else {
        return Ok(None);
    };
    let html = String::from_utf8(body).map_err(|error| RegistryError::Malformed {
        url: redact_url(&url),
        message: error.to_string(),
    })?;
    Ok(Some(anchors(&html)))
}

/// Whether `version` of `project` is on `index`. A yanked file still counts: an index never
/// takes the same file twice. `1.0` and `1.0.0` are the same version, as in PEP 440.
pub fn version_state(
    client: &Client,
    index: &str,
    project: &str,
    version: &Version,
) -> Result<State, RegistryError> {
    let Some(files) = project_files(client, index, project)? else {
        return Ok(State::Unpublished);
    };
    let name = normalize_name(project);
    let found = files
        .iter()
        .filter_map(|file| file_version(&name, &file.name))
        .any(|found| &found == version);
    Ok(if found {
        State::Published
    } else {
        State::Unpublished
    })
}

/// The version in a distribution file name of the project whose normalized name is `name`.
pub fn file_version(name: &str, file: &str) -> Option<Version> {
    split_file_name(name, file).map(|(_, _, version)| version)
}

/// A distribution file name of the project whose normalized name is `name`, split into the
/// name and the version as the file writes them, and the parsed version.
fn split_file_name<'a>(name: &str, file: &'a str) -> Option<(&'a str, &'a str, Version)> {
    if let Some(stem) = file
        .strip_suffix(".whl")
        .or_else(|| file.strip_suffix(".egg"))
    {
        // `{name}-{version}(-{build})?-{python}-{abi}-{platform}`; the name has no `-`.
        let mut parts = stem.split('-');
        let (project, version) = (parts.next()?, parts.next()?);
        return (normalize_name(project) == name)
            .then(|| Some((project, version, Version::from_str(version).ok()?)))
            .flatten();
    }
    let stem = SDIST_EXTENSIONS
        .iter()
        .find_map(|extension| file.strip_suffix(extension))?;
    // Old sdists kept `-` in the name: try every split.
    stem.match_indices('-').find_map(|(at, _)| {
        let (project, version) = (&stem[..at], &stem[at + 1..]);
        (normalize_name(project) == name)
            .then(|| Some((project, version, Version::from_str(version).ok()?)))
            .flatten()
    })
}

/// The files of one version of a project on an index.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReleaseFiles {
    /// The `(name, version)` spellings of the files, as their names write them (`acme_py`,
    /// `0.2.0`): pypiserver's `remove_pkg` matches those exactly. Empty when the index has no
    /// file of the version.
    pub spellings: Vec<(String, String)>,
    /// There are files, and every one is yanked (PEP 592): the release is yanked.
    pub yanked: bool,
}

/// The files of `version` of `project` on `index`.
pub fn release_files(
    client: &Client,
    index: &str,
    project: &str,
    version: &Version,
) -> Result<ReleaseFiles, RegistryError> {
    let files = project_files(client, index, project)?.unwrap_or_default();
    Ok(files_of_version(&normalize_name(project), &files, version))
}

/// The files of `version` among `files` of the project whose normalized name is `name`.
fn files_of_version(name: &str, files: &[FileLink], version: &Version) -> ReleaseFiles {
    let mut release = ReleaseFiles {
        spellings: Vec::new(),
        yanked: true,
    };
    for file in files {
        if let Some((raw_name, raw_version, parsed)) = split_file_name(name, &file.name) {
            if &parsed != version {
                continue;
            }
            release.yanked &= file.yanked;
            let spelling = (raw_name.to_owned(), raw_version.to_owned());
            if !release.spellings.contains(&spelling) {
                release.spellings.push(spelling);
            }
        }
    }
    release.yanked &= !release.spellings.is_empty();
    release
}

/// Every `<a ...>text</a>` of a page: its text, entities `&amp;` `&lt;` `&gt;` decoded, and
/// whether its attributes include `data-yanked`.
fn anchors(html: &str) -> Vec<FileLink> {
    let lower = html.to_ascii_lowercase();
    let mut texts = Vec::new();
    let mut from = 0;
    while let Some(open) = lower[from..].find("<a").map(|at| from + at) {
        from = open + 2;
        if !lower[from..].starts_with(|c: char| c.is_ascii_whitespace() || c == '>') {
            // `<abbr>` and the like.
            continue;
        }
        let Some(text_start) = lower[from..].find('>').map(|at| from + at + 1) else {
            break;
        };
        let yanked = lower[from..text_start]
            .split(|c: char| c.is_ascii_whitespace() || c == '>')
            .any(|attribute| attribute.split('=').next() == Some("data-yanked"));
        let Some(text_end) = lower[text_start..].find("</a").map(|at| text_start + at) else {
            break;
        };
        let text = html[text_start..text_end]
            .trim()
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&amp;", "&");
        texts.push(FileLink { name: text, yanked });
        from = text_end;
    }
    texts
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(text: &str) -> Version {
        Version::from_str(text).unwrap()
    }

    #[test]
    fn versions_come_out_of_wheel_and_sdist_names() {
        let name = "my-pkg";
        assert_eq!(
            file_version(name, "my_pkg-1.2.0-py3-none-any.whl"),
            Some(v("1.2.0"))
        );
        assert_eq!(
            file_version(
                name,
                "My.Pkg-2.0rc1-1-cp312-cp312-manylinux_2_17_x86_64.whl"
            ),
            Some(v("2.0rc1"))
        );
        assert_eq!(file_version(name, "my_pkg-1.2.0.tar.gz"), Some(v("1.2.0")));
        assert_eq!(
            file_version(name, "my-pkg-0.9.post1.zip"),
            Some(v("0.9.post1"))
        );
        assert_eq!(file_version(name, "my_pkg_extra-1.0.tar.gz"), None);
        assert_eq!(file_version(name, "other-1.0-py3-none-any.whl"), None);
        assert_eq!(file_version(name, "my_pkg-1.0.txt"), None);
        assert_eq!(v("1.0"), v("1.0.0"));
    }

    #[test]
    fn anchors_of_a_simple_page() {
        let page = r#"<!DOCTYPE html><html><body><h1>Links for my-pkg</h1>
            <a href="/packages/my_pkg-1.0.tar.gz#sha256=ab" data-requires-python="&gt;=3.9">my_pkg-1.0.tar.gz</a><br/>
            <A HREF="x.whl" data-yanked="">
              my_pkg-1.1-py3-none-any.whl </A>
            <abbr>not a link <a href="y">my_pkg-1.2.zip</a></abbr></body></html>"#;
        let names: Vec<(String, bool)> = anchors(page)
            .into_iter()
            .map(|link| (link.name, link.yanked))
            .collect();
        assert_eq!(
            names,
            [
                ("my_pkg-1.0.tar.gz".to_owned(), false),
                ("my_pkg-1.1-py3-none-any.whl".to_owned(), true),
                ("my_pkg-1.2.zip".to_owned(), false)
            ]
        );
    }

    #[test]
    fn a_release_is_yanked_when_every_file_of_it_is() {
        let link = |name: &str, yanked| FileLink {
            name: name.to_owned(),
            yanked,
        };
        let files = [
            link("my_pkg-1.0.tar.gz", true),
            link("my_pkg-1.0-py3-none-any.whl", true),
            link("my_pkg-1.1.tar.gz", true),
            link("my_pkg-1.1-py3-none-any.whl", false),
        ];
        let one = files_of_version("my-pkg", &files, &v("1.0"));
        assert!(one.yanked);
        assert_eq!(one.spellings, [("my_pkg".to_owned(), "1.0".to_owned())]);
        assert!(!files_of_version("my-pkg", &files, &v("1.1")).yanked);
        let absent = files_of_version("my-pkg", &files, &v("2.0"));
        assert!(!absent.yanked && absent.spellings.is_empty());
    }

    #[test]
    fn urls() {
        assert_eq!(
            simple_index_for_upload("https://upload.pypi.org/legacy/"),
            PYPI_SIMPLE_INDEX
        );
        assert_eq!(
            simple_index_for_upload("https://test.pypi.org/legacy/"),
            "https://test.pypi.org/simple/"
        );
        assert_eq!(
            simple_index_for_upload("http://127.0.0.1:8080/"),
            "http://127.0.0.1:8080/simple/"
        );
        assert_eq!(
            project_url("http://127.0.0.1:8080/simple", "My_Pkg.Core"),
            "http://127.0.0.1:8080/simple/my-pkg-core/"
        );
        assert_eq!(
            manage_url("https://upload.pypi.org/legacy/", "My_Pkg", "1.0b1").as_deref(),
            Some("https://pypi.org/manage/project/my-pkg/release/1.0b1/")
        );
        assert_eq!(manage_url("http://127.0.0.1:8080/", "x", "1.0"), None);
    }
}
