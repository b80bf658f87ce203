"""Reference solutions: the one source that exercises/ and the notebooks are generated from."""
