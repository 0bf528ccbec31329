"""Demo data in the real source formats (calls CSV here; the police.uk archive and CAD feed in their own modules)."""
