"""Loading a framework document for an issuer and a year."""

import datetime
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from communes.models import AdministrativeUnit, Level
from scoring.frameworks.document import validate_framework_document
from scoring.models import (
    Area,
    Assessment,
    Band,
    Framework,
    ItemKind,
    Method,
    Publication,
    RankingGroup,
    RankingGroupKind,
    Step,
    SubCriterion,
)
from scoring.rankings.services import groups_mark_dirty

LEVEL_DEPTH = {Level.PROVINCE: 0, Level.DISTRICT: 1, Level.COMMUNE: 2}


class FrameworkError(Exception):
    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


def _issuer(issuer_code: str, year: int) -> AdministrativeUnit | None:
    start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    return (
        AdministrativeUnit.objects.filter(code=issuer_code)
        .exclude(level=Level.COMMUNE)
        .valid_during(start, end)
        .order_by("-valid_from")
        .first()
    )


def framework_load(*, document: dict, issuer_code: str, year: int) -> tuple[Framework, bool]:
    """Validate and store a framework; (framework, replaced). Refused whole on any problem.

    The same (issuer, year, code) is replaced only while no assessment uses it.
    """
    problems = validate_framework_document(document)
    issuer = _issuer(issuer_code, year)
    if issuer is None:
        problems.append(
            _("No province or district with the code %(code)s existed in %(year)d.")
            % {"code": issuer_code, "year": year}
        )
    elif (
        isinstance(document, dict)
        and document.get("level") in LEVEL_DEPTH
        and (LEVEL_DEPTH[document["level"]] <= LEVEL_DEPTH[issuer.level])
    ):
        problems.append(
            _("A %(issuer_level)s cannot issue a framework for %(level)s units.")
            % {"issuer_level": issuer.get_level_display().lower(), "level": document["level"]}
        )
    if not 1990 <= year <= 2200:
        problems.append(_("%(year)d is not a plausible year.") % {"year": year})
    if problems:
        raise FrameworkError(problems)

    code = str(document["code"]).strip()
    with transaction.atomic():
        existing = (
            Framework.objects.select_for_update()
            .filter(issuer=issuer, year=year, code=code)
            .first()
        )
        replaced = existing is not None
        if existing is not None:
            used = Assessment.objects.filter(framework=existing).count()
            if used:
                raise FrameworkError(
                    [
                        _(
                            "Framework %(code)s %(year)d of %(issuer)s is used by %(count)d "
                            "assessments and cannot be replaced; load it under a new code."
                        )
                        % {"code": code, "year": year, "issuer": issuer, "count": used}
                    ]
                )
            existing.delete()
        framework = _create(document, issuer, year, code)
    return framework, replaced


def _create(document: dict, issuer: AdministrativeUnit, year: int, code: str) -> Framework:
    framework = Framework.objects.create(
        issuer=issuer,
        year=year,
        code=code,
        name=str(document["name"]).strip(),
        name_en=str(document.get("name_en") or "").strip(),
        note=str(document.get("note") or "").strip(),
        level=document["level"],
        precision=document.get("precision", 2),
        denominator=document.get("denominator", "fixed"),
        document=document,
    )
    _create_bands(framework, document["bands"])
    for position, group_doc in enumerate(document.get("ranking_groups") or [], start=1):
        group = RankingGroup.objects.create(
            framework=framework,
            code=str(group_doc["code"]).strip(),
            name=str(group_doc["name"]).strip(),
            name_en=str(group_doc.get("name_en") or "").strip(),
            position=position,
        )
        RankingGroupKind.objects.bulk_create(
            RankingGroupKind(framework=framework, group=group, kind=kind)
            for kind in group_doc["unit_kinds"]
        )
        _create_bands(framework, group_doc.get("bands") or [], group)
    total = Decimal(0)
    position = 0
    steps = []
    for area_position, area_doc in enumerate(document["areas"], start=1):
        area = Area.objects.create(
            framework=framework,
            code=str(area_doc["code"]).strip(),
            name=str(area_doc["name"]).strip(),
            name_en=str(area_doc.get("name_en") or "").strip(),
            position=area_position,
            optional=bool(area_doc.get("optional", False)),
        )
        area_total = Decimal(0)
        for sub_doc in area_doc["sub_criteria"]:
            sub, position = _create_item(framework, area, sub_doc, None, position, steps)
            area_total += sub.max_points
        area.max_points = area_total
        area.save(update_fields=["max_points"])
        total += area_total
    Step.objects.bulk_create(steps)
    # Declared bonus and penalty items: scored like sub-criteria (the commune's claim, the
    # appraiser's decision), outside every area and the maximum, capped by their `max`.
    for kind in (ItemKind.BONUS, ItemKind.PENALTY):
        declared = document.get(kind) or {}
        for item in declared.get("items") or []:
            position += 1
            SubCriterion.objects.create(
                framework=framework,
                area=None,
                kind=kind,
                code=str(item["code"]).strip(),
                name=str(item["name"]).strip(),
                name_en=str(item.get("name_en") or "").strip(),
                position=position,
                max_points=Decimal(str(item["max_points"])),
                method=Method.MANUAL,
            )
        if declared:
            setattr(framework, f"{kind}_max", Decimal(str(declared["max"])))
    framework.max_points = total
    framework.save(update_fields=["max_points", "bonus_max", "penalty_max"])
    return framework


