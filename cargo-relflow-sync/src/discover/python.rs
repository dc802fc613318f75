//! Python project discovery.
