import pytest
from django.contrib import admin
from django.core.management import CommandError, call_command
from django.urls import reverse

from scoring.models import Score
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_every_model_has_an_admin_that_lists_searches_and_filters(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    for model, model_admin in admin.site._registry.items():
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        assert client.get(url).status_code == 200, url
        if model_admin.search_fields:
            assert client.get(url, {"q": "31564"}).status_code == 200, url
    for app, name in [
        ("scoring", "result"),
        ("dossiers", "dossierreport"),
        ("communes", "administrativeunit"),
        ("scoring", "score"),
    ]:
        assert f"{app}.{name}" in {
            f"{m._meta.app_label}.{m._meta.model_name}" for m in admin.site._registry
        }


def test_results_are_read_only_in_the_admin(client):
    from scoring.models import Result

    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    result = Result.objects.first()
    url = reverse("admin:scoring_result_change", args=[result.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert b'name="index_percent"' not in page.content


def test_an_officer_without_staff_rights_cannot_enter_the_admin(client, officer):
    client.force_login(officer)
    response = client.get(reverse("admin:scoring_result_changelist"))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_import_scores_command(make_group, communes, tmp_path, capsys):
    framework, period = make_group()
    path = tmp_path / "scores.csv"
    path.write_text(
        "unit_code,period,sub_code,self_points,appraised_points,explanation\n"
        f"{communes[0].code},2024,1.1,5.5,5,Có kế hoạch\n"
        f"{communes[0].code},2024,1.2,,3,\n",
        encoding="utf-8",
    )
    call_command("import_scores", str(path))
    assert "2 scores changed" in capsys.readouterr().out
    score = Score.objects.get(assessment__unit=communes[0], sub_criterion__code="1.1")
    assert (str(score.self_points), str(score.appraised_points), score.explanation) == (
        "5.50",
        "5.00",
        "Có kế hoạch",
    )
    path.write_text(
        f"unit_code,period,sub_code,self_points\n{communes[0].code},2024,1.1,7\n", encoding="utf-8"
    )
    with pytest.raises(CommandError, match="nothing was written"):
        call_command("import_scores", str(path))
    assert "row 2, column self_points" in capsys.readouterr().err
