"""Trajectory pages (lists)."""
