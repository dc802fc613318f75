//! Writing `.changeset/*.md` files as Changesets' `add` does, and naming them like `human-id`.

use crate::Bump;

/// Renders a changeset file in Changesets' writer format:
///
/// ```text
/// ---
/// "pkg-a": minor
/// ---
///
/// Summary
/// ```
///
/// Names are always double-quoted (with JSON escaping, which is valid YAML). With no releases the
/// file is `---\n\n---\n\n<summary>\n`, as `changeset add --empty` writes it. The summary is
/// trimmed, as the parser would trim it.
pub fn render_changeset(releases: &[(String, Bump)], summary: &str) -> String {
    let mut out = String::from("---\n");
    if releases.is_empty() {
        out.push('\n');
    }
    for (name, bump) in releases {
        let quoted = serde_json::to_string(name).unwrap_or_else(|_| format!("\"{name}\""));
        out.push_str(&quoted);
        out.push_str(": ");
        out.push_str(bump.as_str());
        out.push('\n');
    }
    out.push_str("---\n\n");
    out.push_str(summary.trim());
    out.push('\n');
    out
}

/// Adjectives: the first word of an id.
const ADJECTIVES: [&str; 60] = [
    "afraid", "angry", "big", "bitter", "blue", "brave", "breezy", "bright", "brown", "calm",
    "chatty", "chilly", "clean", "clever", "cold", "cool", "cuddly", "curly", "cute", "dirty",
    "dry", "dull", "eager", "early", "easy", "empty", "fair", "famous", "fast", "fluffy", "free",
    "fresh", "friendly", "funny", "fuzzy", "gentle", "giant", "good", "great", "green", "happy",
    "heavy", "honest", "hot", "huge", "hungry", "kind", "large", "late", "lazy", "light", "little",
    "loud", "lucky", "mean", "modern", "neat", "nervous", "nice", "odd",
];

/// Plural nouns: the second word of an id.
const NOUNS: [&str; 60] = [
    "ants",
    "apes",
    "apples",
    "badgers",
    "bananas",
    "bats",
    "beans",
    "bears",
    "bees",
    "birds",
    "boats",
    "books",
    "buckets",
    "buses",
    "camels",
    "carrots",
    "cats",
    "chairs",
    "cherries",
    "clouds",
    "coats",
    "cobras",
    "cooks",
    "cows",
    "crabs",
    "cups",
    "deers",
    "dodos",
    "dogs",
    "donkeys",
    "doors",
    "dots",
    "dragons",
    "drinks",
    "ducks",
    "eagles",
    "eels",
    "eggs",
    "elephants",
    "emus",
    "falcons",
    "files",
    "fishes",
    "flies",
    "foxes",
    "frogs",
    "geckos",
    "ghosts",
    "gifts",
    "goats",
    "grapes",
    "hats",
    "hornets",
    "horses",
    "hounds",
    "islands",
    "jars",
    "kings",
    "kiwis",
    "lions",
];

/// Verbs: the third word of an id.
const VERBS: [&str; 60] = [
    "accept", "act", "add", "admire", "agree", "allow", "appear", "argue", "arrive", "ask",
    "attack", "attend", "bake", "bathe", "battle", "beam", "beg", "behave", "bet", "boil", "bow",
    "brake", "brush", "build", "burn", "buy", "call", "camp", "care", "carry", "change", "cheat",
    "check", "cheer", "chew", "clap", "clean", "cough", "count", "cover", "crash", "cross", "cry",
    "dance", "decide", "deliver", "dig", "destroy", "develop", "dream", "drive", "drop", "eat",
    "end", "enjoy", "exercise", "explain", "fail", "fetch", "devour",
];

/// How many random ids are tried before a numeric suffix is added.
const ATTEMPTS: usize = 1000;

/// A new changeset id in `human-id` style, three lowercase words joined by `-`
/// (`quick-lions-devour`: adjective, plural noun, verb), that `taken` does not reject.
///
/// `rng(n)` must return a number below `n` (larger values are reduced modulo `n`). After many
/// taken ids in a row, a numeric suffix (`-2`, `-3`, ...) makes the id unique.
pub fn random_id(rng: &mut impl FnMut(usize) -> usize, taken: &dyn Fn(&str) -> bool) -> String {
    let mut id = String::new();
    for _ in 0..ATTEMPTS {
        id = format!(
            "{}-{}-{}",
            pick(rng, &ADJECTIVES),
            pick(rng, &NOUNS),
            pick(rng, &VERBS)
        );
        if !taken(&id) {
            return id;
        }
    }
    let mut suffix = 2usize;
    loop {
        let candidate = format!("{id}-{suffix}");
        if !taken(&candidate) {
            return candidate;
        }
        suffix += 1;
    }
}

