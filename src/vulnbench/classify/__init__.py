"""Answers of models asked to classify code (vulnerable? which CWE?): parsing and metrics."""
