"""Exports and checks: canonical content and fingerprint, PDF, JSON, CSV, verify."""
