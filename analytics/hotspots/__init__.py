"""Hotspots: the cell grids (250 m squares, H3), the methods (counts, KDE, Gi*, blends), stored runs and backtests."""
