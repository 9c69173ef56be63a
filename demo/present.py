"""The demo in the present: the new Cần Thơ (92) of the two-tier list, which took in Sóc Trăng.

Built from the official lists and lineage in `data/` (only province 92's rows): its 103 communes
from 1 July 2025, each linked to the old communes it took in. The province ranks its phường apart
from its xã; the 2025 round is published, the 2026 round is in progress. For the district years
every Sóc Trăng district has its 2023 ranking, so the province overview compares them and each
new commune's page shows its predecessors' results (An Mỹ 31564 went wholly into the new Xã Nhơn
Mỹ 31552, a code the old Kế Sách commune Nhơn Mỹ also had).
"""

import copy
import datetime
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from communes.lineage import lineage_load
from communes.models import AdministrativeUnit, Level, Role
from communes.services import units_load
from demo import plan
from demo.dossier_months import split_into_months, yearly_totals
from dossiers.services import dossier_reports_save
from scoring.assessments.imports import scores_save
from scoring.assessments.rounds import group_open
from scoring.frameworks.services import framework_load
from scoring.models import Assessment, AssessmentStatus, Framework, Publication
from scoring.periods import period_get_or_create
from scoring.rankings.publication import group_publish
from scoring.rankings.services import group_recompute_now
from scoring.rounds.services import round_deadlines_set, round_open

OFFICIAL = Path(settings.BASE_DIR) / "data"
CAN_THO = "92"
SOC_TRANG = "94"
NHON_MY, PHUONG_SOC_TRANG = "31552", "31507"
REFORM_DAY = datetime.date(2025, 7, 1)
DAYS_21, DAYS_45 = datetime.timedelta(days=21), datetime.timedelta(days=45)
# The demo's today is in November 2026: statistics run to October.
MONTHS = [datetime.date(2025, m, 1) for m in range(7, 13)] + [
    datetime.date(2026, m, 1) for m in range(1, 11)
]
RANKING_GROUPS = [
    {"code": "PHUONG", "name": "Các phường", "name_en": "Wards", "unit_kinds": ["phuong"]},
    {
        "code": "XA",
        "name": "Các xã, đặc khu",
        "name_en": "Communes and special zones",
        "unit_kinds": ["xa", "dac_khu"],
    },
]
PUBLISHED_2025 = ("215/QĐ-UBND", datetime.date(2026, 1, 23))
# Sóc Trăng's districts other than Kế Sách (seeded with the district history) ranked 2023.
DISTRICT_DECISIONS_2023 = "QĐ-UBND"
USERS = [
    ("appraiser_cantho", CAN_THO, Role.APPRAISER),
    ("leader_cantho", CAN_THO, Role.LEADER),
    ("officer_nhonmy", NHON_MY, Role.COMMUNE_OFFICER),
    ("officer_soctrang", PHUONG_SOC_TRANG, Role.COMMUNE_OFFICER),
]


def seed_present(document: dict, seed_scores, log=print) -> None:
    """`seed_scores(framework, period, codes, published=, self_assessing=)` is the district
    history's own score seeding, so both eras are made the same way."""
    _seed_district_year(document, seed_scores)
    log("Sóc Trăng's districts ranked for 2023.")
    units_load(
        path=OFFICIAL / "units_2026-07_two_tier.csv", valid_from=REFORM_DAY, provinces={CAN_THO}
    )
    stats = lineage_load(path=OFFICIAL / "lineage_2025-07_communes.csv", provinces={CAN_THO})
    log(
        f"Cần Thơ (two-tier) and its lineage ready ({stats.created} links; "
        f"{len(stats.skipped)} old communes of Cần Thơ and Hậu Giang are not in the demo)."
    )
    codes = list(
        AdministrativeUnit.objects.filter(level=Level.COMMUNE, parent__code=CAN_THO)
        .valid_on(REFORM_DAY)
        .order_by("code")
        .values_list("code", flat=True)
    )
    _seed_statistics(codes)
    grouped = can_tho_document(document)
    for period_code, published in (("2025", True), ("2026", False)):
        period = period_get_or_create(period_code)
        framework = _framework(grouped, CAN_THO, period.year)
        if Publication.objects.filter(framework=framework, period=period).exists():
            continue
        round_, _added = round_open(framework=framework, period=period)
        round_deadlines_set(round_=round_, user=None)  # the replay happens before them
        # Replayed from the start, as seed_scores does: the communes claim while self-assessing.
        Assessment.objects.filter(framework=framework, period=period).update(
            status=AssessmentStatus.OPEN
        )
        claimers = [NHON_MY, PHUONG_SOC_TRANG, *[c for c in codes[:4] if c not in USER_UNITS]]
        _seed_claims(period, claimers, appraised=False)
        seed_scores(
            framework,
            period,
            codes,
            published=published,
            self_assessing=(NHON_MY, PHUONG_SOC_TRANG),
        )
        _seed_claims(period, claimers, appraised=True, waiting=() if published else USER_UNITS)
        # The year's deadlines, set once its history is replayed: 2025's were met; 2026's are
        # weeks ahead of whenever the demo is loaded, so its communes can still self-assess.
        today = timezone.localdate()
        round_deadlines_set(
            round_=round_,
            user=None,
            self_assessment_due=datetime.date(2025, 12, 15) if published else today + DAYS_21,
            appraisal_due=datetime.date(2026, 1, 15) if published else today + DAYS_45,
        )
        if published:
            group_publish(
                framework=framework,
                period=period,
                decision_number=PUBLISHED_2025[0],
                decision_date=PUBLISHED_2025[1],
                signer="Chủ tịch UBND thành phố Cần Thơ",
            )
        else:
            group_recompute_now(framework, period, trigger="demo")
        log(f"Cần Thơ's {period_code} round ready.")


