"""The benchmark: `make bench`. Prints figures and ratios; never a pass/fail test."""
