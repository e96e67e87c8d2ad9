"""The visuals stage."""