/// One word of `words`, chosen by `rng`.
fn pick(rng: &mut impl FnMut(usize) -> usize, words: &[&'static str]) -> &'static str {
    words[rng(words.len()) % words.len()]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::parse_changeset;
    use std::collections::HashSet;

    fn round_trip(releases: &[(String, Bump)], summary: &str) {
        let text = render_changeset(releases, summary);
        let changeset = parse_changeset("x", &text).unwrap();
        let parsed: Vec<(String, Bump)> = changeset
            .releases
            .iter()
            .map(|r| (r.name.clone(), r.bump))
            .collect();
        assert_eq!(parsed, releases, "{text}");
        assert_eq!(changeset.summary, summary.trim(), "{text}");
        for (index, release) in changeset.releases.iter().enumerate() {
            assert_eq!(release.line, index + 2);
        }
    }

    #[test]
    fn writer_format() {
        let releases = [
            ("pkg-a".to_owned(), Bump::Minor),
            ("@scope/b".to_owned(), Bump::Patch),
        ];
        assert_eq!(
            render_changeset(&releases, "Summary text"),
            "---\n\"pkg-a\": minor\n\"@scope/b\": patch\n---\n\nSummary text\n"
        );
    }

    #[test]
    fn empty_changeset_format() {
        assert_eq!(render_changeset(&[], ""), "---\n\n---\n\n\n");
        assert_eq!(render_changeset(&[], "msg"), "---\n\n---\n\nmsg\n");
        round_trip(&[], "");
        round_trip(&[], "msg");
    }

    #[test]
    fn round_trips() {
        // An integer-like name goes first: JavaScript objects (and so the parser) order them first.
        let names = [
            "1",
            "pkg-a",
            "@scope/b",
            "cargo:core",
            "python:acme",
            "cool---package",
            "we\"ird\\name",
            "with: colon #hash",
            "true",
            "null",
            "tab\there",
        ];
        let releases: Vec<(String, Bump)> = names
            .iter()
            .zip(
                [Bump::Major, Bump::Minor, Bump::Patch, Bump::None]
                    .iter()
                    .cycle(),
            )
            .map(|(n, b)| ((*n).to_owned(), *b))
            .collect();
        round_trip(
            &releases,
            "Fix the thing\n\nMore details\n- a list\n---\nend",
        );
        round_trip(&releases[..1], "  padded  \n");
    }

    #[test]
    fn ids_are_three_lowercase_words() {
        let mut state = 7usize;
        let mut rng = |n: usize| {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (state >> 33) % n
        };
        let id = random_id(&mut rng, &|_| false);
        let words: Vec<&str> = id.split('-').collect();
        assert_eq!(words.len(), 3, "{id}");
        assert!(ADJECTIVES.contains(&words[0]));
        assert!(NOUNS.contains(&words[1]));
        assert!(VERBS.contains(&words[2]));
        assert!(id.chars().all(|c| c.is_ascii_lowercase() || c == '-'));
    }

    #[test]
    fn taken_ids_are_retried() {
        let mut calls = 0usize;
        let mut rng = |n: usize| {
            calls += 1;
            calls % n
        };
        let first = random_id(&mut rng, &|_| false);
        let taken: HashSet<String> = [first.clone()].into();
        let mut counter = 0usize;
        let mut rng = |_n: usize| {
            counter += 1;
            // The first three words repeat the taken id's choices only on the first attempt.
            if counter <= 3 {
                0
            } else {
                counter
            }
        };
        let zero = random_id(&mut |_| 0, &|_| false);
        let taken_zero: HashSet<String> = [zero.clone()].into();
        let next = random_id(&mut rng, &|id| taken_zero.contains(id));
        assert_ne!(next, zero);
        // Everything taken: a numeric suffix.
        let stuck = random_id(&mut |_| 0, &|id| id == zero || taken.contains(id));
        assert_eq!(stuck, format!("{zero}-2"));
        // Out-of-range rng values are reduced.
        let big = random_id(&mut |_| usize::MAX, &|_| false);
        assert_eq!(big.split('-').count(), 3);
    }

    #[test]
    fn word_lists_are_plain_and_unique() {
        for list in [&ADJECTIVES, &NOUNS, &VERBS] {
            let unique: HashSet<&&str> = list.iter().collect();
            assert_eq!(unique.len(), list.len());
            assert!(list
                .iter()
                .all(|w| w.chars().all(|c| c.is_ascii_lowercase())));
        }
    }
}
