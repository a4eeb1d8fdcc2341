"""Trajectory pages (views)."""
