"""Load test with locust (not part of `make test` or `python -m bench`): run bench/load/run.sh."""
