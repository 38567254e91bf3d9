//! recommend text
