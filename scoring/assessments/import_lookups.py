"""What a scores import looks up, each kind in a query or two for the whole file: a year of
every commune names 10,035 units and the frameworks of 691 districts, and one query per
framework or group (its items, its publication, its round) took most of such an import."""

from django.utils.translation import gettext as _

from communes.selectors import unit_versions_by_code
from scoring.assessments.rounds import frameworks_for_units
from scoring.models import Assessment, Framework, Period, Publication, SubCriterion
from scoring.periods import period_get_or_create


def years_named(codes) -> set[int]:
    """The years the file's period codes name (a bad code is reported row by row later)."""
    years = set()
    for code in set(codes):
        head = code.strip()[:4]
        if head.isdigit():
            years.add(int(head))
    return years


class ScoreImportLookups:
    """The units, frameworks, items, assessments and publications a file's rows name."""

    def __init__(self, framework_code: str | None):
        self.framework_code = framework_code
        self.periods: dict[str, Period] = {}
        self.frameworks: dict[tuple[int, int], Framework | str] = {}
        self.units: dict[str, list] = {}
        self.ranking: dict[tuple[int, int], list[Framework]] = {}
        self.subs: dict[int, dict[str, SubCriterion]] = {}
        self.published: set[tuple[int, int]] = set()
        self.assessments: dict[tuple[int, int, int], Assessment] = {}
        self.refusals: dict[tuple, object] = {}

    def load(self, unit_codes, period_codes, actor) -> None:
        """Everything the rows may name, read before the first row is checked."""
        self.units = unit_versions_by_code(unit_codes)
        units = [u for versions in self.units.values() for u in versions]
        self.assessments = {
            (a.unit_id, a.framework_id, a.period_id): a
            for a in Assessment.objects.filter(unit_id__in={u.pk for u in units}).only(
                "id", "unit_id", "framework_id", "period_id", "status"
            )
        }
        self.ranking = frameworks_for_units(units, years_named(period_codes))
        framework_ids = {f.pk for found in self.ranking.values() for f in found}
        for sub in SubCriterion.objects.filter(framework_id__in=framework_ids):
            self.subs.setdefault(sub.framework_id, {})[sub.code] = sub
        self.published = set(
            Publication.objects.filter(framework_id__in=framework_ids).values_list(
                "framework_id", "period_id"
            )
        )
        actor.rounds_load(framework_ids)

    def period(self, code: str) -> Period:
        if code not in self.periods:
            self.periods[code] = period_get_or_create(code)
        return self.periods[code]

    def unit(self, code: str, day):
        """The unit the code named on that day (11311 was Phường Minh Khai until June 2025 and
        is Phường Hồng Bàng since; its 2025 scores are the new ward's)."""
        return next((u for u in self.units.get(code, ()) if u.is_valid_on(day)), None)

    def framework(self, unit, period) -> Framework | str:
        """The one framework that ranks the unit in the period's year, or why there is none."""
        key = (unit.id, period.id)
        if key not in self.frameworks:
            found = self.ranking.get((unit.pk, period.year), [])
            if self.framework_code:
                found = [f for f in found if f.code == self.framework_code]
            if len(found) == 1:
                self.frameworks[key] = found[0]
            elif not found:
                self.frameworks[key] = _("no framework ranks %(unit)s in %(year)d") % {
                    "unit": unit.code,
                    "year": period.year,
                }
            else:
                self.frameworks[key] = _(
                    "several frameworks rank %(unit)s in %(year)d (%(codes)s); use --framework"
                ) % {
                    "unit": unit.code,
                    "year": period.year,
                    "codes": ", ".join(f.code for f in found),
                }
        return self.frameworks[key]

    def sub(self, framework: Framework, code: str) -> SubCriterion | None:
        return self.subs.get(framework.id, {}).get(code)

    def assessment(self, unit, framework, period) -> Assessment:
        """The stored assessment, or the open one the import will create."""
        key = (unit.id, framework.id, period.id)
        if key not in self.assessments:
            self.assessments[key] = Assessment(
                unit_id=unit.id, framework_id=framework.id, period_id=period.id
            )
        return self.assessments[key]

    def refusal(self, rule, actor, assessment):
        """The rule's answer for the assessment (rules.py), asked once per assessment: it
        depends on the assessment, never on the row (publication is checked before)."""
        key = (rule, assessment.unit_id, assessment.framework_id, assessment.period_id)
        if key not in self.refusals:
            self.refusals[key] = rule(actor, assessment, published=False)
        return self.refusals[key]

    def is_published(self, framework, period) -> bool:
        return (framework.id, period.id) in self.published
