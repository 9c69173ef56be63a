"""Unit lists, memberships and scoping as queryset methods."""

import datetime

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from communes import selectors
from communes.models import AdministrativeUnit, Level, Membership
from communes.services import UnitListError, units_load
from tests.factories import CommuneFactory, DistrictFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db
DATA = settings.DATA_DIR


def test_the_three_tier_list_loads_whole_and_a_second_load_changes_nothing():
    path = DATA / "units_2025-03_three_tier.csv"
    stats = units_load(
        path=path, valid_from=datetime.date(2019, 1, 1), valid_to=datetime.date(2025, 6, 30)
    )
    assert stats.by_level == {"province": 63, "district": 691, "commune": 10035}
    on = datetime.date(2025, 3, 1)
    assert AdministrativeUnit.objects.filter(level=Level.COMMUNE).valid_on(on).count() == 10035
    phuc_xa = AdministrativeUnit.objects.get(code="00001", level=Level.COMMUNE)
    assert (phuc_xa.parent.code, phuc_xa.parent.parent.code) == ("001", "01")
    again = units_load(
        path=path, valid_from=datetime.date(2019, 1, 1), valid_to=datetime.date(2025, 6, 30)
    )
    assert (again.created, again.updated, again.closed) == (0, 0, 0)
    assert again.unchanged == 63 + 691 + 10035


def test_the_two_tier_list_keeps_the_history_of_reused_codes():
    units_load(path=DATA / "units_2025-03_three_tier.csv", valid_from=datetime.date(2019, 1, 1))
    stats = units_load(
        path=DATA / "units_2026-07_two_tier.csv",
        valid_from=datetime.date(2025, 7, 1),
        close_missing=True,
    )
    assert stats.by_level == {"province": 34, "district": 0, "commune": 3321}
    versions = AdministrativeUnit.objects.filter(code="00004", level=Level.COMMUNE)
    old = versions.get(valid_from=datetime.date(2019, 1, 1))
    new = versions.get(valid_from=datetime.date(2025, 7, 1))
    assert (old.name, old.valid_to) == ("Phường Trúc Bạch", datetime.date(2025, 6, 30))
    assert (new.name, new.valid_to, new.parent.level) == ("Phường Ba Đình", None, "province")
    july = datetime.date(2025, 7, 1)
    assert AdministrativeUnit.objects.filter(level=Level.COMMUNE).valid_on(july).count() == 3321
    assert not AdministrativeUnit.objects.filter(level=Level.DISTRICT).valid_on(july).exists()


def test_a_bad_unit_list_is_refused_with_row_numbers(tmp_path):
    path = tmp_path / "units.csv"
    path.write_text(
        "province_code,province_name,commune_code,commune_name\n"
        "01,Hà Nội,00004,Ba Đình\n1,Hà Nội,0004,\n",
        encoding="utf-8",
    )
    with pytest.raises(UnitListError) as caught:
        units_load(path=path, valid_from=datetime.date(2025, 7, 1))
    text = "\n".join(caught.value.problems)
    assert "Row 3, column province_code" in text and "Row 3, column commune_name" in text
    assert not AdministrativeUnit.objects.filter(name="Ba Đình").exists()


def test_an_officer_sees_and_changes_only_their_commune(communes):
    officer = MembershipFactory(unit=communes[0], role="commune_officer").user
    assert list(AdministrativeUnit.objects.visible_to(officer)) == [communes[0]]
    assert selectors.can_change(officer, communes[0])
    assert not selectors.can_see(officer, communes[1])
    assert not selectors.can_see(officer, communes[0].parent)


def test_an_appraiser_reaches_the_subtree_of_their_district(district, communes):
    appraiser = MembershipFactory(unit=district, role="appraiser").user
    elsewhere = CommuneFactory()
    assert set(AdministrativeUnit.objects.visible_to(appraiser)) == {district, *communes}
    assert all(selectors.can_change(appraiser, c) for c in communes)
    assert not selectors.can_see(appraiser, elsewhere)


def test_a_leader_of_a_province_reads_everything_below_it_and_changes_nothing(district, communes):
    province = district.parent
    other_district = DistrictFactory(parent=province)
    far = CommuneFactory(parent=other_district)
    leader = MembershipFactory(unit=province, role="leader").user
    assert set(AdministrativeUnit.objects.visible_to(leader)) >= {
        province,
        district,
        other_district,
        far,
        *communes,
    }
    assert not AdministrativeUnit.objects.changeable_by(leader).exists()


def test_anonymous_and_inactive_users_see_nothing(communes):
    from django.contrib.auth.models import AnonymousUser

    inactive = MembershipFactory(unit=communes[0], user=UserFactory(is_active=False)).user
    assert not AdministrativeUnit.objects.visible_to(AnonymousUser()).exists()
    assert not AdministrativeUnit.objects.visible_to(inactive).exists()


def test_add_member_creates_the_user_once_and_refuses_unknown_units(communes, capsys):
    code = communes[0].code
    call_command(
        "add_member",
        "lan",
        "--unit",
        code,
        "--role",
        "commune_officer",
        "--password",
        "s3cret-pass",
    )
    call_command("add_member", "lan", "--unit", code, "--role", "commune_officer")
    out = capsys.readouterr().out
    assert "Added" in out and "Already had" in out
    membership = Membership.objects.get(user__username="lan")
    assert membership.unit == communes[0] and membership.user.check_password("s3cret-pass")
    with pytest.raises(CommandError, match="No unit has the code '99998'"):
        call_command("add_member", "lan", "--unit", "99998", "--role", "leader")
