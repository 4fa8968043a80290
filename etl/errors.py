"""The one exception type whose message is written for people.

The CLI prints it as a single line (no traceback); every stage raises a
subclass when the user has something to fix.
"""


class UserError(Exception):
    """Something the user can fix; str(exc) says what was wrong and what to do."""
