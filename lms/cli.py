"""The `flask lms` command group; each domain contributes its commands."""

from flask.cli import AppGroup

from lms.accounts.cli import create_user_command
from lms.catalog.cli import import_course_command
from lms.demo import demo_command
from lms.progress.cli import replay_progress_command
from lms.xapi.cli import statements_command

lms_group = AppGroup("lms", help="Parcours administration commands.")
lms_group.add_command(create_user_command)
lms_group.add_command(import_course_command)
lms_group.add_command(replay_progress_command)
lms_group.add_command(demo_command)
lms_group.add_command(statements_command)
