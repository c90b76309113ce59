"""`civwatch users add NAME --role ROLE` and `civwatch users token NAME`."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError

from civwatch.accounts.models import ROLES, ApiToken


class Command(BaseCommand):
    help = "Manage users: add NAME --role ROLE; token NAME prints a new API token."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        add = actions.add_parser("add", help="create a user with a role")
        add.add_argument("name")
        add.add_argument("--role", required=True, choices=ROLES)
        add.add_argument("--email", default="")
        token = actions.add_parser("token", help="print a new API token for a user")
        token.add_argument("name")

    def handle(self, *args, action: str, name: str, **options):
        User = get_user_model()
        if action == "add":
            if User.objects.filter(username=name).exists():
                raise CommandError(f"User {name!r} already exists.")
            user = User.objects.create_user(name, email=options["email"])
            user.is_staff = True  # staff pages and admin login; rights come from the role
            user.is_superuser = options["role"] == "admin"
            user.save()
            user.groups.add(Group.objects.get(name=options["role"]))
            self.stdout.write(
                f"Created {name} ({options['role']}). "
                f"Set a password with: civwatch changepassword {name}"
            )
            return
        user = User.objects.filter(username=name).first()
        if user is None:
            raise CommandError(f"No user {name!r}.")
        self.stdout.write(ApiToken.issue(user))
