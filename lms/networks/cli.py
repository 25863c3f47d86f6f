"""`flask lms demo-cohort`: a large demo cohort, to try the dashboards at scale."""

import time
from datetime import timedelta

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import with_appcontext

from lms.accounts.models import Role, User
from lms.catalog.models import Parcours
from lms.core.db import utcnow
from lms.extensions import db
from lms.networks.demo import Generator
from lms.networks.models import Cohort, CohortTrainer, Network, NetworkManager, Structure
from lms.networks.operations import add_structures, create_network
from lms.networks.scoping import local_today
from lms.progress.queries import load_parcours
from lms.xapi.models import Statement

DEMO_NETWORK = "Réseau régional de démonstration"
BACKGROUND_NETWORK = "Réseau témoin (données de volume)"
STRUCTURES = [
    "Point d'appui à la vie associative de Lyon",
    "Maison des associations de Grenoble",
    "DLA de la Loire",
    "Fédération départementale des centres sociaux",
    "Ligue de l'enseignement de l'Ain",
    "France Bénévolat Savoie",
    "Maison de la vie associative de Valence",
    "Point d'information vie associative d'Annecy",
    "Comité départemental olympique et sportif",
    "Union régionale des structures d'insertion",
    "Réseau des ressourceries",
    "Collectif des associations culturelles",
]
BACKGROUND_COHORT_SIZE = 2000


def _network(name: str) -> Network:
    network = db.session.scalar(sa.select(Network).where(Network.name == name))
    return network or create_network(name)


def _cohort(network: Network, parcours: Parcours, name: str) -> Cohort:
    today = local_today(utcnow())
    cohort = Cohort(
        network_id=network.id,
        parcours_id=parcours.id,
        name=name,
        starts_on=today - timedelta(days=60),
        ends_on=today + timedelta(days=60),
        inactivity_days=14,
    )
    db.session.add(cohort)
    db.session.flush()
    return cohort


def _demo_staff(network: Network, cohort: Cohort) -> None:
    """The demo accounts of `flask lms demo`, if present, manage and train the cohort."""
    for email, role in (
        ("reseau@parcours.demo", Role.NETWORK_MANAGER),
        ("formateur@parcours.demo", Role.TRAINER),
    ):
        user = db.session.scalar(sa.select(User).where(User.email == email, User.role == role))
        if user is None:
            continue
        if role == Role.NETWORK_MANAGER:
            if db.session.get(NetworkManager, (network.id, user.id)) is None:
                db.session.add(NetworkManager(network_id=network.id, user_id=user.id))
        else:
            db.session.add(CohortTrainer(cohort_id=cohort.id, user_id=user.id))


def generate_demo_cohort(
    parcours: Parcours, learners: int, statements: int, seed: int, echo=lambda _m: None
) -> tuple[Cohort, int]:
    """Create the demo cohort of `learners`, then learners of other cohorts until the
    store holds about `statements` statements. Commits as it goes. Returns the cohort and
    the number of statements written."""
    now = utcnow()
    generator = Generator(
        parcours, current_app.config["LMS_BASE_URL"], current_app.config["PLATFORM_NAME"], seed
    )
    network = _network(DEMO_NETWORK)
    add_structures(network, STRUCTURES)
    cohort = _cohort(network, parcours, f"Promotion de démonstration {now:%Y-%m-%d %H:%M}")
    _demo_staff(network, cohort)
    db.session.commit()
    structure_ids = list(
        db.session.scalars(sa.select(Structure.id).where(Structure.network_id == network.id))
    )
    generator.add_learners(cohort, learners, now, structure_ids, f"c{cohort.id}-")
    echo(
        f"cohorte « {cohort.name} » : {learners} apprenants, "
        f"{generator.statements_written} déclarations"
    )
    fill_statements(generator, parcours, statements, now, echo)
    generator.finish()
    return cohort, generator.statements_written


def fill_statements(generator: Generator, parcours: Parcours, statements: int, now, echo) -> None:
    """Add learners to background cohorts until the store holds about `statements`."""
    total = db.session.scalar(sa.select(sa.func.count()).select_from(Statement)) or 0
    if total >= statements:
        return
    background = _network(BACKGROUND_NETWORK)
    cohort, size = None, 0
    while total < statements:
        if cohort is None or size >= BACKGROUND_COHORT_SIZE:
            cohort = _cohort(background, parcours, f"Cohorte témoin {now:%Y-%m-%d %H:%M:%S.%f}")
            db.session.commit()
            size = 0
        before = generator.statements_written
        # About 60 statements a learner: never far past the target.
        batch = max(1, min(250, (statements - total) // 60 + 1))
        generator.add_learners(cohort, batch, now, [], f"t{cohort.id}-{size}-")
        size += batch
        total += generator.statements_written - before
        echo(f"  … {total} déclarations")


@click.command("demo-cohort")
@click.option("--learners", default=2000, show_default=True, help="Learners in the cohort.")
@click.option(
    "--statements",
    default=1_000_000,
    show_default=True,
    help="Statements the store should hold in the end (other cohorts fill the gap).",
)
@click.option("--parcours", "slug", default=None, help="Parcours slug (default: the first).")
@click.option("--seed", default=1, show_default=True, help="Random seed (same seed, same data).")
@with_appcontext
def demo_cohort_command(learners: int, statements: int, slug: str | None, seed: int) -> None:
    """Generate a large demo cohort (learners, journeys, statements, progress) in bulk."""
    if not current_app.config.get("DEBUG") and current_app.config.get("SESSION_COOKIE_SECURE"):
        raise click.ClickException("demo data is refused in production")
    if current_app.config.get("XAPI_FORWARD_URL"):
        raise click.ClickException(
            "XAPI_FORWARD_URL is set: demo statements would be forwarded to the outside LRS"
        )
    if learners < 1 or statements < 0:
        raise click.ClickException("--learners must be at least 1 and --statements positive")
    if slug is None:
        slug = db.session.scalar(
            sa.select(Parcours.slug).where(Parcours.is_published.is_(True)).order_by(Parcours.id)
        )
    parcours = load_parcours(slug) if slug else None
    if parcours is None:
        raise click.ClickException(
            f"no published parcours {slug!r}: run `flask lms demo` or import one first"
        )
    start = time.perf_counter()
    cohort, written = generate_demo_cohort(parcours, learners, statements, seed, click.echo)
    click.echo(
        f"Cohorte {cohort.id} « {cohort.name} » : {learners} apprenants ; {written} déclarations "
        f"écrites en {time.perf_counter() - start:.0f} s. Tableau de bord : /cohortes/{cohort.id}"
    )
