"""Hidden checks: they decide the grade. Never shipped to students, in any form."""
