"""Trajectory pages (links)."""
