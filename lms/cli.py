"""The `flask lms` command group; each domain contributes its commands."""

from flask.cli import AppGroup

from lms.accounts.cli import create_user_command
from lms.catalog.cli import add_owner_command, import_course_command
from lms.certificates.cli import rotate_signing_key_command
from lms.core.translations import translations_group
from lms.demo import demo_command
from lms.jobs.scheduler import run_job_command, scheduler_command
from lms.mail.cli import send_mail_command
from lms.networks.cli import demo_cohort_command
from lms.privacy.cli import erase_account_command
from lms.progress.cli import replay_progress_command
from lms.xapi.cli import create_lrs_client_command, statements_command
from lms.xapi.forwarding.cli import forward_statements_command

lms_group = AppGroup("lms", help="Parcours administration commands.")
lms_group.add_command(create_user_command)
lms_group.add_command(import_course_command)
lms_group.add_command(replay_progress_command)
lms_group.add_command(demo_command)
lms_group.add_command(statements_command)
lms_group.add_command(add_owner_command)
lms_group.add_command(send_mail_command)
lms_group.add_command(rotate_signing_key_command)
lms_group.add_command(create_lrs_client_command)
lms_group.add_command(forward_statements_command)
lms_group.add_command(scheduler_command)
lms_group.add_command(run_job_command)
lms_group.add_command(demo_cohort_command)
lms_group.add_command(erase_account_command)
lms_group.add_command(translations_group)
