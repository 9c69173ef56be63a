"""Build the demo: units, frameworks, monthly statistics, scores, rankings and users.

Everything goes through the same services as real data, and running it again changes nothing.
"""

import datetime
import json
import random
from decimal import Decimal
from pathlib import Path

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from communes.models import AdministrativeUnit, Level, Role
from communes.services import member_add, units_load
from demo import plan
from demo.dossier_months import split_into_months, yearly_totals
from demo.numbers import distribute_points
from demo.present import USERS as PRESENT_USERS
from demo.present import seed_present
from dossiers.exports import standard_mapping
from dossiers.services import dossier_reports_save
from scoring.assessments.imports import scores_save
from scoring.assessments.rounds import group_open
from scoring.frameworks.services import framework_load
from scoring.models import (
    DERIVED_METHODS,
    Assessment,
    AssessmentStatus,
    Framework,
    Period,
    Publication,
    Score,
)
from scoring.periods import period_get_or_create
from scoring.rankings import engine
from scoring.rankings.publication import group_publish
from scoring.rankings.services import group_recompute_now

DATA = Path(__file__).parent / "data"
UNITS_FILE = DATA / "units_soc_trang_quang_tri_three_tier.csv"
FRAMEWORK_FILE = DATA / "sample_framework_commune.json"
EXPLANATIONS = {
    "1": "Đã ban hành kế hoạch và báo cáo định kỳ; tài liệu kiểm chứng kèm theo.",
    "2": "Văn bản ban hành đúng thẩm quyền, đã rà soát theo quy định.",
    "3": "Niêm yết công khai TTHC tại Bộ phận Một cửa; số liệu theo phần mềm một cửa.",
    "4": "Thực hiện đúng quy định về tổ chức bộ máy và số lượng cán bộ, công chức.",
    "5": "Có danh sách, kết quả đánh giá, xếp loại cán bộ, công chức.",
    "6": "Báo cáo quyết toán ngân sách và công khai ngân sách kèm theo.",
    "7": "Số liệu trích xuất từ hệ thống quản lý văn bản và điều hành.",
    "8": "Theo kết quả điều tra xã hội học của huyện.",
}
DEMO_USERS = [
    ("admin", "94", Role.ADMIN),
    ("admin", "45", Role.ADMIN),
    ("officer_anmy", plan.AN_MY, Role.COMMUNE_OFFICER),
    ("officer_haitruong", plan.HAI_TRUONG, Role.COMMUNE_OFFICER),
    ("appraiser_kesach", plan.KE_SACH, Role.APPRAISER),
    ("appraiser_hailang", plan.HAI_LANG, Role.APPRAISER),
    ("leader_kesach", plan.KE_SACH, Role.LEADER),
    ("leader_hailang", plan.HAI_LANG, Role.LEADER),
    ("leader_soctrang", "94", Role.LEADER),
]
UNITS_VALID_FROM = datetime.date(2019, 1, 1)
UNITS_VALID_TO = datetime.date(2025, 6, 30)


def seed_demo(log=print) -> None:
    units_load(path=UNITS_FILE, valid_from=UNITS_VALID_FROM, valid_to=UNITS_VALID_TO)
    document = json.loads(FRAMEWORK_FILE.read_text(encoding="utf-8"))
    communes = {
        district: list(
            AdministrativeUnit.objects.filter(level=Level.COMMUNE, parent__code=district)
            .valid_on(datetime.date(2023, 12, 31))
            .order_by("code")
            .values_list("code", flat=True)
        )
        for district in plan.DISTRICTS
    }
    frameworks = {}
    for district in plan.DISTRICTS:
        for year in plan.YEARS:
            found = Framework.objects.filter(
                issuer__code=district, year=year, code=document["code"]
            ).first()
            if found is None:
                found, _replaced = framework_load(
                    document=document, issuer_code=district, year=year
                )
            frameworks[(district, year)] = found
    log(f"Units and {len(frameworks)} frameworks ready.")
    _seed_dossiers(communes)
    log("Monthly dossier statistics ready.")
    for period_code in plan.PERIODS:
        period = period_get_or_create(period_code)
        for district in plan.DISTRICTS:
            framework = frameworks[(district, period.year)]
            if Publication.objects.filter(framework=framework, period=period).exists():
                continue  # published results are final; a second run leaves them alone
            group_open(framework=framework, period=period)
            _seed_scores(
                framework,
                period,
                communes[district],
                published=(district, period_code) in plan.PUBLICATIONS,
            )
            publication = plan.PUBLICATIONS.get((district, period_code))
            if publication:
                group_publish(
                    framework=framework,
                    period=period,
                    decision_number=publication[0],
                    decision_date=publication[1],
                )
            else:
                # Final figures now, whether or not a worker is listening to the broker.
                group_recompute_now(framework, period, trigger="demo")
        log(f"Scores and rankings of {period_code} ready.")
    seed_present(document, _seed_scores, log=log)
    _seed_users()
    _seed_notices()
    standard_mapping()  # the one-stop export layout, in case the database was flushed
    log(f"Demo users ready (password {plan.DEMO_PASSWORD}).")


