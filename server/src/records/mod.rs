//! Patient records: their details and history, how feeds fill them, and
//! finding them.

pub mod details;
pub mod search;
pub mod store;
