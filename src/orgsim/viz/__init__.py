"""Figures, reports, animation and the dashboard: everything people look at, kept apart from the model."""
