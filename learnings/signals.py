"""What the read-backs tell the apps above learnings, which learnings must not import.

Both are sent once the change is committed, with ``readback`` (the ReadBack):

``readback_needs_data``: a read-back of a test whose data is uploaded or pushed came due; it
waits for a new load, and the alerts app reminds the test's owner.

``readback_reversed``: a read-back found the shipped win reversed; the learning is reopened for
a post-mortem, and the alerts app tells the test's people.
"""

import logging

from django.db import transaction
from django.dispatch import Signal

logger = logging.getLogger(__name__)

readback_needs_data = Signal()
readback_reversed = Signal()


def readback_signal_send(signal: Signal, readback) -> None:
    """Send after commit; a receiver's error is logged and never undoes the read-back."""

    def send() -> None:
        for receiver, result in signal.send_robust(sender=type(readback), readback=readback):
            if isinstance(result, Exception):
                logger.error("%s after read-back %s failed", receiver, readback.pk, exc_info=result)

    transaction.on_commit(send)
