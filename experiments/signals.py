"""Signals the experiments app sends to apps above it, which it may not import.

``signoff_changed``: a sign-off was asked for, approved or refused. Sent once the change is
committed, with ``signoff`` (the SignoffRequest) and ``action`` ("requested", "approved" or
"refused"); the alerts app connects here to tell the team's leads or the requester.

``experiment_seeded``: a test was created from a template or as a duplicate. Sent inside the
creating transaction with ``experiment``, ``user``, ``choices`` (the template's analysis
settings, or None) and ``source`` (the duplicated test, or None); the analysis app applies
the settings, and a refusal it raises undoes the whole creation.

``analysis_choices_wanted``: asked with ``experiment`` when a test is saved as a template or
its sample size is planned; a receiver returns the test's analysis settings as a dict (ask
through `analysis_choices`).
"""

from django.dispatch import Signal

signoff_changed = Signal()
experiment_seeded = Signal()
analysis_choices_wanted = Signal()


def analysis_choices(experiment) -> dict:
    """The test's analysis settings (method, correction, ...) as the analysis app answers."""
    answers = analysis_choices_wanted.send(sender=type(experiment), experiment=experiment)
    return next((answer for _receiver, answer in answers if answer), {})
