"""A p-value reaches a person as "p = 0.0123" or "p < 0.0001": never "p = 0" nor "1.2e-05"."""

import pytest

from dashboard.templatetags import dashboard as tags
from tests.dashboard import engine_results as er


@pytest.mark.parametrize(
    ("p", "text"),
    [(0.0, "p < 0.0001"), (1.2e-5, "p < 0.0001"), (0.0001, "p = 0.0001"), (0.01234, "p = 0.0123")],
)
def test_p_equals_reads_as_a_sentence(p, text):
    assert tags.p_equals(p) == text


def test_the_srm_finding_names_a_tiny_p_value_below_one_in_ten_thousand():
    output = er.binomial("Order conversion", "primary", [0.05, 0.05], n=[20000, 30000])
    assert output.srm.p_value < 1e-12  # a 2:3 split of 50,000 against 1:1
    srm = next(f for f in output.findings if f.code == "srm")
    assert "(chi-square p < 0.0001)" in srm.detail
