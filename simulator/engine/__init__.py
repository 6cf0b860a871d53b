"""The engine: channels and adoption rules meet here; run.simulate runs a scenario."""
