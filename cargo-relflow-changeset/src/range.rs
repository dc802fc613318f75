//! Whether a version satisfies a dependency requirement, with each ecosystem's own rules.
//!
//! - npm: node-semver's `satisfies` with default options (no `loose`, no `includePrerelease`),
//!   ported from node-semver 7 (the range is rewritten into comparators exactly as node-semver
//!   does, with the same regular expressions), after removing a `workspace:` prefix.
//! - Cargo: Cargo's requirement rules (`1.2` is `^1.2`), by the `semver` crate.
//! - Python: PEP 440 specifiers by `pep440_rs`, with PEP 440's default exclusion of
//!   pre-releases (a pre-release matches only a specifier set that names a pre-release).
//! - Generic packages have no requirements.

use std::str::FromStr;
use std::sync::LazyLock;

use cargo_relflow_sync::Ecosystem;
use regex::{Captures, Regex};

/// Whether `version` satisfies `requirement` under the rules of `ecosystem`.
///
/// `None` means the requirement is not a range at all: an npm tag (`latest`), a protocol
/// (`link:`, `file:`, `npm:`), an invalid range, a Cargo path-only dependency (empty requirement),
/// anything for generic packages. npm `workspace:*`, `workspace:^` and `workspace:~` are resolved
/// by the caller (against the dependency's version); here `workspace:*` is the range `*`.
pub fn satisfies(
    ecosystem: Ecosystem,
    requirement: &str,
    version: &semver::Version,
) -> Option<bool> {
    Requirement::parse(ecosystem, requirement)?.matches(version)
}

/// Whether `range` is a valid node-semver range (node's `validRange(range) !== null`).
pub fn npm_valid_range(range: &str) -> bool {
    npm::Range::parse(range).is_some()
}

/// node-semver's `new Range(range).set`: each `||` alternative as the texts of its comparators
/// (`>=1.0.0`, `<2.0.0-0`; `""` matches any version), or `None` where node-semver throws.
pub fn npm_comparator_sets(range: &str) -> Option<Vec<Vec<String>>> {
    npm::Range::parse(range).map(|r| r.comparator_values())
}

/// A requirement parsed once, to test many versions against it: [`satisfies`] without parsing
/// the requirement again for each version.
#[derive(Debug, Clone)]
pub struct Requirement(Parsed);

#[derive(Debug, Clone)]
enum Parsed {
    Npm(npm::Range),
    Cargo(semver::VersionReq),
    Python(pep440_rs::VersionSpecifiers),
}

impl Requirement {
    /// Parses `requirement` under the rules of `ecosystem`; `None` where [`satisfies`] is `None`
    /// for every version (not a range at all).
    pub fn parse(ecosystem: Ecosystem, requirement: &str) -> Option<Requirement> {
        let parsed = match ecosystem {
            Ecosystem::Npm => {
                let range = requirement
                    .strip_prefix("workspace:")
                    .unwrap_or(requirement);
                if range.contains(':') {
                    return None;
                }
                Parsed::Npm(npm::Range::parse(range)?)
            }
            Ecosystem::Cargo => {
                if requirement.trim().is_empty() {
                    return None;
                }
                Parsed::Cargo(semver::VersionReq::parse(requirement).ok()?)
            }
            Ecosystem::Python => {
                Parsed::Python(pep440_rs::VersionSpecifiers::from_str(requirement.trim()).ok()?)
            }
            Ecosystem::Generic => return None,
        };
        Some(Requirement(parsed))
    }

    /// Whether `version` satisfies the requirement; `None` when the version cannot be written in
    /// the ecosystem's scheme (a semver version with no PEP 440 form).
    pub fn matches(&self, version: &semver::Version) -> Option<bool> {
        match &self.0 {
            Parsed::Npm(range) => Some(range.test(version)),
            Parsed::Cargo(req) => Some(req.matches(version)),
            Parsed::Python(specifiers) => python(specifiers, version),
        }
    }
}

fn python(specifiers: &pep440_rs::VersionSpecifiers, version: &semver::Version) -> Option<bool> {
    let text = cargo_relflow_sync::pep440::semver_to_pep440(version);
    let pep = pep440_rs::Version::from_str(&text).ok()?;
    if pep.any_prerelease() && !specifiers.iter().any(|s| s.any_prerelease()) {
        return Some(false);
    }
    Some(specifiers.contains(&pep))
}

mod npm {
    //! A port of node-semver 7's `Range` (strict mode, no `includePrerelease`).

    use std::cmp::Ordering;

    use super::{re, Captures, LazyLock, Regex};

    const NUM: &str = r"0|[1-9][0-9]*";
    const NONNUM: &str = r"[0-9]*[a-zA-Z-][a-zA-Z0-9-]*";

