//! Patient records: their details and history, how feeds fill them, and
//! finding them.

pub mod details;
pub mod entries;
pub mod exclusions;
pub mod history;
pub mod mine;
pub mod owner;
pub mod routes;
pub mod search;
pub mod store;
pub mod view;
