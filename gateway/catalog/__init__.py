"""The policy catalog in the service: enforcing decisions and serving the catalog."""