    fn prerelease() -> String {
        let id = format!("(?:{NONNUM}|{NUM})");
        format!(r"(?:-({id}(?:\.{id})*))")
    }
    const BUILD: &str = r"(?:\+([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))";

    fn xrange_plain() -> String {
        let x = format!("{NUM}|x|X|\\*");
        format!(
            r"[v=\s]*({x})(?:\.({x})(?:\.({x})(?:{})?{BUILD}?)?)?",
            prerelease()
        )
    }
    fn full_plain() -> String {
        format!(r"v?({NUM})\.({NUM})\.({NUM}){}?{BUILD}?", prerelease())
    }
    fn loose_plain() -> String {
        let loose_pre = format!(r"(?:-?((?:{NONNUM}|[0-9]+)(?:\.(?:{NONNUM}|[0-9]+))*))");
        format!(r"[v=\s]*([0-9]+)\.([0-9]+)\.([0-9]+){loose_pre}?{BUILD}?")
    }
    const GTLT: &str = r"((?:<|>)?=?)";

    static BUILD_RE: LazyLock<Option<Regex>> = LazyLock::new(|| re(BUILD));
    static HYPHEN: LazyLock<Option<Regex>> = LazyLock::new(|| {
        let x = xrange_plain();
        re(&format!(r"^\s*({x})\s+-\s+({x})\s*$"))
    });
    static COMPARATOR_TRIM: LazyLock<Option<Regex>> = LazyLock::new(|| {
        re(&format!(
            r"(\s*){GTLT}\s*({}|{})",
            loose_plain(),
            xrange_plain()
        ))
    });
    static TILDE_TRIM: LazyLock<Option<Regex>> = LazyLock::new(|| re(r"(\s*)(?:~>?)\s+"));
    static CARET_TRIM: LazyLock<Option<Regex>> = LazyLock::new(|| re(r"(\s*)(?:\^)\s+"));
    static TILDE: LazyLock<Option<Regex>> =
        LazyLock::new(|| re(&format!(r"^(?:~>?){}$", xrange_plain())));
    static CARET: LazyLock<Option<Regex>> =
        LazyLock::new(|| re(&format!(r"^(?:\^){}$", xrange_plain())));
    static XRANGE: LazyLock<Option<Regex>> =
        LazyLock::new(|| re(&format!(r"^{GTLT}\s*{}$", xrange_plain())));
    static STAR: LazyLock<Option<Regex>> = LazyLock::new(|| re(r"(<|>)?=?\s*\*"));
    static GTE0: LazyLock<Option<Regex>> = LazyLock::new(|| re(r"^\s*>=\s*0\.0\.0\s*$"));
    static COMPARATOR: LazyLock<Option<Regex>> =
        LazyLock::new(|| re(&format!(r"^{GTLT}\s*({})$|^$", full_plain())));
    static SPACES: LazyLock<Option<Regex>> = LazyLock::new(|| re(r"\s+"));

    /// A parsed version without build metadata (which never takes part in comparisons).
    #[derive(Debug, Clone, PartialEq, Eq)]
    struct Ver {
        major: u64,
        minor: u64,
        patch: u64,
        pre: semver::Prerelease,
    }

    impl Ver {
        fn of(v: &semver::Version) -> Ver {
            Ver {
                major: v.major,
                minor: v.minor,
                patch: v.patch,
                pre: v.pre.clone(),
            }
        }
        fn cmp(&self, other: &Ver) -> Ordering {
            (self.major, self.minor, self.patch, &self.pre).cmp(&(
                other.major,
                other.minor,
                other.patch,
                &other.pre,
            ))
        }
    }

    #[derive(Debug, Clone)]
    struct Comparator {
        /// `""`, `<`, `<=`, `>`, `>=` (`=` is stored as `""`).
        op: String,
        /// `None` is node's `ANY`.
        ver: Option<Ver>,
        value: String,
    }

    impl Comparator {
        fn parse(comp: &str) -> Option<Comparator> {
            let comp = split_ws(comp.trim()).join(" ");
            let caps = COMPARATOR.as_ref()?.captures(&comp)?;
            let mut op = caps.get(1).map_or("", |m| m.as_str()).to_owned();
            if op == "=" {
                op.clear();
            }
            let Some(text) = caps.get(2) else {
                return Some(Comparator {
                    op,
                    ver: None,
                    value: String::new(),
                });
            };
            let full = text.as_str().trim_start_matches('v');
            let parsed = semver::Version::parse(full).ok()?;
            let ver = Ver::of(&parsed);
            let mut shown = format!("{}.{}.{}", ver.major, ver.minor, ver.patch);
            if !ver.pre.is_empty() {
                shown = format!("{shown}-{}", ver.pre);
            }
            Some(Comparator {
                value: format!("{op}{shown}"),
                op,
                ver: Some(ver),
            })
        }

