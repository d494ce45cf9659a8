"""The `reviewers` group: its members approve or send back other people's spans
(annotations.team_services.span_review). Like `editors`, checked by membership."""

from django.db import migrations


def create_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.get_or_create(name="reviewers")


def remove_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name="reviewers").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("annotations", "0012_team_assignments_review_layers_comments"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(create_group, remove_group)]
