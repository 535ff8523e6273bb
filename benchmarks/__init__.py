"""Speed and accuracy measurements (one command each); a package so mypy and `from benchmarks.x import` agree."""
