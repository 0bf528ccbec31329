"""The analytics HTTP API (DRF): rollup reads and stored forecast, hotspot and deployment results."""
