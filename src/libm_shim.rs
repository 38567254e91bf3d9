//! The two C maths functions the binary calls (through indicatif's rate estimate and
//! plotters' axis ticks), from the pure-Rust `libm` crate, so that libm.so is not
//! loaded and relocated at every start, in front of every prompt.

/// Natural logarithm, for callers of the C `log`.
#[unsafe(no_mangle)]
pub extern "C" fn log(x: f64) -> f64 {
    libm::log(x)
}

/// `x` to the power `y`, for callers of the C `pow`.
#[unsafe(no_mangle)]
pub extern "C" fn pow(x: f64, y: f64) -> f64 {
    libm::pow(x, y)
}

#[cfg(test)]
mod tests {
    // `f64::ln` and `powf` call these very symbols, so the checks use exact values.
    #[test]
    fn log_and_pow_give_the_textbook_values() {
        assert_eq!(super::log(1.0), 0.0);
        assert!((super::log(std::f64::consts::E) - 1.0).abs() < 1e-15);
        assert!((super::log(1e6) - 6.0 * std::f64::consts::LN_10).abs() < 1e-13);
        assert!(super::log(-1.0).is_nan());
        assert_eq!(super::pow(2.0, 10.0), 1024.0);
        assert_eq!(super::pow(10.0, -3.0), 0.001);
        assert_eq!(super::pow(2.25, 0.5), 1.5);
        assert_eq!(super::pow(0.0, 0.0), 1.0);
    }
}
