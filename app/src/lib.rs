//! Portico pages (being written).
