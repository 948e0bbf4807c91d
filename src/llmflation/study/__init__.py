"""Analyses: each public verb takes a tidy frame and returns a frozen result."""
