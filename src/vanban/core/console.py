"""What the console scripts (`vanban`, `vanban-sign`) show the person at the terminal.

They print the project's own messages only. Warnings that a library raises about itself (a
deprecation in a dependency, say) are meant for the developers who upgrade it, not for a clerk or
an administrator, so they are dropped here whatever `PYTHONWARNINGS` or `-W` ask; warnings raised
for the project's own code are still shown, and the test suite turns those into errors.
"""

import warnings

# A warning is attributed to the module of the line that triggered it: anything outside the
# `vanban` package is a library's business.
_LIBRARY_MODULE = r"(?!vanban(\.|$))"


def quiet_library_warnings() -> None:
    """Drop warnings raised inside libraries; call first thing in a console script."""
    warnings.filterwarnings("ignore", module=_LIBRARY_MODULE)
