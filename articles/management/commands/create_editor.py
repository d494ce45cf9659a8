import secrets

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand

from newsdesk.roles import EDITORS


class Command(BaseCommand):
    help = (
        "Create a local editor account (admin too) with a generated password, printed once. "
        "Does nothing if the account exists."
    )

    def add_arguments(self, parser):
        parser.add_argument("--username", default="editor")

    def handle(self, *, username, **options):
        User = get_user_model()
        if User.objects.filter(username=username).exists():
            self.stdout.write(
                f"Account “{username}” exists. Forgot its password? "
                f"python manage.py changepassword {username}"
            )
            return
        password = secrets.token_urlsafe(12)
        user = User.objects.create_superuser(username=username, email="", password=password)
        user.groups.add(Group.objects.get(name=EDITORS))
        self.stdout.write(
            self.style.SUCCESS(
                f"Created editor account “{username}” with password: {password}\n"
                "It is shown only this once; change it with "
                f"python manage.py changepassword {username}"
            )
        )
