//! Version text per ecosystem: semver <-> PEP 440.
