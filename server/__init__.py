"""The Flask side of the app: health and readiness endpoints, security headers."""
