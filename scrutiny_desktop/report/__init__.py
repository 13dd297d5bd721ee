"""Exports and checks built on the services: PDF, JSON, CSV, comparison PDF, verify."""
