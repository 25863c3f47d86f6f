"""Progress is a projection of the statement store: dropping and replaying it changes nothing."""

import sqlalchemy as sa

from lms.extensions import db
from lms.progress.models import LevelProgress, ModuleProgress, ParcoursProgress
from lms.progress.operations import replay_progress
from lms.xapi.models import Statement
from tests.learning.helpers import complete_module, enroll, read, take_quiz


def snapshot(db_session) -> dict[str, list[tuple]]:
    """Every projection row, keyed on what it means (not on surrogate ids)."""
    db_session.expire_all()
    modules = db_session.execute(
        sa.select(
            ModuleProgress.enrollment_id,
            ModuleProgress.module_id,
            ModuleProgress.read_at,
            ModuleProgress.quiz_attempts,
            ModuleProgress.best_score,
            ModuleProgress.quiz_passed_at,
            ModuleProgress.completed_at,
            ModuleProgress.last_activity_at,
        ).order_by(ModuleProgress.enrollment_id, ModuleProgress.module_id)
    ).all()
    levels = db_session.execute(
        sa.select(
            LevelProgress.enrollment_id, LevelProgress.level_id, LevelProgress.completed_at
        ).order_by(LevelProgress.enrollment_id, LevelProgress.level_id)
    ).all()
    journeys = db_session.execute(
        sa.select(
            ParcoursProgress.enrollment_id,
            ParcoursProgress.started_at,
            ParcoursProgress.last_activity_at,
            ParcoursProgress.last_module_id,
            ParcoursProgress.completed_at,
        ).order_by(ParcoursProgress.enrollment_id)
    ).all()
    return {"modules": list(modules), "levels": list(levels), "journeys": list(journeys)}


def drive_journeys(client, login, make_user, seed) -> None:
    """Two learners: one finishes level 1 with a failed then retried quiz and starts level 2;
    one reads a module and fails its quiz twice."""
    first_level, second_level = seed.levels[0], seed.levels[1]
    ahead = make_user()
    login(ahead)
    enroll(client, seed)
    read(client, seed, first_level.modules[0])
    take_quiz(client, seed, first_level.modules[0], right=False)
    take_quiz(client, seed, first_level.modules[0], right=True)
    for module in first_level.modules[1:]:
        complete_module(client, seed, module)
    take_quiz(client, seed, second_level.modules[0], right=False)
    read(client, seed, second_level.modules[0])
    client.post("/deconnexion")

    behind = make_user()
    login(behind)
    enroll(client, seed)
    read(client, seed, first_level.modules[0])
    take_quiz(client, seed, first_level.modules[0], right=False)
    take_quiz(client, seed, first_level.modules[0], right=False)


def test_replay_gives_back_exactly_the_same_progress(client, login, make_user, seed, db_session):
    drive_journeys(client, login, make_user, seed)
    live = snapshot(db_session)
    # The journey really produced progress worth comparing.
    assert len(live["journeys"]) == 2
    assert len(live["levels"]) == 1
    assert any(row.quiz_attempts == 2 and row.completed_at for row in live["modules"])
    assert any(row.quiz_attempts == 2 and not row.completed_at for row in live["modules"])
    statements_before = db_session.scalar(sa.select(sa.func.count()).select_from(Statement))

    replayed = replay_progress()
    db_session.commit()

    assert replayed == statements_before
    assert snapshot(db_session) == live
    # Replay records no new statements (completions are already in the store).
    assert db_session.scalar(sa.select(sa.func.count()).select_from(Statement)) == statements_before


def test_replay_command_rebuilds_a_dropped_projection(
    client, login, make_user, seed, db_session, runner
):
    drive_journeys(client, login, make_user, seed)
    live = snapshot(db_session)
    for model in (ModuleProgress, LevelProgress, ParcoursProgress):
        db_session.execute(sa.delete(model))
    db_session.commit()
    assert snapshot(db_session) == {"modules": [], "levels": [], "journeys": []}

    result = runner.invoke(args=["lms", "replay-progress"])
    assert result.exit_code == 0, result.output
    assert "Progress rebuilt from" in result.output
    assert snapshot(db_session) == live


def test_progress_pages_after_replay_match(client, login, make_user, seed, db_session):
    user = make_user()
    login(user)
    enroll(client, seed)
    complete_module(client, seed, seed.levels[0].modules[0])
    client.get("/")  # shows, and so clears, the pending flash messages
    before = client.get(f"/parcours/{seed.slug}").get_data(as_text=True)
    replay_progress()
    db.session.commit()
    after = client.get(f"/parcours/{seed.slug}").get_data(as_text=True)
    assert before == after
    assert "Terminé" in after


def test_replay_compare_reports_a_difference_and_changes_nothing(
    client, login, make_user, seed, db_session, runner
):
    drive_journeys(client, login, make_user, seed)
    db_session.commit()
    live = snapshot(db_session)

    same = runner.invoke(args=["lms", "replay-progress", "--compare"])
    assert same.exit_code == 0, same.output
    assert "Replay equals live progress" in same.output

    # A projection row no statement explains: the compare mode names it, and keeps it.
    db_session.execute(
        sa.update(ModuleProgress).values(quiz_attempts=ModuleProgress.quiz_attempts + 5)
    )
    db_session.commit()
    changed = snapshot(db_session)
    differs = runner.invoke(args=["lms", "replay-progress", "--compare"])
    assert differs.exit_code == 1
    assert "replay differs from live progress" in differs.output
    assert "live only:" in differs.output
    assert snapshot(db_session) == changed != live
