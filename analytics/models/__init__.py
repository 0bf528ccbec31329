"""The analytics models package: foundation models (rollups, trends, metrics) and the forecasting helper's."""

from analytics.models.access import *  # noqa: F403
from analytics.models.allocation import *  # noqa: F403
from analytics.models.context import *  # noqa: F403
from analytics.models.forecasting import *  # noqa: F403
from analytics.models.hotspots import *  # noqa: F403
from analytics.models.metrics import *  # noqa: F403
from analytics.models.response_times import *  # noqa: F403
from analytics.models.rollups import *  # noqa: F403
from analytics.models.trends import *  # noqa: F403
