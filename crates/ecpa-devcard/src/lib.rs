//! Demo PKI and SoftHSM2 card provisioning.
