"""Field sizes shared by every scoring model."""

POINTS = {"max_digits": 7, "decimal_places": 2}
PERCENT = {"max_digits": 7, "decimal_places": 2}
