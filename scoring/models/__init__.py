"""The scoring models, split by topic and re-exported here, so `scoring.models.X` keeps working
(migrations refer to `scoring.models._evidence_path`)."""

from scoring.models.assessments import (
    SELF_ASSESSING,
    Adjustment,
    AdjustmentKind,
    Assessment,
    AssessmentStatus,
    Evidence,
    Score,
    _evidence_path,
)
from scoring.models.fields import PERCENT, POINTS
from scoring.models.frameworks import (
    DERIVED_METHODS,
    MAX_DEPTH,
    Area,
    Band,
    Denominator,
    Framework,
    ItemKind,
    Method,
    RankingGroup,
    RankingGroupKind,
    Step,
    SubCriterion,
    WhenNothing,
    localized,
)
from scoring.models.periods import Period, PeriodKind
from scoring.models.rankings import (
    AreaResult,
    DirtyGroup,
    Publication,
    RankingRun,
    Reopening,
    Result,
    RunStatus,
)
from scoring.models.rounds import Extension, Round

__all__ = [
    "DERIVED_METHODS",
    "MAX_DEPTH",
    "PERCENT",
    "POINTS",
    "SELF_ASSESSING",
    "Adjustment",
    "AdjustmentKind",
    "Area",
    "AreaResult",
    "Assessment",
    "AssessmentStatus",
    "Band",
    "Denominator",
    "DirtyGroup",
    "Evidence",
    "Extension",
    "Framework",
    "ItemKind",
    "Method",
    "Period",
    "Round",
    "PeriodKind",
    "Publication",
    "Reopening",
    "RankingGroup",
    "RankingGroupKind",
    "RankingRun",
    "Result",
    "RunStatus",
    "Score",
    "Step",
    "SubCriterion",
    "WhenNothing",
    "_evidence_path",
    "localized",
]
