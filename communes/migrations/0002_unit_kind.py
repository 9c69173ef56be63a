import unicodedata

from django.db import migrations, models

# A copy of communes.models.kind_of as it stood when the field was added: migrations must not
# change meaning when the model's code does.
PREFIXES = (("thị trấn ", "thi_tran"), ("phường ", "phuong"), ("đặc khu ", "dac_khu"), ("xã ", "xa"))


def fill_kinds(apps, schema_editor):
    Unit = apps.get_model("communes", "AdministrativeUnit")
    changed = []
    for unit in Unit.objects.filter(level="commune").only("pk", "name", "kind").iterator():
        text = unicodedata.normalize("NFC", unit.name or "").strip().lower()
        unit.kind = next((kind for prefix, kind in PREFIXES if text.startswith(prefix)), "")
        changed.append(unit)
    Unit.objects.bulk_update(changed, ["kind"], batch_size=2000)


class Migration(migrations.Migration):
    dependencies = [
        ("communes", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="administrativeunit",
            name="kind",
            field=models.CharField(
                blank=True,
                choices=[
                    ("xa", "commune (xã)"),
                    ("phuong", "ward (phường)"),
                    ("thi_tran", "township (thị trấn)"),
                    ("dac_khu", "special zone (đặc khu)"),
                ],
                max_length=10,
                verbose_name="kind",
            ),
        ),
        migrations.RunPython(fill_kinds, migrations.RunPython.noop),
    ]
