"""The domain: services, rules and clocks. Never imports a user interface."""
