"""The demo: two provinces' units, the sample framework, four years of statistics and
assessments, reproducing the reference cases of public reports. Development only."""
