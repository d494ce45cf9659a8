"""The two roles as Django groups. `editors` write, `viewers` read; views and the API check
membership (newsdesk.roles), so the groups need no model permissions to work."""

from django.db import migrations



def create_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.get_or_create(name="editors")
    Group.objects.get_or_create(name="viewers")


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=["editors", "viewers"]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("annotations", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
