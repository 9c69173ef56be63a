import datetime
import itertools

import factory
from django.contrib.auth import get_user_model

from communes.models import AdministrativeUnit, Level, Membership

# Codes cycle through ranges the demo (provinces 94 and 45, their districts 46x/47x and 94x/95x,
# communes 19xxx and 31xxx) never uses, so factory units never meet demo units.
_province_codes = itertools.cycle(range(70, 90))
_district_codes = itertools.cycle(range(500, 900))
_commune_codes = itertools.cycle(range(40000, 90000))


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("pw-123456")


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AdministrativeUnit

    name = factory.Sequence(lambda n: f"Unit {n}")
    valid_from = datetime.date(2019, 1, 1)
    valid_to = None


class ProvinceFactory(UnitFactory):
    level = Level.PROVINCE
    code = factory.LazyFunction(lambda: f"{next(_province_codes):02d}")
    name = factory.Sequence(lambda n: f"Tỉnh {n}")


class DistrictFactory(UnitFactory):
    level = Level.DISTRICT
    parent = factory.SubFactory(ProvinceFactory)
    code = factory.LazyFunction(lambda: f"{next(_district_codes):03d}")
    name = factory.Sequence(lambda n: f"Huyện {n}")


class CommuneFactory(UnitFactory):
    level = Level.COMMUNE
    parent = factory.SubFactory(DistrictFactory)
    code = factory.LazyFunction(lambda: f"{next(_commune_codes):05d}")
    name = factory.Sequence(lambda n: f"Xã {n}")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    unit = factory.SubFactory(CommuneFactory)
    role = "commune_officer"


def framework_doc(
    *,
    code="TEST",
    areas=None,
    bands=None,
    level="commune",
):
    """A small framework in the interchange format; areas default to one manual area of 10."""
    return {
        "code": code,
        "name": f"Framework {code}",
        "level": level,
        "bands": bands
        or [
            {"label": "Xuất sắc", "min_percent": 90},
            {"label": "Tốt", "min_percent": 80},
            {"label": "Khá", "min_percent": 70},
            {"label": "Trung bình", "min_percent": 50},
            {"label": "Yếu", "min_percent": 0},
        ],
        "areas": areas
        or [
            {
                "code": "1",
                "name": "Area one",
                "sub_criteria": [
                    {"code": "1.1", "name": "A", "max_points": 6, "method": "manual"},
                    {"code": "1.2", "name": "B", "max_points": 4, "method": "manual"},
                ],
            }
        ],
    }


DERIVED_DOC = framework_doc(
    areas=[
        {
            "code": "3",
            "name": "One-stop shop",
            "sub_criteria": [
                {"code": "3.1", "name": "manual", "max_points": 2, "method": "manual"},
                {
                    "code": "3.2",
                    "name": "on time",
                    "max_points": 5,
                    "method": "steps",
                    "metric": "on_time_rate",
                    "steps": [[100, 5], [98, 4], [95, 3], [0, 0]],
                },
                {
                    "code": "3.3",
                    "name": "apologies",
                    "max_points": 1,
                    "method": "ratio_target",
                    "metric": "apology_rate",
                    "target_percent": 100,
                },
                {
                    "code": "3.4",
                    "name": "online",
                    "max_points": 4,
                    "method": "ratio_target",
                    "metric": "online_rate",
                    "target_percent": 50,
                },
                {"code": "3.5", "name": "survey", "max_points": 8, "method": "survey"},
            ],
        },
    ]
)
