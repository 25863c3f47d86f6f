"""Catalogue: parcours, levels, modules, quizzes, and the loader for `courses/` packages."""
