"""Spørgeskema: the questionnaire's dimensions beside the coded open answers (the joint display)."""
