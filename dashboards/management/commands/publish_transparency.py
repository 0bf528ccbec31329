from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from dashboards.transparency import publish


class Command(BaseCommand):
    help = (
        "Render /about-the-models/ to static HTML for publication (DIR/about-the-models/index.html and the stylesheet "
        "it links). Figures are those USER may see: pick a force-wide account without analyst access (an executive) "
        "so small counts stay hidden."
    )

    def add_arguments(self, parser):
        parser.add_argument("--out", type=Path, required=True, help="Folder to write into.")
        parser.add_argument("--user", required=True, help="Username whose scope and suppression the page uses.")

    def handle(self, *args, out: Path, user: str, **options):
        viewer = get_user_model().objects.filter(username=user, is_active=True).first()
        if viewer is None:
            raise CommandError(f"No active user {user!r}.")
        for path in publish(user=viewer, out=out):
            self.stdout.write(f"  {path}")
