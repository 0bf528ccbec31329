"""Who may open each analytics URL, merged by tests/test_url_matrix.py (one dict per feature module)."""

from tests.analytics.url_matrix_forecasting import EXPECTED as FORECASTING

EXPECTED = {**FORECASTING}
