"""The benchmarks behind `make bench` (benchmarks/README.md): `python -m benchmarks`."""
