"""Running untrusted student code: a fork server, jailed workers and a safe wire format."""
