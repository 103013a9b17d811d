"""Load and scale benchmarks; `python -m bench` runs them and prints figures."""
