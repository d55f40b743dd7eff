"""The what-if load's inputs (bench/whatif_load.py): data values as the Predict form sends."""

from __future__ import annotations

import numpy as np
import pytest

from bench.whatif_load import form_value


@pytest.mark.parametrize(
    ("value", "sent"),
    [
        ("UA", "UA"),
        (np.float32(39.02), 39.02),  # the float32's shortest decimal, not 39.020000457
        (np.float32(17.0), 17),  # whole numbers as the form's integers
        (2576.0, 2576),
        (np.float32("nan"), None),
        (float("nan"), None),
        (None, None),
    ],
)
def test_form_value(value, sent):
    found = form_value(value)
    assert found == sent
    assert type(found) is type(sent)
