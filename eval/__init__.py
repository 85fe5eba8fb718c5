"""Evaluation: the gold set, the scorer and the systems it compares."""