        /// `<op><major>.<minor>.<patch>`, with the pre-release `0` when `pre_zero`.
        fn of(op: &str, major: u64, minor: u64, patch: u64, pre_zero: bool) -> Comparator {
            let (pre, shown) = if pre_zero {
                (
                    semver::Prerelease::new("0").unwrap_or(semver::Prerelease::EMPTY),
                    format!("{major}.{minor}.{patch}-0"),
                )
            } else {
                (
                    semver::Prerelease::EMPTY,
                    format!("{major}.{minor}.{patch}"),
                )
            };
            Comparator {
                value: format!("{op}{shown}"),
                op: op.to_owned(),
                ver: Some(Ver {
                    major,
                    minor,
                    patch,
                    pre,
                }),
            }
        }

        fn test(&self, v: &Ver) -> bool {
            let Some(own) = &self.ver else { return true };
            let ord = v.cmp(own);
            match self.op.as_str() {
                "" => ord == Ordering::Equal,
                ">" => ord == Ordering::Greater,
                ">=" => ord != Ordering::Less,
                "<" => ord == Ordering::Less,
                "<=" => ord != Ordering::Greater,
                _ => false,
            }
        }
    }

    /// A node-semver range: `||`-separated sets of comparators.
    #[derive(Debug, Clone)]
    pub(super) struct Range {
        set: Vec<Vec<Comparator>>,
    }

    impl Range {
        /// Parses like `new Range(range)`; `None` where node-semver throws.
        pub(super) fn parse(range: &str) -> Option<Range> {
            Range::simple(range).or_else(|| Range::general(range))
        }

        /// [`Range::parse`] for any range: node-semver's rewriting, regular expression by
        /// regular expression.
        pub(super) fn general(range: &str) -> Option<Range> {
            let raw = SPACES.as_ref()?.replace_all(range.trim(), " ").into_owned();
            let mut set = Vec::new();
            for part in raw.split("||") {
                let comps = parse_set(part.trim())?;
                if !comps.is_empty() {
                    set.push(comps);
                }
            }
            if set.is_empty() {
                return None;
            }
            if set.len() > 1 {
                let first = set[0].clone();
                set.retain(|c| !is_null_set(&c[0]));
                if set.is_empty() {
                    set = vec![first];
                } else if set.len() > 1 {
                    if let Some(any) = set.iter().find(|c| c.len() == 1 && c[0].value.is_empty()) {
                        set = vec![any.clone()];
                    }
                }
            }
            Some(Range { set })
        }

        /// The `value` of each comparator, by `||` alternative.
        pub(super) fn comparator_values(&self) -> Vec<Vec<String>> {
            self.set
                .iter()
                .map(|comps| comps.iter().map(|c| c.value.clone()).collect())
                .collect()
        }

        /// The common one-version forms, built directly as the general path builds them:
        /// `1.2.3`, `=1.2.3`, `^1.2.3`, `~1.2.3`, `>1.2.3`, `>=1.2.3`, `<1.2.3` and `<=1.2.3`,
        /// with plain numbers (no leading zero, at most 9 digits, not all zero), no pre-release,
        /// no build and no whitespace. Anything else is `None`, for the general path.
        pub(super) fn simple(range: &str) -> Option<Range> {
            let (op, rest) = [">=", "<=", ">", "<", "=", "^", "~"]
                .into_iter()
                .find_map(|op| range.strip_prefix(op).map(|rest| (op, rest)))
                .unwrap_or(("", range));
            let mut parts = rest.split('.');
            let major = plain_number(parts.next()?)?;
            let minor = plain_number(parts.next()?)?;
            let patch = plain_number(parts.next()?)?;
            if parts.next().is_some() || (major, minor, patch) == (0, 0, 0) {
                return None;
            }
            let from = Comparator::of(">=", major, minor, patch, false);
            let set = match op {
                "^" => {
                    let to = if major > 0 {
                        Comparator::of("<", major + 1, 0, 0, true)
                    } else if minor > 0 {
                        Comparator::of("<", 0, minor + 1, 0, true)
                    } else {
                        Comparator::of("<", 0, 0, patch + 1, true)
                    };
                    vec![from, to]
                }
                "~" => vec![from, Comparator::of("<", major, minor + 1, 0, true)],
                "=" | "" => vec![Comparator::of("", major, minor, patch, false)],
                op => vec![Comparator::of(op, major, minor, patch, false)],
            };
            Some(Range { set: vec![set] })
        }

        /// `range.test(version)`.
        pub(super) fn test(&self, version: &semver::Version) -> bool {
            let v = Ver::of(version);
            self.set.iter().any(|comps| test_set(comps, &v))
        }
    }

    /// A version number as [`Range::simple`] accepts it.
    fn plain_number(part: &str) -> Option<u64> {
        let plain = !part.is_empty()
            && part.len() <= 9
            && part.bytes().all(|b| b.is_ascii_digit())
            && (part == "0" || !part.starts_with('0'));
        plain.then(|| part.parse().ok()).flatten()
    }

