"""The ranking row as the API returns it; `show_ranking --format json` renders the same."""

from rest_framework import serializers

from scoring.models import Result


class RankingRowSerializer(serializers.ModelSerializer):
    unit_code = serializers.CharField(source="unit.code")
    unit_name = serializers.CharField(source="unit.name")
    # Three decimals where the framework publishes three (precision); 90.92 stays 90.92.
    index_percent = serializers.DecimalField(max_digits=8, decimal_places=3, coerce_to_string=False)
    band = serializers.CharField(source="band_label")
    points = serializers.SerializerMethodField(
        help_text="Points earned: the total with bonus added and penalty taken off"
    )
    max_points = serializers.DecimalField(
        max_digits=7,
        decimal_places=2,
        coerce_to_string=False,
        help_text="The maximum the index is computed over for this unit",
    )
    ranking_group = serializers.CharField(
        source="ranking_group.code",
        allow_null=True,
        default=None,
        help_text="The code of the ranking group the rank counts in (null: one ranking)",
    )
    areas = serializers.SerializerMethodField()

    class Meta:
        model = Result
        fields = [
            "unit_code",
            "unit_name",
            "index_percent",
            "points",
            "max_points",
            "band",
            "rank",
            "previous_rank",
            "provisional",
            "ranking_group",
            "areas",
        ]

    def get_points(self, result) -> float:
        return float(result.total_points + result.bonus_points - result.penalty_points)

    def get_areas(self, result) -> dict[str, float | None]:
        return {
            ar.area.code: None if ar.percent is None else float(ar.percent)
            for ar in result.area_results.all()
        }
