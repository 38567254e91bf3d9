//! recommend tests