    fn is_null_set(c: &Comparator) -> bool {
        c.value == "<0.0.0-0"
    }

    fn test_set(comps: &[Comparator], v: &Ver) -> bool {
        if !comps.iter().all(|c| c.test(v)) {
            return false;
        }
        if !v.pre.is_empty() {
            return comps.iter().any(|c| {
                c.ver.as_ref().is_some_and(|a| {
                    !a.pre.is_empty()
                        && a.major == v.major
                        && a.minor == v.minor
                        && a.patch == v.patch
                })
            });
        }
        true
    }

    fn split_ws(s: &str) -> Vec<&str> {
        s.split_whitespace().collect()
    }

    /// JS `s.split(/\s+/)`: keeps empty leading/trailing parts.
    fn js_split_ws(s: &str) -> Vec<String> {
        let mut out = Vec::new();
        let mut current = String::new();
        let mut in_ws = false;
        for c in s.chars() {
            if c.is_whitespace() {
                if !in_ws {
                    out.push(std::mem::take(&mut current));
                    in_ws = true;
                }
            } else {
                in_ws = false;
                current.push(c);
            }
        }
        out.push(current);
        out
    }

    fn parse_set(range: &str) -> Option<Vec<Comparator>> {
        let range = BUILD_RE.as_ref()?.replace_all(range, "").into_owned();
        let range = HYPHEN
            .as_ref()?
            .replace(&range, |c: &Captures| hyphen_replace(c))
            .into_owned();
        let range = COMPARATOR_TRIM
            .as_ref()?
            .replace_all(&range, "${1}${2}${3}")
            .into_owned();
        let range = TILDE_TRIM
            .as_ref()?
            .replace_all(&range, "${1}~")
            .into_owned();
        let range = CARET_TRIM
            .as_ref()?
            .replace_all(&range, "${1}^")
            .into_owned();
        let mut parsed = Vec::new();
        for comp in range.split(' ') {
            parsed.push(parse_comparator(comp)?);
        }
        let joined = parsed.join(" ");
        // Every comparator is parsed (and may be invalid) before a null set short-cuts.
        let mut all = Vec::new();
        for comp in js_split_ws(&joined) {
            let comp = GTE0.as_ref()?.replace(comp.trim(), "").into_owned();
            all.push(Comparator::parse(&comp)?);
        }
        let mut comparators: Vec<Comparator> = Vec::new();
        for c in all {
            if is_null_set(&c) {
                return Some(vec![c]);
            }
            match comparators.iter_mut().find(|e| e.value == c.value) {
                Some(existing) => *existing = c,
                None => comparators.push(c),
            }
        }
        if comparators.len() > 1 {
            comparators.retain(|c| !c.value.is_empty());
        }
        Some(comparators)
    }

    fn parse_comparator(comp: &str) -> Option<String> {
        let comp = BUILD_RE.as_ref()?.replace(comp, "").into_owned();
        let comp = each_ws(&comp, &CARET, replace_caret)?;
        let comp = each_ws(&comp, &TILDE, replace_tilde)?;
        let comp = replace_xranges(&comp)?;
        let comp = STAR.as_ref()?.replace(comp.trim(), "").into_owned();
        Some(comp)
    }

    type Part<'a> = Option<&'a str>;

    fn each_ws(
        comp: &str,
        regex: &LazyLock<Option<Regex>>,
        f: fn(Part, Part, Part, Part) -> String,
    ) -> Option<String> {
        let regex = regex.as_ref()?;
        let parts: Vec<String> = js_split_ws(comp.trim())
            .into_iter()
            .map(|c| {
                regex
                    .replace(&c, |caps: &Captures| {
                        f(g(caps, 1), g(caps, 2), g(caps, 3), g(caps, 4))
                    })
                    .into_owned()
            })
            .collect();
        Some(parts.join(" "))
    }

