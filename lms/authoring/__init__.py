"""Authoring: trainers build, preview, publish, export and import their parcours."""
