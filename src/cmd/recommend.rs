//! `promptrun recommend`.
use crate::cli::{GlobalArgs, RecommendArgs};
use crate::error::Result;

pub fn run(_global: &GlobalArgs, _args: &RecommendArgs) -> Result<i32> {
    Ok(0)
}
