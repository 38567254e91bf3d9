//! Monte-Carlo proofs of the verdict and the router; see each file.
