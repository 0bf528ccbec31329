"""Demand forecasting: the models (methods), backtests that choose before they score, per-area demand services,
the weekly refresh chain, and the reads of stored results."""
