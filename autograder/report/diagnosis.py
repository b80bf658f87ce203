"""One key per mistake: the same message with other numbers, shapes or call arguments is one diagnosis.

A check's message names the values it was called with and the values the student's code
gave ("The bias was not added ... [linear_transform(x of shape (5, 4), ...)]", "... line 35"),
so two students with the same mistake rarely have the same message. A feedback page lists
one line per problem (``report.problems``: the message without the call the check names in
brackets at its end); :func:`diagnosis` goes further for the class report and forgets the
values in that problem's text: numbers become ``N``, a group of numbers (a shape, a list)
becomes ``(…)`` or ``[…]``, and the arguments of a call become ``(…)``.

Messages quote student code's exception text, so the key is made in one pass over at most
:data:`MAX_KEY_CHARS` characters of the first line, with plain string code: each character
is looked at once, and each token of the key is added once and removed at most once (a
group collapsing), so the work is linear in the text's length whatever it holds. No regular
expression runs over the text.
"""
from __future__ import annotations

from autograder.report.problems import split_call

#: the part of a message's first line a key is made from: a diagnosis is said early
MAX_KEY_CHARS = 400

_DIGITS = frozenset("0123456789")
_WORD = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")
_NUMBER_TAIL = _WORD | {"."}
_CLOSERS = {")": "(", "]": "[", "}": "{"}
_NUMERIC = frozenset({"N", ",", " ", "-", "(…)", "[…]", "{…}"})  #: what a group of numbers holds


def first_line(message: str) -> str:
    """The first line of ``message``, at most :data:`MAX_KEY_CHARS` characters."""
    end = message.find("\n", 0, MAX_KEY_CHARS)
    return message[: end if end >= 0 else MAX_KEY_CHARS]


def diagnosis(message: str) -> str:
    """The key of ``message``'s mistake (see the module's docstring)."""
    text = split_call(first_line(message))[0]
    out: list[str] = []
    #: open groups: (where the opener is in ``out``, the opener, a call's arguments, numbers only so far)
    groups: list[list] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        previous = text[i - 1] if i else ""
        if c in _DIGITS and previous not in _WORD and previous != ".":
            start = i
            if previous == "-" and (i < 2 or text[i - 2] not in _WORD and text[i - 2] not in ")]"):
                out.pop()  # a minus sign belongs to the number
            i += 1
            while i < n and (text[i] in _NUMBER_TAIL and (text[i] != "." or i + 1 < n and text[i + 1] in _DIGITS)
                             or text[i] in "+-" and text[i - 1] in "eE" and i + 1 < n and text[i + 1] in _DIGITS
                             and start < i - 1):
                i += 1
            _add(out, groups, "N")
            continue
        if c in "([{":
            is_call = c == "(" and bool(out) and (out[-1][-1] in _WORD or out[-1] in (")", "(…)", "]", "[…]"))
            groups.append([len(out), c, is_call, True])
            out.append(c)
        elif c in _CLOSERS and groups and groups[-1][1] == _CLOSERS[c]:
            start, opener, is_call, numeric = groups.pop()
            if is_call or numeric:
                del out[start:]  # each token is removed at most once: linear in all
                _add(out, groups, opener + "…" + c)
            else:
                out.append(c)
                if groups:
                    groups[-1][3] = False
        else:
            _add(out, groups, c)
        i += 1
    return "".join(out)


def _add(out: list[str], groups: list[list], token: str) -> None:
    """Append ``token``: the innermost open group holds numbers only while each of its own
    tokens (a nested group counts as the one token it collapsed into) is one of :data:`_NUMERIC`."""
    out.append(token)
    if groups and token not in _NUMERIC:
        groups[-1][3] = False
