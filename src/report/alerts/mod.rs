//! Alerting: the `alerts` rules of the config, their evaluation against a
//! report, and the command run when a rule is breached.

pub mod command;
pub mod evaluate;
pub mod rules;
