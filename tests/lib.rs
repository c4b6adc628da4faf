//! Test support: helpers shared by the test files in this directory.

pub mod replay;
