"""Flightdeck benchmark: `python -m bench.run` measures the performance budget of PRODUCT.md."""
