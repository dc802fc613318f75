//! npm workspaces discovery.
