"""The scoring part of /api/v1/: frameworks, periods, assessments, scores, evidence, rankings."""