def can_tho_document(sample: dict) -> dict:
    """The sample framework as a province of today writes it: wards ranked apart from
    communes, a plan item chosen among fixed options, a deduction per overdue dossier, the
    apology rate at full points when no dossier was late, an optional survey and the index over
    what applies to each commune."""
    doc = copy.deepcopy(sample) | {
        "code": "CCHC-CT",
        "name": "Bộ chỉ số CCHC cấp xã của Thành phố Cần Thơ (minh họa)",
        "name_en": "Cần Thơ commune-level PAR index framework (illustrative)",
        "denominator": "applicable",
        "ranking_groups": RANKING_GROUPS,
    }
    subs = {s["code"]: s for area in doc["areas"] for s in area["sub_criteria"]}
    subs["1.1"].update(
        method="choice",
        options=[
            ["Ban hành kịp thời, đầy đủ nội dung", 1.5],
            ["Ban hành chậm hoặc thiếu nội dung", 0.75],
            ["Không ban hành", 0],
        ],
    )
    subs["3.3"]["when_nothing"] = "full"
    subs["3.7"].update(
        name="Hồ sơ đang giải quyết quá hạn (trừ 0,25 điểm mỗi hồ sơ)",
        name_en="Dossiers pending past their deadline (0.25 points off each)",
        method="deduction",
        metric="pending_overdue",
        per_count=0.25,
    )
    # Completing the year's plan, scored item by item: its parts could earn more than its
    # 2 points (and the remaining tasks more than their 1,5), so each is capped.
    subs["1.2"].pop("method")
    subs["1.2"]["items"] = [
        _item(
            "1.2.1",
            "Hoàn thành nhiệm vụ cải cách thể chế, thủ tục hành chính",
            1,
            "Institutional and procedure reform tasks completed",
            method="manual",
        ),
        {
            **_item(
                "1.2.2",
                "Hoàn thành các nhiệm vụ còn lại của kế hoạch",
                1.5,
                "The plan's other tasks completed",
            ),
            "items": [
                _item(
                    "1.2.2.1",
                    "Nhiệm vụ về tổ chức bộ máy, công vụ",
                    1,
                    "Organisation and civil service tasks",
                    method="manual",
                ),
                _item(
                    "1.2.2.2",
                    "Nhiệm vụ về chính quyền số",
                    0.75,
                    "Digital government tasks",
                    method="manual",
                ),
            ],
        },
    ]
    doc["areas"][-1]["optional"] = True  # the survey
    doc["bonus"] = {
        "max": 2,
        "items": [
            _item(
                "T1",
                "Sáng kiến cải cách hành chính được công nhận",
                1,
                "A recognised administrative reform initiative",
            ),
            _item(
                "T2",
                "Mô hình mới trong giải quyết thủ tục hành chính được nhân rộng",
                1.5,
                "A new one-stop-shop model taken up elsewhere",
            ),
        ],
    }
    doc["penalty"] = {
        "max": 2,
        "items": [
            _item(
                "G1",
                "Cán bộ, công chức vi phạm kỷ luật hành chính bị xử lý",
                2,
                "Officials disciplined for breaches of administrative discipline",
            ),
        ],
    }
    return doc


