import os

from django.core.management.base import BaseCommand

from accounts.demo import demo_accounts_create


class Command(BaseCommand):
    help = "Create the demo force structure and one account per role (password from DEMO_PASSWORD, else generated)."

    def handle(self, *args, **options):
        users, password = demo_accounts_create(password=os.environ.get("DEMO_PASSWORD"))
        self.stdout.write("Demo accounts (username / password / role / unit):")
        for user in users:
            self.stdout.write(f"  {user.username:<11} {password}  {user.get_role_display():<13} {user.unit}")
