//! POSIX paths as Node's `path.posix` treats them: the plan (`workspace:` path ranges in the
//! dependents graph) and `apply` (which of them a release rewrites) compare them the same way.

/// Node's `path.posix.normalize`.
pub(crate) fn normalize(path: &str) -> String {
    if path.is_empty() {
        return ".".to_owned();
    }
    let absolute = path.starts_with('/');
    let trailing = path.ends_with('/');
    let mut segments: Vec<&str> = Vec::new();
    for segment in path.split('/') {
        match segment {
            "" | "." => {}
            ".." => match segments.last() {
                Some(&last) if last != ".." => {
                    segments.pop();
                }
                _ if !absolute => segments.push(".."),
                _ => {}
            },
            other => segments.push(other),
        }
    }
    let mut normalized = segments.join("/");
    if normalized.is_empty() {
        return match (absolute, trailing) {
            (true, _) => "/".to_owned(),
            (false, true) => "./".to_owned(),
            (false, false) => ".".to_owned(),
        };
    }
    if trailing {
        normalized.push('/');
    }
    if absolute {
        normalized.insert(0, '/');
    }
    normalized
}

#[cfg(test)]
mod tests {
    use super::normalize;

    #[test]
    fn normalize_is_nodes() {
        for (path, normalized) in [
            ("", "."),
            (".", "."),
            ("./", "./"),
            ("packages/dep", "packages/dep"),
            ("./packages//dep/", "packages/dep/"),
            ("./packages/a", "packages/a"),
            ("packages/b/../a", "packages/a"),
            ("packages/../dep", "dep"),
            ("../x", "../x"),
            ("../../dep", "../../dep"),
            ("a/../../dep", "../dep"),
            ("/a/../../dep", "/dep"),
            ("/", "/"),
        ] {
            assert_eq!(normalize(path), normalized, "{path:?}");
        }
    }
}
