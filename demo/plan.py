"""What the demo shows: the two districts, their periods, the reference cases from public reports
(domain.md), and a believable profile for every other commune."""

import datetime
import random
from dataclasses import dataclass

AN_MY, HAI_TRUONG = "31564", "19729"
# The demo officers' communes: their self-assessment of the open period is still open.
SELF_ASSESSING = (AN_MY, HAI_TRUONG)
KE_SACH, HAI_LANG = "943", "470"
DISTRICTS = (KE_SACH, HAI_LANG)
PROVINCES = ("94", "45")
YEARS = (2020, 2021, 2022, 2023)
PERIODS = ("2020", "2021", "2022", "2023-H1", "2023")
DEMO_PASSWORD = "demo1234"

# Decisions publishing each group's results. An Mỹ's 2022 decision is the public one; the others
# are demo values. 2023 is still being appraised, so its results stay provisional.
PUBLICATIONS = {
    (KE_SACH, "2020"): ("1985/QĐ-UBND", datetime.date(2020, 12, 29)),
    (KE_SACH, "2021"): ("2110/QĐ-UBND", datetime.date(2021, 12, 28)),
    (KE_SACH, "2022"): ("2007/QĐ-UBND", datetime.date(2022, 12, 30)),
    (KE_SACH, "2023-H1"): ("1544/QĐ-UBND", datetime.date(2023, 7, 31)),
    (HAI_LANG, "2020"): ("3012/QĐ-UBND", datetime.date(2020, 12, 31)),
    (HAI_LANG, "2021"): ("2987/QĐ-UBND", datetime.date(2021, 12, 30)),
    (HAI_LANG, "2022"): ("3105/QĐ-UBND", datetime.date(2022, 12, 29)),
    (HAI_LANG, "2023-H1"): ("1620/QĐ-UBND", datetime.date(2023, 7, 28)),
}

# Index targets of the reference communes (the engine computes the real figures from points).
REFERENCE_INDEX = {
    (AN_MY, "2021"): "83.25",
    (AN_MY, "2022"): "90.92",
    (HAI_TRUONG, "2020"): "78.40",
    (HAI_TRUONG, "2021"): "80.15",
    (HAI_TRUONG, "2022"): "79.60",
    (HAI_TRUONG, "2023-H1"): "73.90",
    (HAI_TRUONG, "2023"): "76.80",
}
# Ranks the reports give: the demo places exactly rank − 1 communes above the reference one.
REFERENCE_RANK = {
    (AN_MY, "2022"): 1,
    (HAI_TRUONG, "2020"): 2,
    (HAI_TRUONG, "2021"): 2,
    (HAI_TRUONG, "2022"): 4,
    (HAI_TRUONG, "2023-H1"): 6,
}
# Hải Trường, first half of 2023: points per area from the appraisal report.
HAI_TRUONG_H1_AREAS = {
    "1": "3.75",
    "2": "2.75",
    "3": "15.40",
    "4": "8",
    "5": "9",
    "6": "1.5",
    "7": "4.96",
    "8": "28.54",
}

# Dossier totals from the reports (An Mỹ 2022) or chosen to give the reported area results
# (Hải Trường 2023-H1: 98.8 % on time → 4/5, online 45 % → 3.6/4, postal 10 % → 1/2,
# digitised 60 % → 2.25/3, full online 12.8 % → 0.96/3, every late dossier apologised for).
EXACT_DOSSIERS = {
    (AN_MY, 2022, 1, 12): {
        "received": 3517,
        "resolved_early": 3494,
        "resolved_on_time": 23,
        "resolved_late": 0,
        "pending_on_time": 0,
        "pending_overdue": 0,
        "online_full": 1500,
        "online_partial": 400,
        "postal": 750,
        "digitized": 2900,
        "apologies": 0,
    },
    (HAI_TRUONG, 2023, 1, 6): {
        "received": 500,
        "resolved_early": 300,
        "resolved_on_time": 174,
        "resolved_late": 4,
        "pending_on_time": 20,
        "pending_overdue": 2,
        "online_full": 64,
        "online_partial": 161,
        "postal": 50,
        "digitized": 300,
        "apologies": 6,
    },
}


@dataclass(frozen=True)
class Profile:
    code: str
    quality: float  # 0…1, how well the commune runs its reform work
    base: float  # dossiers received in an average month of 2020
    growth: float  # yearly growth of received dossiers
    area_bias: tuple  # per-area strength offsets: every commune has its weak spots


def profile(code: str) -> Profile:
    rng = random.Random(int(code) * 7919)
    quality = rng.uniform(0.35, 0.85)
    if code == AN_MY:
        quality = 0.95
    elif code == HAI_TRUONG:
        quality = 0.72
    return Profile(
        code=code,
        quality=quality,
        base=rng.uniform(60, 260) if code != AN_MY else 270,
        growth=rng.uniform(0.02, 0.09),
        area_bias=tuple(rng.uniform(-0.25, 0.2) for _ in range(8)),
    )


def generic_index(p: Profile, period_code: str) -> float:
    """Index a commune of this profile reaches: better communes score higher, everyone improves
    a little each year, a half year is scored before the year's work is done."""
    year = int(period_code[:4])
    rng = random.Random(f"{p.code}-{period_code}-index")
    value = 56 + 34 * p.quality + 1.4 * (year - 2020) + rng.uniform(-1.8, 1.8)
    if period_code.endswith("H1"):
        value -= 3.0
    return max(45.0, min(96.0, value))
