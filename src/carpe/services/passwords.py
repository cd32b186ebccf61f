"""Password strength: a common-password list and a strength estimator (zxcvbn).

zxcvbn estimates how many guesses an attacker needs, knowing the common
passwords (its list of the 30,000 most used), words, names, keyboard patterns,
dates and substitutions like ``p@ssw0rd``; it ships its lists inside the package
(nothing is downloaded). carpe asks for a score of at least 3 of 4 ("safely
unguessable"), and refuses outright a password that is on the common list.
"""

from __future__ import annotations

from zxcvbn import zxcvbn

from carpe.errors import UsageError

MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 200
MIN_SCORE = 3
"""zxcvbn's 0–4 scale; 3 is "safely unguessable: moderate protection from an offline attack"."""


def check_password(password: str, *, username: str = "") -> None:
    """Refuse a password that is short, common, or easy to guess.

    Parameters
    ----------
    password:
        The new password.
    username:
        The user's name, which the password must not lean on.

    Raises
    ------
    UsageError
        Says why, and what would be better.
    """
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UsageError(f"the password must have at least {MIN_PASSWORD_LENGTH} characters")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise UsageError(f"the password must have at most {MAX_PASSWORD_LENGTH} characters")
    # zxcvbn's cost grows with the length; it only looks at the first 100 characters
    result = zxcvbn(password[:100], user_inputs=[username, "carpe"] if username else ["carpe"])
    common = any(
        match.get("dictionary_name") == "passwords"
        and len(str(match.get("matched_word", ""))) >= len(password) - 2
        for match in result["sequence"]
    )
    if common:
        raise UsageError(
            "that password is on the list of the most common passwords; choose another"
        )
    if result["score"] < MIN_SCORE:
        feedback = result["feedback"]
        advice = " ".join(
            part
            for part in [feedback.get("warning") or "", *feedback.get("suggestions", [])]
            if part
        )
        raise UsageError(
            "that password is too easy to guess"
            + (f": {advice}" if advice else "; add a few uncommon words")
        )
