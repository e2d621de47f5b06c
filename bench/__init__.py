"""The benchmark harness: fill PostgreSQL with a scaled data set, measure the person's pages.

Run with `make bench SCALE=small|medium|large` (or `python -m bench.run --scale ...`); see
bench/README.md for what each figure means.
"""
