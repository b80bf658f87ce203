"""``autograder grade``: discover submissions, grade them in sandboxed shards, write reports."""
