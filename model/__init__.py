"""Model tier: training, the versioned registry, and the prediction service. Never imports Dash."""
