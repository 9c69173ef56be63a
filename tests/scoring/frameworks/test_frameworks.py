"""Framework loading: every validation error refused whole, replacement rules, the command."""

import copy
import json

import pytest
from django.core.management import CommandError, call_command

from scoring.frameworks.services import FrameworkError, framework_load
from scoring.models import Framework, Step
from tests.factories import CommuneFactory, framework_doc
from tests.helpers import save_scores

pytestmark = pytest.mark.django_db


def derived_doc():
    return framework_doc(
        areas=[
            {
                "code": "3",
                "name": "x",
                "sub_criteria": [
                    {
                        "code": "3.1",
                        "name": "a",
                        "max_points": 5,
                        "method": "steps",
                        "metric": "on_time_rate",
                        "steps": [[100, 5], [95, 3], [0, 0]],
                    },
                    {
                        "code": "3.2",
                        "name": "b",
                        "max_points": 4,
                        "method": "ratio_target",
                        "metric": "online_rate",
                        "target_percent": 50,
                    },
                ],
            }
        ]
    )


def refused(doc, district, year=2024):
    with pytest.raises(FrameworkError) as caught:
        framework_load(document=doc, issuer_code=district.code, year=year)
    assert not Framework.objects.filter(issuer=district).exists()
    return "\n".join(caught.value.problems)


def test_a_sound_framework_is_stored_with_its_totals(district):
    framework, replaced = framework_load(
        document=derived_doc(), issuer_code=district.code, year=2024
    )
    assert not replaced
    assert framework.max_points == 9
    assert list(framework.areas.values_list("max_points", flat=True)) == [9]
    assert list(
        Step.objects.filter(sub_criterion__code="3.1").values_list("threshold_percent", "points")
    ) == [(100, 5), (95, 3), (0, 0)]


def test_step_points_above_the_maximum_are_refused(district):
    doc = derived_doc()
    doc["areas"][0]["sub_criteria"][0]["steps"][0] = [100, 6]
    assert "6 points exceed max_points 5" in refused(doc, district)


def test_a_metric_that_does_not_exist_is_refused(district):
    doc = derived_doc()
    doc["areas"][0]["sub_criteria"][1]["metric"] = "happiness_rate"
    assert "metric 'happiness_rate' does not exist" in refused(doc, district)


def test_duplicate_codes_are_refused(district):
    doc = derived_doc()
    doc["areas"][0]["sub_criteria"][1]["code"] = "3.1"
    doc["areas"].append(copy.deepcopy(doc["areas"][0]))
    problems = refused(doc, district)
    assert "duplicate sub-criterion code" in problems
    assert "duplicate area code" in problems


@pytest.mark.parametrize("maximum", [0, -1, "abc", None])
def test_a_non_positive_maximum_is_refused(district, maximum):
    doc = framework_doc()
    doc["areas"][0]["sub_criteria"][0]["max_points"] = maximum
    assert "max_points must be a positive number" in refused(doc, district)


def test_bands_not_covering_zero_are_refused(district):
    doc = framework_doc(
        bands=[{"label": "Tốt", "min_percent": 80}, {"label": "Khá", "min_percent": 50}]
    )
    assert "do not cover 0" in refused(doc, district)


def test_other_structural_problems_are_each_reported(district):
    doc = derived_doc()
    doc["level"] = "village"
    doc["areas"][0]["sub_criteria"][0]["method"] = "guess"
    doc["areas"][0]["sub_criteria"][1]["target_percent"] = 0
    doc["bands"].append({"label": "Tốt", "min_percent": 10})
    problems = refused(doc, district)
    for words in ("level 'village'", "method 'guess'", "target_percent", "duplicate label"):
        assert words in problems


def test_thresholds_must_descend_and_the_issuer_must_sit_above_the_level(district):
    doc = derived_doc()
    doc["areas"][0]["sub_criteria"][0]["steps"] = [[90, 3], [95, 5]]
    assert "highest to the lowest" in refused(doc, district)
    commune = CommuneFactory(parent=district)
    with pytest.raises(FrameworkError, match="No province or district"):
        framework_load(document=framework_doc(), issuer_code=commune.code, year=2024)
    with pytest.raises(FrameworkError, match="cannot issue a framework for district"):
        framework_load(
            document=framework_doc(level="district"), issuer_code=district.code, year=2024
        )


def test_the_same_triple_is_replaced_while_unused_and_refused_once_scored(
    make_group, district, communes
):
    first, _ = framework_load(document=framework_doc(), issuer_code=district.code, year=2030)
    doc = framework_doc()
    doc["name"] = "Renamed"
    second, replaced = framework_load(document=doc, issuer_code=district.code, year=2030)
    assert replaced and second.name == "Renamed"
    assert not Framework.objects.filter(pk=first.pk).exists()
    framework, period = make_group(period="2030")
    save_scores(period, {communes[0].code: {"1.1": "3"}})
    with pytest.raises(FrameworkError, match="used by 4 assessments"):
        framework_load(document=doc, issuer_code=district.code, year=2030)
    assert Framework.objects.get(pk=framework.pk).name == "Renamed"


def test_one_file_serves_several_issuers_and_years(tmp_path, district, capsys):
    other = CommuneFactory().parent  # a district of another province
    path = tmp_path / "framework.json"
    path.write_text(json.dumps(framework_doc()), encoding="utf-8")
    for issuer, year in ((district, 2024), (district, 2025), (other, 2024)):
        call_command("load_framework", str(path), "--issuer", issuer.code, "--year", str(year))
    assert Framework.objects.filter(code="TEST", issuer__in=[district, other]).count() == 3
    assert "Loaded TEST 2025" in capsys.readouterr().out


def test_load_framework_command_lists_problems_and_fails(tmp_path, district, capsys):
    doc = framework_doc(bands=[{"label": "A", "min_percent": 50}])
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(CommandError, match="1 problem"):
        call_command("load_framework", str(path), "--issuer", district.code, "--year", "2024")
    assert "do not cover 0" in capsys.readouterr().err


def test_the_sample_framework_loads(district, settings):
    path = settings.BASE_DIR / "demo" / "data" / "sample_framework_commune.json"
    framework, _ = framework_load(
        document=json.loads(path.read_text(encoding="utf-8")), issuer_code=district.code, year=2024
    )
    assert (framework.areas.count(), framework.sub_criteria.count()) == (8, 31)
    assert framework.max_points == 100