def _seed_notices() -> None:
    """The bell of the demo's people: the newest round opened, the last results published."""
    from scoring.models import Round
    from scoring.rounds import notifications

    latest = Round.objects.order_by("-period__end").first()
    if latest is not None:
        notifications.round_opened(latest)
    for publication in Publication.objects.order_by("-published_at")[:1]:
        notifications.results_published(publication)


def _seed_dossiers(communes: dict) -> None:
    records = []
    for codes in communes.values():
        for code in codes:
            p = plan.profile(code)
            carried = round(p.base * 0.03)
            for year in plan.YEARS:
                for first, last in ((1, 6), (7, 12)) if year == 2023 else ((1, 12),):
                    months = [datetime.date(year, m, 1) for m in range(first, last + 1)]
                    totals = (
                        plan.EXACT_DOSSIERS.get((code, year, first, last))
                        or (plan.EXACT_DOSSIERS.get((code, year, 1, 12)) if first == 1 else None)
                        or yearly_totals(code, p.quality, p.base, p.growth, year, len(months))
                    )
                    rows = split_into_months(totals, months, carried, f"{code}-{year}-{first}")
                    carried = rows[-1]["pending_on_time"] + rows[-1]["pending_overdue"]
                    for row in rows:
                        record = dict(row, commune_code=code, month=f"{row['month']:%Y-%m}")
                        records.append((len(records) + 2, record))
    result = dossier_reports_save(records=records, reason="demo")
    if not result.ok:
        raise RuntimeError("demo statistics refused: " + "; ".join(map(str, result.problems[:5])))


def _targets(codes: list[str], period_code: str) -> dict[str, float]:
    targets = {c: plan.generic_index(plan.profile(c), period_code) for c in codes}
    for (code, pc), value in plan.REFERENCE_INDEX.items():
        if pc == period_code and code in targets:
            targets[code] = float(value)
    for (code, pc), rank in plan.REFERENCE_RANK.items():
        if pc != period_code or code not in targets:
            continue
        others = sorted(
            (c for c in codes if c != code), key=lambda c: plan.profile(c).quality, reverse=True
        )
        for i, other in enumerate(others):
            if i < rank - 1:
                targets[other] = max(targets[other], targets[code] + 0.9 + 0.41 * i)
            else:
                targets[other] = min(targets[other], targets[code] - 0.7 - 0.23 * (i - rank + 1))
    return targets


def _seed_scores(
    framework: Framework,
    period: Period,
    codes: list[str],
    *,
    published: bool,
    self_assessing=plan.SELF_ASSESSING,
) -> None:
    # A first engine pass computes the derived points the commune's statistics give.
    with transaction.atomic():
        engine.recompute_group(framework, period)
    scores = (
        Score.objects.filter(assessment__framework=framework, assessment__period=period)
        .select_related("sub_criterion__area", "assessment__unit")
        .order_by("assessment__unit__code", "sub_criterion__position")
    )
    by_unit: dict[str, list[Score]] = {}
    for score in scores:
        by_unit.setdefault(score.assessment.unit.code, []).append(score)
    targets = _targets(codes, period.code)
    records = []
    shares = {}
    for code, unit_scores in by_unit.items():
        values = _manual_points(code, period.code, framework, unit_scores, targets[code])
        rng = random.Random(f"{code}-{period.code}-appraisal")
        appraised_share = 1.0 if published else rng.choice([1.0, 0.9, 0.85, 0.7, 0.0])
        shares[code] = appraised_share
        for score in unit_scores:
            if score.sub_criterion.code not in values:
                continue
            value = values[score.sub_criterion.code]
            maximum = score.sub_criterion.max_points
            record = {
                "unit_code": code,
                "period": period.code,
                "sub_code": score.sub_criterion.code,
                "explanation": EXPLANATIONS.get(score.sub_criterion.area.code, ""),
            }
            if rng.random() < appraised_share:
                over = min(maximum - value, Decimal(rng.choice(["0", "0", "0", "0.25", "0.5"])))
                if over and score.sub_criterion.options:  # a claim is one of the options too
                    higher = [p for p in score.sub_criterion.option_points if p > value]
                    over = min(higher) - value if higher else Decimal(0)
                record.update(self_points=value + over, appraised_points=value)
                if over:
                    record["appraisal_reason"] = "Tài liệu kiểm chứng chưa đầy đủ."
            else:
                record["self_points"] = value
            records.append((len(records) + 2, record))
    # The demo replays the round from the start: communes self-assess before anyone submits
    # (the import refuses self points on a submitted assessment, as everywhere).
    Assessment.objects.filter(framework=framework, period=period).update(
        status=AssessmentStatus.OPEN
    )
    result = scores_save(records=records)
    if not result.ok:
        raise RuntimeError("demo scores refused: " + "; ".join(map(str, result.problems[:5])))
    _seed_statuses(framework, period, published, shares, self_assessing)


