"""The course's hidden checks, ``hidden_<assignment>.py``: they decide the grade, and hold
each assignment's mistake catalogue. Never shipped to students, in any form."""
