//! wasm entry (being written).