def _create_item(framework, area, doc, parent, position, steps) -> tuple[SubCriterion, int]:
    """One sub-criterion and, depth first, its items; numbered in reading order so that an item
    follows its parent. Answers (the item, the last position used)."""
    position += 1
    method = Method.MANUAL if "items" in doc else doc["method"]
    sub = SubCriterion.objects.create(
        framework=framework,
        area=area,
        parent=parent,
        depth=0 if parent is None else parent.depth + 1,
        has_items="items" in doc,
        code=str(doc["code"]).strip(),
        name=str(doc["name"]).strip(),
        name_en=str(doc.get("name_en") or "").strip(),
        position=position,
        max_points=Decimal(str(doc["max_points"])),
        method=method,
        metric=doc.get("metric") or ""
        if method in (Method.RATIO_TARGET, Method.STEPS, Method.DEDUCTION)
        else "",
        per_count=Decimal(str(doc["per_count"])) if method == Method.DEDUCTION else None,
        when_nothing=doc.get("when_nothing", "manual"),
        target_percent=Decimal(str(doc["target_percent"]))
        if method == Method.RATIO_TARGET
        else None,
        options=[[str(label).strip(), points] for label, points in doc["options"]]
        if method == Method.CHOICE
        else [],
    )
    if method == Method.STEPS:
        steps += [
            Step(
                sub_criterion=sub,
                threshold_percent=Decimal(str(threshold)),
                points=Decimal(str(points)),
            )
            for threshold, points in doc["steps"]
        ]
    for item_doc in doc.get("items") or []:
        _item, position = _create_item(framework, area, item_doc, sub, position, steps)
    return sub, position


def _create_bands(framework: Framework, bands: list, group: RankingGroup | None = None) -> None:
    Band.objects.bulk_create(
        Band(
            framework=framework,
            ranking_group=group,
            label=str(b["label"]).strip(),
            label_en=str(b.get("label_en") or "").strip(),
            min_percent=Decimal(str(b["min_percent"])),
        )
        for b in bands
    )


def framework_frozen(framework: Framework | None) -> bool:
    """A framework whose results were published by a decision: changing its structure or bands
    would make the published figures disagree with the rules shown beside them, so it is read
    only (a correction is a new framework under a new code)."""
    return framework is not None and Publication.objects.filter(framework=framework).exists()


def framework_changed(framework: Framework) -> None:
    """After an edit of a framework's structure or bands (the admin): refresh its totals and
    recompute every group that uses it."""
    with transaction.atomic():
        for area in framework.areas.all():
            area.max_points = sum(
                (s.max_points for s in area.sub_criteria.filter(parent__isnull=True)), Decimal(0)
            )
            area.save(update_fields=["max_points"])
        framework.max_points = sum((a.max_points for a in framework.areas.all()), Decimal(0))
        framework.save(update_fields=["max_points"])
        groups_mark_dirty(
            {(framework.pk, p) for p in framework.assessments.values_list("period_id", flat=True)},
            trigger="framework",
        )
