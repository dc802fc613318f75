//! Names that reach a git ref or another tool's command line: tag names, npm package names and
//! Python project names. Each is checked before any effect, so a bad one is exit 2 up front
//! instead of a failure after some packages were uploaded.

/// A tag name git accepts (`refs/tags/<name>` is a valid ref) and that holds only letters,
/// digits and `. _ - + / @`, so it never needs quoting in a shell, a URL or a CI file.
pub fn tag_name(name: &str) -> Result<(), String> {
    if let Some(bad) = name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '+' | '/' | '@')))
    {
        return Err(format!(
            "the tag `{}` has the character {bad:?}; tags hold only letters, digits and `. _ - + / @`",
            shorten(name)
        ));
    }
    if name.starts_with('-') {
        return Err(format!("the tag `{}` starts with `-`", shorten(name)));
    }
    gix_validate::reference::name(format!("refs/tags/{name}").as_str().into())
        .map(drop)
        .map_err(|e| format!("git refuses the tag `{}`: {e}", shorten(name)))
}

/// An npm package name as npm accepts it for a package (validate-npm-package-name): at most 214
/// characters, an optional `@scope/`, then URL-safe characters, not starting with `.`, `_` or
/// `-`, no spaces.
pub fn npm_name(name: &str) -> Result<(), String> {
    let bad = |why: &str| {
        Err(format!(
            "`{}` is not a valid npm package name: {why}",
            shorten(name)
        ))
    };
    if name.is_empty() || name.len() > 214 {
        return bad("it must have 1 to 214 characters");
    }
    let (scope, bare) = match name.strip_prefix('@') {
        Some(scoped) => match scoped.split_once('/') {
            Some((scope, bare)) => (Some(scope), bare),
            None => return bad("a scoped name is `@scope/name`"),
        },
        None => (None, name),
    };
    for part in scope.into_iter().chain([bare]) {
        if part.is_empty() {
            return bad("the scope and the name must not be empty");
        }
        if part.starts_with(['.', '_', '-']) {
            return bad("it must not start with `.`, `_` or `-`");
        }
        if let Some(c) = part
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_' | '~')))
        {
            return bad(&format!("it has the character {c:?}"));
        }
    }
    Ok(())
}

/// A Python project name as PEP 508 defines it: letters, digits, `.`, `_` and `-`, starting and
/// ending with a letter or digit.
pub fn python_name(name: &str) -> Result<(), String> {
    pep508_rs::PackageName::new(name.to_owned())
        .map(drop)
        .map_err(|e| {
            format!(
                "`{}` is not a valid Python project name: {e}",
                shorten(name)
            )
        })
}

/// A value quoted in a message, cut to 60 characters.
pub fn shorten(value: &str) -> String {
    const MAX: usize = 60;
    if value.chars().count() <= MAX {
        return value.to_owned();
    }
    let kept: String = value.chars().take(MAX).collect();
    format!("{kept}…")
}

/// `message` with every value quoted in backticks or double quotes cut to 60 characters, so that
/// a megabyte-long value in a file does not become a megabyte-long error line.
pub fn shorten_quoted(message: &str) -> String {
    let mut out = String::with_capacity(message.len().min(1024));
    let mut rest = message;
    while let Some(open) = rest.find(['`', '"']) {
        let quote = &rest[open..=open];
        out.push_str(&rest[..=open]);
        let after = &rest[open + 1..];
        match after.find(quote) {
            Some(close) => {
                out.push_str(&shorten(&after[..close]));
                out.push_str(quote);
                rest = &after[close + 1..];
            }
            None => {
                out.push_str(&shorten(after));
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags() {
        for good in [
            "v1.2.3",
            "@scope/pkg@1.0.0-rc.1",
            "crate-a@0.1.0+build.5",
            "py_x/v2",
        ] {
            assert_eq!(tag_name(good), Ok(()), "{good}");
        }
        for bad in [
            "v 1", "a;b", "x$(id)", "-v1", "a..b", "a.lock", "a/", "v1~2", "a\nb",
        ] {
            assert!(tag_name(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn npm_names() {
        for good in ["web", "@scope/web-ui", "a.b_c~d"] {
            assert_eq!(npm_name(good), Ok(()), "{good}");
        }
        for bad in [
            "",
            "--registry=x",
            ".hidden",
            "_x",
            "@scope",
            "@/x",
            "a b",
            "a$b",
        ] {
            assert!(npm_name(bad).is_err(), "{bad:?}");
        }
        assert!(npm_name(&"a".repeat(215)).is_err());
    }

    #[test]
    fn python_names() {
        assert_eq!(python_name("pydantic-ai_slim.x"), Ok(()));
        for bad in ["--repository-url=http://x", "-x", "a b", "x-"] {
            assert!(python_name(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn shortens_quoted_values_in_messages() {
        let long = "x".repeat(5000);
        let message = format!("invalid version `{long}` in \"{long}\" (line 3)");
        let short = shorten_quoted(&message);
        assert!(short.len() < 200, "{short}");
        assert!(short.starts_with("invalid version `xxx") && short.ends_with("…\" (line 3)"));
        assert_eq!(shorten_quoted("`a` and `b`"), "`a` and `b`");
    }

    #[test]
    fn shortens_long_values() {
        assert_eq!(shorten("abc"), "abc");
        assert_eq!(shorten(&"x".repeat(100)).chars().count(), 61);
    }
}
