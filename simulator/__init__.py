"""Word-of-mouth diffusion simulator: consumers, channels, trust-weighted adoption and a cost ledger."""
