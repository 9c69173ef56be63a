"""Assessments: self-assessment, appraisal, evidence, bonus and penalty, score imports, and the
rules of who may do what and when (rules.py, the only place they live)."""
