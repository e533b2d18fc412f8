"""OAuth 2.0 client credentials for organisations, and the gateway's access tokens."""