    fn g<'a>(caps: &'a Captures, i: usize) -> Part<'a> {
        caps.get(i).map(|m| m.as_str())
    }

    fn is_x(id: Part) -> bool {
        match id {
            None => true,
            Some(s) => s.is_empty() || s.eq_ignore_ascii_case("x") || s == "*",
        }
    }

    fn n(id: Part) -> u64 {
        id.and_then(|s| s.parse().ok()).unwrap_or(0)
    }

    fn s(id: Part<'_>) -> &str {
        id.unwrap_or("")
    }

    fn replace_tilde(m: Part, mi: Part, p: Part, pr: Part) -> String {
        if is_x(m) {
            String::new()
        } else if is_x(mi) {
            format!(">={}.0.0 <{}.0.0-0", s(m), n(m) + 1)
        } else if is_x(p) {
            format!(">={}.{}.0 <{}.{}.0-0", s(m), s(mi), s(m), n(mi) + 1)
        } else if let Some(pr) = pr {
            format!(
                ">={}.{}.{}-{pr} <{}.{}.0-0",
                s(m),
                s(mi),
                s(p),
                s(m),
                n(mi) + 1
            )
        } else {
            format!(">={}.{}.{} <{}.{}.0-0", s(m), s(mi), s(p), s(m), n(mi) + 1)
        }
    }

    fn replace_caret(m: Part, mi: Part, p: Part, pr: Part) -> String {
        let (mj, mn, pt) = (s(m), s(mi), s(p));
        if is_x(m) {
            String::new()
        } else if is_x(mi) {
            format!(">={mj}.0.0 <{}.0.0-0", n(m) + 1)
        } else if is_x(p) {
            if mj == "0" {
                format!(">={mj}.{mn}.0 <{mj}.{}.0-0", n(mi) + 1)
            } else {
                format!(">={mj}.{mn}.0 <{}.0.0-0", n(m) + 1)
            }
        } else {
            let from = match pr {
                Some(pr) => format!(">={mj}.{mn}.{pt}-{pr}"),
                None => format!(">={mj}.{mn}.{pt}"),
            };
            let to = if mj == "0" {
                if mn == "0" {
                    format!("<{mj}.{mn}.{}-0", n(p) + 1)
                } else {
                    format!("<{mj}.{}.0-0", n(mi) + 1)
                }
            } else {
                format!("<{}.0.0-0", n(m) + 1)
            };
            format!("{from} {to}")
        }
    }

    fn replace_xranges(comp: &str) -> Option<String> {
        let regex = XRANGE.as_ref()?;
        let parts: Vec<String> = js_split_ws(comp)
            .into_iter()
            .map(|c| {
                let c = c.trim().to_owned();
                regex
                    .replace(&c, |caps: &Captures| {
                        replace_xrange(
                            &c,
                            caps[0].to_owned(),
                            g(caps, 1),
                            g(caps, 2),
                            g(caps, 3),
                            g(caps, 4),
                        )
                    })
                    .into_owned()
            })
            .collect();
        Some(parts.join(" "))
    }

    fn replace_xrange(comp: &str, whole: String, gtlt: Part, m: Part, mi: Part, p: Part) -> String {
        if (is_x(m) && !is_x(mi)) || (is_x(mi) && p.is_some() && !is_x(p)) {
            return comp.to_owned();
        }
        let xm = is_x(m);
        let xmi = xm || is_x(mi);
        let xp = xmi || is_x(p);
        let mut gtlt = s(gtlt).to_owned();
        if gtlt == "=" && xp {
            gtlt.clear();
        }
        let mut pr = "";
        if xm {
            if gtlt == ">" || gtlt == "<" {
                "<0.0.0-0".to_owned()
            } else {
                "*".to_owned()
            }
        } else if !gtlt.is_empty() && xp {
            let (mut mj, mut mn, mut pt) = (n(m), n(mi), 0u64);
            if xmi {
                mn = 0;
            }
            if gtlt == ">" {
                gtlt = ">=".to_owned();
                if xmi {
                    mj += 1;
                    mn = 0;
                    pt = 0;
                } else {
                    mn += 1;
                    pt = 0;
                }
            } else if gtlt == "<=" {
                gtlt = "<".to_owned();
                if xmi {
                    mj += 1;
                } else {
                    mn += 1;
                }
            }
            if gtlt == "<" {
                pr = "-0";
            }
            format!("{gtlt}{mj}.{mn}.{pt}{pr}")
        } else if xmi {
            format!(">={}.0.0 <{}.0.0-0", s(m), n(m) + 1)
        } else if xp {
            format!(">={}.{}.0 <{}.{}.0-0", s(m), s(mi), s(m), n(mi) + 1)
        } else {
            whole
        }
    }

    /// node-semver's `hyphenReplace` without `includePrerelease`.
    fn hyphen_replace(c: &Captures) -> String {
        let (from, fm, fmi, fp) = (s(g(c, 1)), g(c, 2), g(c, 3), g(c, 4));
        let (to, tm, tmi, tp, tpr) = (s(g(c, 7)), g(c, 8), g(c, 9), g(c, 10), g(c, 11));
        let from = if is_x(fm) {
            String::new()
        } else if is_x(fmi) {
            format!(">={}.0.0", s(fm))
        } else if is_x(fp) {
            format!(">={}.{}.0", s(fm), s(fmi))
        } else {
            // With or without a pre-release: `>=` the version as written.
            format!(">={from}")
        };
        let to = if is_x(tm) {
            String::new()
        } else if is_x(tmi) {
            format!("<{}.0.0-0", n(tm) + 1)
        } else if is_x(tp) {
            format!("<{}.{}.0-0", s(tm), n(tmi) + 1)
        } else if let Some(tpr) = tpr {
            format!("<={}.{}.{}-{tpr}", s(tm), s(tmi), s(tp))
        } else {
            format!("<={to}")
        };
        format!("{from} {to}").trim().to_owned()
    }
}

