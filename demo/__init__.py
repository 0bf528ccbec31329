"""The demo: writes demo data in every real source format (ingestion.demo's writers, investigations' RMS export),
then drives the real importers, the analytics refresh, the forecasting chain and the daily actions, as a force's
first day would. It sits outside the apps it drives, so none of them depends on another through it."""
