"""Scientific validation: the model against closed forms, peer tools and cited defaults."""