fn re(pattern: &str) -> Option<Regex> {
    // node-semver's "safe" regexes: whitespace runs are at most one character (the input has
    // its whitespace collapsed first).
    let safe = pattern
        .replace(r"\s*", r"\s{0,1}")
        .replace(r"\s+", r"\s{1,1}");
    Regex::new(&safe).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(text: &str) -> semver::Version {
        semver::Version::parse(text).unwrap()
    }

    /// Versions of the node-semver table, in column order.
    const VERSIONS: &[&str] = &[
        "0.0.0",
        "0.0.1",
        "0.0.2",
        "0.1.0",
        "0.1.5",
        "0.2.0",
        "0.2.0-beta.2",
        "1.0.0",
        "1.0.1",
        "1.0.1-next.0",
        "1.0.0-next.0",
        "1.0.0-next.1",
        "1.1.0",
        "1.2.0",
        "1.2.3",
        "1.2.3-beta.2",
        "1.2.3-beta.7",
        "1.3.0",
        "2.0.0",
        "2.0.0-beta.1",
        "2.0.0-beta.0",
        "2.0.1",
        "3.5.0",
        "1.0.0-rc.2",
        "0.0.1-beta",
        "0.0.1-beta.3",
        "1.0.1-alpha.1",
        "2.0.0-next.0",
        "1.0.0+b5",
    ];
    /// `semver.satisfies(version, range)` from node-semver 7.8.5: `y`, `n`, or `-` for an
    /// invalid range (`validRange` is null).
    const TABLE: &[(&str, &str)] = &[
        ("^1.0.0", "nnnnnnnyynnnyyynnynnnnnnnnnny"),
        ("~1.0.0", "nnnnnnnyynnnnnnnnnnnnnnnnnnny"),
        ("1.0.0", "nnnnnnnynnnnnnnnnnnnnnnnnnnny"),
        ("*", "yyyyyynyynnnyyynnyynnyynnnnny"),
        ("", "yyyyyynyynnnyyynnyynnyynnnnny"),
        ("x", "yyyyyynyynnnyyynnyynnyynnnnny"),
        ("1.x", "nnnnnnnyynnnyyynnynnnnnnnnnny"),
        ("1.2.x", "nnnnnnnnnnnnnyynnnnnnnnnnnnnn"),
        ("1", "nnnnnnnyynnnyyynnynnnnnnnnnny"),
        ("1.2", "nnnnnnnnnnnnnyynnnnnnnnnnnnnn"),
        ("^0.1.0", "nnnyynnnnnnnnnnnnnnnnnnnnnnnn"),
        ("^0.0.1", "nynnnnnnnnnnnnnnnnnnnnnnnnnnn"),
        ("~0.1.0", "nnnyynnnnnnnnnnnnnnnnnnnnnnnn"),
        ("^1.0.0-next.0", "nnnnnnnyynyyyyynnynnnnnynnnny"),
        ("~1.0.1-alpha.0", "nnnnnnnnyynnnnnnnnnnnnnnnnynn"),
        (">=1.0.0", "nnnnnnnyynnnyyynnyynnyynnnnny"),
        (">=1.0.0 <2.0.0", "nnnnnnnyynnnyyynnynnnnnnnnnny"),
        (">1.0.0", "nnnnnnnnynnnyyynnyynnyynnnnnn"),
        ("<=1.0.0", "yyyyyynynnnnnnnnnnnnnnnnnnnny"),
        ("<1.0.0", "yyyyyynnnnnnnnnnnnnnnnnnnnnnn"),
        ("1.0.0 - 2.0.0", "nnnnnnnyynnnyyynnyynnnnnnnnny"),
        ("1.0 - 2", "nnnnnnnyynnnyyynnyynnynnnnnny"),
        ("1.0.0 - 2.0.0-beta.1", "nnnnnnnyynnnyyynnynyynnnnnnny"),
        ("^1.0.0 || ^2.0.0", "nnnnnnnyynnnyyynnyynnynnnnnny"),
        ("* || ^1.0.1-next.0", "yyyyyynyynnnyyynnyynnyynnnnny"),
        ("^1.0.1-next.0 || *", "yyyyyynyynnnyyynnyynnyynnnnny"),
        (">= 1.0.0", "nnnnnnnyynnnyyynnyynnyynnnnny"),
        ("^ 1.0.0", "nnnnnnnyynnnyyynnynnnnnnnnnny"),
        ("~> 1.0.0", "nnnnnnnyynnnnnnnnnnnnnnnnnnny"),
        ("=1.0.0", "nnnnnnnynnnnnnnnnnnnnnnnnnnny"),
        ("v1.0.0", "nnnnnnnynnnnnnnnnnnnnnnnnnnny"),
        ("1.0.0+build", "nnnnnnnynnnnnnnnnnnnnnnnnnnny"),
        (">1", "nnnnnnnnnnnnnnnnnnynnyynnnnnn"),
        ("<2", "yyyyyynyynnnyyynnynnnnnnnnnny"),
        ("<=1.2", "yyyyyynyynnnyyynnnnnnnnnnnnny"),
        (">1.2", "nnnnnnnnnnnnnnnnnyynnyynnnnnn"),
        (">=1.x", "nnnnnnnyynnnyyynnyynnyynnnnny"),
        ("<1.x", "yyyyyynnnnnnnnnnnnnnnnnnnnnnn"),
        ("=1.x", "nnnnnnnyynnnyyynnynnnnnnnnnny"),
        ("latest", "-----------------------------"),
        ("next", "-----------------------------"),
        ("foo:bar", "-----------------------------"),
        ("1.0.0-next.0", "nnnnnnnnnnynnnnnnnnnnnnnnnnnn"),
        ("^1.0.0-0", "nnnnnnnyynyyyyynnynnnnnynnnny"),
        ("^0.0.1-beta", "nynnnnnnnnnnnnnnnnnnnnnnyynnn"),
        ("^0.2.0-beta.1", "nnnnnyynnnnnnnnnnnnnnnnnnnnnn"),
        ("~1", "nnnnnnnyynnnyyynnynnnnnnnnnny"),
        ("~1.2", "nnnnnnnnnnnnnyynnnnnnnnnnnnnn"),
        ("^1.2.3+build", "nnnnnnnnnnnnnnynnynnnnnnnnnnn"),
        (">=0.0.0", "yyyyyynyynnnyyynnyynnyynnnnny"),
        ("<0.0.0-0", "nnnnnnnnnnnnnnnnnnnnnnnnnnnnn"),
        ("1.0.0 1.0.1", "nnnnnnnnnnnnnnnnnnnnnnnnnnnnn"),
        ("^1.x", "nnnnnnnyynnnyyynnynnnnnnnnnny"),
        ("^x", "yyyyyynyynnnyyynnyynnyynnnnny"),
        ("~x", "yyyyyynyynnnyyynnyynnyynnnnny"),
        ("1.*", "nnnnnnnyynnnyyynnynnnnnnnnnny"),
        ("1.2.*", "nnnnnnnnnnnnnyynnnnnnnnnnnnnn"),
        (">=1.0.0-next.0 <1.0.1", "nnnnnnnynnyynnnnnnnnnnnynnnny"),
        ("^01.0.0", "-----------------------------"),
        ("1.0.0.0", "-----------------------------"),
        ("~1.0.0 || >=3.0.0 <4.0.0", "nnnnnnnyynnnnnnnnnnnnnynnnnny"),
        (">=1.0.0 || <0.5.0", "yyyyyynyynnnyyynnyynnyynnnnny"),
        ("^1.0.0 - 2", "-----------------------------"),
        ("1 - 2 - 3", "-----------------------------"),
        ("  ^1.0.0  ", "nnnnnnnyynnnyyynnynnnnnnnnnny"),
        (">=1.0.0\t<2.0.0", "nnnnnnnyynnnyyynnynnnnnnnnnny"),
        ("||", "yyyyyynyynnnyyynnyynnyynnnnny"),
        ("^1.0.0 ||", "yyyyyynyynnnyyynnyynnyynnnnny"),
        ("x.1.2", "-----------------------------"),
        ("1.x.3", "-----------------------------"),
        (
            "^1.2.3-beta.1 <1.2.3-beta.5",
            "nnnnnnnnnnnnnnnynnnnnnnnnnnnn",
        ),
        (">=1.0.0-rc.1 <=1.0.0", "nnnnnnnynnnnnnnnnnnnnnnynnnny"),
    ];

    #[test]
    fn npm_matches_node_semver() {
        let mut failures = Vec::new();
        for (range, row) in TABLE {
            assert_eq!(npm_valid_range(range), !row.starts_with('-'), "{range:?}");
            for (version, want) in VERSIONS.iter().zip(row.chars()) {
                let got = match satisfies(Ecosystem::Npm, range, &v(version)) {
                    None => '-',
                    Some(true) => 'y',
                    Some(false) => 'n',
                };
                if got != want {
                    failures.push(format!("{range:?} {version}: got {got}, node {want}"));
                }
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    #[test]
    fn npm_simple_forms_parse_as_the_general_path() {
        let ops = [
            "", "=", "^", "~", ">", ">=", "<", "<=", "v", "~>", "^ ", " ", "==",
        ];
        let numbers = [
            "0",
            "1",
            "2",
            "10",
            "01",
            "123456789",
            "1234567890",
            "x",
            "*",
            "",
        ];
        let tails = ["", "-0", "-beta.1", "+build", ".4", " ", " || 2.0.0"];
        let mut simple = 0;
        for op in ops {
            for major in numbers {
                for minor in numbers {
                    for patch in numbers {
                        for tail in tails {
                            let text = format!("{op}{major}.{minor}.{patch}{tail}");
                            let Some(fast) = npm::Range::simple(&text) else {
                                continue;
                            };
                            simple += 1;
                            let general = npm::Range::general(&text);
                            assert_eq!(
                                format!("{:?}", Some(fast)),
                                format!("{general:?}"),
                                "{text:?}"
                            );
                        }
                    }
                }
            }
        }
        // 8 operators, 5 accepted numbers in each of 3 places, minus the all-zero versions.
        assert_eq!(simple, 8 * (5 * 5 * 5 - 1));
    }

    #[test]
    fn npm_workspace_and_protocols() {
        let one = v("1.0.0");
        assert_eq!(
            satisfies(Ecosystem::Npm, "workspace:^1.0.0", &one),
            Some(true)
        );
        assert_eq!(satisfies(Ecosystem::Npm, "workspace:*", &one), Some(true));
        assert_eq!(
            satisfies(Ecosystem::Npm, "workspace:packages/a", &one),
            None
        );
        assert_eq!(satisfies(Ecosystem::Npm, "file:../a", &one), None);
        assert_eq!(satisfies(Ecosystem::Npm, "link:../a", &one), None);
        assert_eq!(satisfies(Ecosystem::Npm, "npm:other@^1", &one), None);
        assert_eq!(satisfies(Ecosystem::Npm, "latest", &one), None);
        // Every comparator must parse, even after a null set (`<*`).
        assert_eq!(satisfies(Ecosystem::Npm, "<*", &one), Some(false));
        assert_eq!(satisfies(Ecosystem::Npm, "<* >= X.10.1", &one), None);
        // Pre-releases leave `^` and `*` ranges (the reason pre mode rewrites them).
        assert_eq!(
            satisfies(Ecosystem::Npm, "^1.0.0", &v("1.0.1-next.0")),
            Some(false)
        );
        assert_eq!(
            satisfies(Ecosystem::Npm, "*", &v("1.0.1-next.0")),
            Some(false)
        );
    }

    #[test]
    fn cargo_requirements() {
        let cases = [
            ("1.2", "1.9.0", Some(true)),
            ("1.2", "2.0.0", Some(false)),
            ("1.2", "1.1.9", Some(false)),
            ("0.3", "0.3.7", Some(true)),
            ("0.3", "0.4.0", Some(false)),
            ("^0.0.3", "0.0.4", Some(false)),
            ("=1.2.3", "1.2.3", Some(true)),
            ("=1.2.3", "1.2.4", Some(false)),
            ("~1.2", "1.2.9", Some(true)),
            ("~1.2", "1.3.0", Some(false)),
            ("*", "7.0.0", Some(true)),
            (">=1.0, <1.5", "1.4.9", Some(true)),
            (">=1.0, <1.5", "1.5.0", Some(false)),
            ("1.2", "1.3.0-next.0", Some(false)),
            ("1.3.0-next.0", "1.3.0-next.1", Some(true)),
            ("", "1.0.0", None),
            ("not a req", "1.0.0", None),
        ];
        for (req, version, want) in cases {
            assert_eq!(
                satisfies(Ecosystem::Cargo, req, &v(version)),
                want,
                "{req} {version}"
            );
        }
    }

    #[test]
    fn python_specifiers() {
        let cases = [
            (">=1.2,<2", "1.9.0", Some(true)),
            (">=1.2,<2", "2.0.0", Some(false)),
            (">=1.2,<2", "1.1.0", Some(false)),
            ("~=1.2", "1.9.0", Some(true)),
            ("~=1.2", "2.0.0", Some(false)),
            ("~=1.2.0", "1.3.0", Some(false)),
            ("==1.2.*", "1.2.7", Some(true)),
            ("==1.2.*", "1.3.0", Some(false)),
            ("==1.2.3", "1.2.3", Some(true)),
            ("", "4.0.0", Some(true)),
            (">=1.2,<2", "1.3.0-beta.0", Some(false)),
            (">=1.3.0b0,<2", "1.3.0-beta.1", Some(true)),
            (">=1.2,<2", "1.3.0-next.0", Some(false)),
            ("garbage", "1.0.0", None),
        ];
        for (req, version, want) in cases {
            assert_eq!(
                satisfies(Ecosystem::Python, req, &v(version)),
                want,
                "{req} {version}"
            );
        }
    }

    #[test]
    fn generic_has_no_ranges() {
        assert_eq!(satisfies(Ecosystem::Generic, "^1", &v("1.0.0")), None);
    }
}