def _seed_statuses(framework, period, published: bool, shares: dict, self_assessing) -> None:
    """Where each unit stands: published periods are appraised; in the open period the demo
    officers' communes are still self-assessing, the others submitted or appraised."""
    # At the period's end, or a few days ago for the period still running (never in the future).
    day = min(period.end, timezone.localdate() - datetime.timedelta(days=3))
    submitted_at = timezone.make_aware(datetime.datetime.combine(day, datetime.time(9)))
    assessments = list(
        Assessment.objects.filter(framework=framework, period=period).select_related("unit")
    )
    for assessment in assessments:
        share = shares.get(assessment.unit.code, 1.0)
        if not published and assessment.unit.code in self_assessing:
            status = AssessmentStatus.OPEN
        elif published or share == 1.0:
            status = AssessmentStatus.APPRAISED
        else:
            status = AssessmentStatus.SUBMITTED
        assessment.status = status
        assessment.submitted_at = None if status == AssessmentStatus.OPEN else submitted_at
        assessment.appraised_at = submitted_at if status == AssessmentStatus.APPRAISED else None
    Assessment.objects.bulk_update(assessments, ["status", "submitted_at", "appraised_at"])


def _manual_points(code, period_code, framework, unit_scores, target) -> dict:
    """Points for every sub-criterion a person scores, so that the index reaches `target`."""
    derived = {
        s.sub_criterion.code: s.derived_points
        for s in unit_scores
        if s.sub_criterion.method in DERIVED_METHODS and s.metric_value is not None
    }
    # Bonus and penalty items are claims, not shares of the index (the present's demo claims
    # a few itself); an item made of items takes its items' points.
    manual = [
        s.sub_criterion
        for s in unit_scores
        if s.sub_criterion.code not in derived
        and s.sub_criterion.area_id is not None
        and not s.sub_criterion.has_items
    ]
    bias = plan.profile(code).area_bias
    quality = plan.profile(code).quality

    def weight(sub):
        return max(0.05, min(1.0, quality + bias[(sub.area.position - 1) % len(bias)])) ** 2

    if code == plan.HAI_TRUONG and period_code == "2023-H1":
        values = {}
        for area_code, area_target in plan.HAI_TRUONG_H1_AREAS.items():
            in_area = [s for s in manual if s.area.code == area_code]
            derived_in_area = sum(
                (v for c, v in derived.items() if c.split(".")[0] == area_code), Decimal(0)
            )
            values.update(
                distribute_points(
                    Decimal(area_target) - derived_in_area,
                    [(s.code, s.max_points, 1.0) for s in in_area],
                )
            )
        return values
    goal = Decimal(str(round(target, 2))) * framework.max_points / 100
    values = distribute_points(
        goal - sum(derived.values(), Decimal(0)),
        [(s.code, s.max_points, weight(s)) for s in manual],
    )
    # An item chosen among options takes the best option the share reaches.
    for sub in manual:
        if sub.options and sub.code in values:
            values[sub.code] = max(p for p in sub.option_points if p <= values[sub.code])
    return values


def _seed_users() -> None:
    for username, unit_code, role in DEMO_USERS + PRESENT_USERS:
        member_add(username=username, unit_code=unit_code, role=role, password=plan.DEMO_PASSWORD)
    admin = get_user_model().objects.get(username="admin")
    if not admin.is_superuser:
        admin.is_superuser = admin.is_staff = True
        admin.save(update_fields=["is_superuser", "is_staff"])
