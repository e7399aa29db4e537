pub mod config;
pub mod generate;
pub mod host;
pub mod job;
pub mod replay;
pub mod sim;
pub mod trace;
pub mod wire;
