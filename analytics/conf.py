"""Analytics settings, from the environment with defaults that work without any."""

from crimedash.env import env_int

# Counts from 1 up to this minus one are hidden from roles without analyst access (statistical disclosure control).
SUPPRESSION_THRESHOLD = env_int("ANALYTICS_SUPPRESSION_THRESHOLD", 5, minimum=1)
# Rates per 1,000 are not computed for areas with fewer residents than this ...
MIN_POPULATION = env_int("ANALYTICS_MIN_POPULATION", 100, minimum=0)
# ... and are flagged unstable when based on fewer events than this (the ONS rule of thumb).
UNSTABLE_COUNT = env_int("ANALYTICS_UNSTABLE_COUNT", 20, minimum=0)
# Emerging trends: months of history needed before a series is tested, and the two-sided significance level.
ALERT_MIN_HISTORY_MONTHS = env_int("ANALYTICS_ALERT_MIN_HISTORY_MONTHS", 12, minimum=3)
ALERT_MIN_EXPECTED = env_int("ANALYTICS_ALERT_MIN_EXPECTED", 3, minimum=0)
ALERT_P_PER_MILLE = env_int("ANALYTICS_ALERT_P_PER_MILLE", 10, minimum=1)
# Selector results live in the cache this long; a refresh makes them stale at once by bumping the generation.
