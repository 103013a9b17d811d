"""Intake: every channel creates cases through services.create_case()."""
