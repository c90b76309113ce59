"""`civwatch users add|token|reset-second-factor|unlock|signout NAME`."""

import sys

from axes.utils import reset as axes_reset
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from civwatch.accounts.models import ROLES, ApiToken, SessionEpoch
from civwatch.accounts.security import reset_second_factor


class Command(BaseCommand):
    help = (
        "Manage users: add NAME --role ROLE; token NAME prints a new API token; "
        "reset-second-factor NAME; unlock NAME; signout NAME."
    )
    stealth_options = ("stdin",)  # call_command(..., stdin=...) in tests, like createsuperuser

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        add = actions.add_parser("add", help="create a user with a role")
        add.add_argument("name")
        add.add_argument("--role", required=True, choices=ROLES)
        add.add_argument("--email", default="")
        add.add_argument(
            "--password-stdin",
            action="store_true",
            help="read the password from the first line of standard input (checked against "
            "the password rules); without it, set one with `civwatch changepassword NAME`",
        )
        token = actions.add_parser("token", help="print a new API token for a user")
        token.add_argument("name")
        reset = actions.add_parser(
            "reset-second-factor",
            help="remove a user's authenticator (lost phone) and end their sessions; they "
            "enrol again at their next sign-in",
        )
        reset.add_argument("name")
        unlock = actions.add_parser(
            "unlock", help="lift a sign-in lockout of a user name before its cool-off ends"
        )
        unlock.add_argument("name")
        signout = actions.add_parser("signout", help="end every session of a user")
        signout.add_argument("name")

    def handle(self, *args, action: str, name: str, **options):
        if action == "add":
            self.add(name, options)
            return
        if action == "unlock":
            # Lockout records are keyed by the name typed, which need not be an existing user.
            count = axes_reset(username=name)
            self.stdout.write(f"Unlocked {name} ({count} failed attempts cleared).")
            return
        user = get_user_model().objects.filter(username=name).first()
        if user is None:
            raise CommandError(f"No user {name!r}.")
        if action == "token":
            self.stdout.write(ApiToken.issue(user))
        elif action == "reset-second-factor":
            count = reset_second_factor(user)
            self.stdout.write(
                f"Removed {count} second-factor device(s) of {name} and ended their sessions. "
                "They will set up a new one at their next sign-in."
            )
        elif action == "signout":
            SessionEpoch.advance(user.pk)
            self.stdout.write(f"Ended every session of {name}.")

    def add(self, name: str, options: dict) -> None:
        User = get_user_model()
        if User.objects.filter(username=name).exists():
            raise CommandError(f"User {name!r} already exists.")
        password = None
        if options["password_stdin"]:
            password = options.get("stdin", sys.stdin).readline().rstrip("\r\n")
            if not password:
                raise CommandError("No password on standard input.")
        with transaction.atomic():
            user = User.objects.create_user(name, email=options["email"])
            user.is_staff = True  # staff pages and admin login; rights come from the role
            user.is_superuser = options["role"] == "admin"
            if password is not None:
                try:
                    validate_password(password, user)
                except ValidationError as error:
                    # Rolls the new user back: nothing half-made stays behind.
                    raise CommandError("Password refused: " + " ".join(error.messages)) from None
                user.set_password(password)
            user.save()
            user.groups.add(Group.objects.get(name=options["role"]))
        if password is None:
            self.stdout.write(
                f"Created {name} ({options['role']}). "
                f"Set a password with: civwatch changepassword {name}"
            )
        else:
            self.stdout.write(f"Created {name} ({options['role']}) with the password given.")
        if options["role"] in ("editor", "admin"):
            self.stdout.write("They must set up a second factor (authenticator app) at sign-in.")
