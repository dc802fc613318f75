//! The release plan.