def _item(code: str, name: str, max_points, name_en: str, **rule) -> dict:
    return {"code": code, "name": name, "name_en": name_en, "max_points": max_points} | rule


USER_UNITS = (NHON_MY, PHUONG_SOC_TRANG)
# Bonus and penalty of a few communes: (item, the commune's claim, the appraisers' decision,
# the explanation or reason). The demo officers' communes claim and wait for the appraisers.
CLAIMS = [
    ("T1", 1, None, "Sáng kiến “Một cửa lưu động tại ấp” được UBND thành phố công nhận.", ""),
    ("T2", 1.5, None, "Mô hình trả kết quả qua Zalo OA được các xã lân cận học tập.", ""),
    (
        "T2",
        1.5,
        1,
        "Mô hình “Tổ công nghệ số cộng đồng” được 5 xã áp dụng.",
        "Mô hình mới áp dụng tại 2 xã, chưa nhân rộng toàn thành phố.",
    ),
    ("T1", 1, 1, "Sáng kiến được công nhận tại Quyết định 88/QĐ-UBND.", ""),
    ("G1", None, 0.5, "", "Một công chức bị khiển trách do vi phạm giờ làm việc."),
    ("T1", 1, 0.75, "Sáng kiến số hóa hồ sơ hộ tịch.", "Sáng kiến mới áp dụng từ quý IV."),
]


def _seed_claims(period, codes: list[str], *, appraised: bool, waiting=()) -> None:
    """The communes' claims first (while they self-assess), the appraisers' decisions after;
    the claims of the units in `waiting` are not decided yet."""
    records = []
    for code, (item, claimed, decided, explanation, reason) in zip(codes, CLAIMS, strict=False):
        if appraised and code not in waiting:
            decided = claimed if decided is None else decided
            record = {"appraised_points": decided, "appraisal_reason": reason}
        elif not appraised and claimed is not None:
            record = {"self_points": claimed, "explanation": explanation}
        else:
            continue
        record |= {"unit_code": code, "period": period.code, "sub_code": item}
        records.append((len(records) + 2, record))
    result = scores_save(records=records)
    if not result.ok:
        raise RuntimeError("demo claims refused: " + "; ".join(map(str, result.problems[:5])))


def _framework(document: dict, issuer: str, year: int) -> Framework:
    found = Framework.objects.filter(issuer__code=issuer, year=year, code=document["code"]).first()
    if found is None:
        found, _replaced = framework_load(document=document, issuer_code=issuer, year=year)
    return found


def _seed_district_year(document: dict, seed_scores) -> None:
    period = period_get_or_create("2023")
    districts = (
        AdministrativeUnit.objects.filter(level=Level.DISTRICT, parent__code=SOC_TRANG)
        .exclude(code__in=plan.DISTRICTS)
        .order_by("code")
    )
    for number, district in enumerate(districts, start=1):
        framework = _framework(document, district.code, 2023)
        if Publication.objects.filter(framework=framework, period=period).exists():
            continue
        codes = list(
            AdministrativeUnit.objects.filter(level=Level.COMMUNE, parent=district)
            .valid_on(period.end)
            .order_by("code")
            .values_list("code", flat=True)
        )
        group_open(framework=framework, period=period)
        seed_scores(framework, period, codes, published=True, self_assessing=())
        group_publish(
            framework=framework,
            period=period,
            decision_number=f"{1400 + 37 * number}/{DISTRICT_DECISIONS_2023}",
            decision_date=datetime.date(2024, 1, 10 + number),
        )


def _seed_statistics(codes: list[str]) -> None:
    records = []
    for code in codes:
        p = plan.profile(code)
        carried = round(p.base * 0.03)
        for year in (2025, 2026):
            months = [m for m in MONTHS if m.year == year]
            # The demo's share curves saturate after 2024 (online + postal would pass 100 % in a
            # small month), so the later years keep 2024's shares.
            totals = yearly_totals(code, p.quality, p.base, p.growth, 2024, len(months))
            rows = split_into_months(totals, months, carried, f"{code}-{year}-new")
            carried = rows[-1]["pending_on_time"] + rows[-1]["pending_overdue"]
            for row in rows:
                records.append(
                    (len(records) + 2, dict(row, commune_code=code, month=f"{row['month']:%Y-%m}"))
                )
    result = dossier_reports_save(records=records, reason="demo")
    if not result.ok:
        raise RuntimeError("demo statistics refused: " + "; ".join(map(str, result.problems[:5])))
