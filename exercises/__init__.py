"""Your exercises: fill in the functions, then run `autograder check`."""
