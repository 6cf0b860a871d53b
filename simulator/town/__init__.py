"""The town: its people (population), their networks, trust in each tie, seeding."""
