"""Kiosk mode's parts, each pure logic that the app's main loop wires together."""
