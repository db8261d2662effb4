"""Establishments and the reopening of the economy (issue 12)."""
