//! changesets_config
