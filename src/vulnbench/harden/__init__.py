"""Hardening: SecCoder's retrieval-augmented secure generation (a store of secure code, retrievers,
integration templates as prompt styles) and the comparison of prompting defences."""
