//! Patient records: finding them. (Feeds that create and fill them come later.)

pub mod search;
