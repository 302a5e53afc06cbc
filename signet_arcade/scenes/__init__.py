"""Pixels only: each panel draws a Snapshot into its rectangle and keeps nothing but animation state."""
