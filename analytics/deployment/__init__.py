"""Deployment: the MILP allocation of units, plans built from forecast demand, and their fairness reports."""
