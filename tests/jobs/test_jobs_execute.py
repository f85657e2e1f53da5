"""job_execute takes its kind first and everything else by name, so no caller swaps an id for a
delivery or the work."""

import pytest

from analysis.jobs import ANALYSIS_RUNS
from jobs.services import job_execute


def test_job_execute_refuses_the_job_id_delivery_and_work_by_position():
    with pytest.raises(TypeError, match="positional"):
        job_execute(ANALYSIS_RUNS, 1, None, lambda attempt: None)
