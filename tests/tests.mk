# tests: included from the top-level Makefile
.PHONY: test-helpers
test-helpers:
