"""Field sizes shared by every scoring model."""

POINTS = {"max_digits": 7, "decimal_places": 2}
PERCENT = {"max_digits": 7, "decimal_places": 2}
# An index or an area percent: two decimals, or three where the framework says so (precision).
INDEX = {"max_digits": 8, "decimal_places": 3}
