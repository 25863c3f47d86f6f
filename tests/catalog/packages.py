"""Write a small valid course package to disk, and break it one file at a time."""

from dataclasses import dataclass
from pathlib import Path

MANIFEST = """\
slug: {slug}
title: {title}
summary: Un petit parcours pour les tests.
pass_mark: 60
levels:
  - key: connaissances
    title: Connaître
    summary: Les bases.
    modules:
      - bases
      - vocabulaire
  - key: competences
    title: Pratiquer
    modules:
      - diagnostic
  - key: expertise
    title: Maîtriser
    modules:
      - posture
"""

MODULES = {
    "bases": """\
---
title: Les bases
duration: 15
levers: [financements, alliances]
resources:
  - title: Une ressource
    url: https://example.org/ressource
    kind: fiche-action
---

# Les bases

Un texte **important** sur les bases.
""",
    "vocabulaire": """\
---
title: Le vocabulaire
duration: 10
levers: [richesses-humaines]
---

Les mots du parcours.
""",
    "diagnostic": """\
---
title: Le diagnostic
duration: 20
levers: [financements]
---

Poser un diagnostic partagé.
""",
    "posture": """\
---
title: La posture
duration: 25
levers: [alliances]
---

Tenir sa posture.
""",
}

QUIZZES = {
    "bases": """\
max_attempts: 3
questions:
  - id: q1
    type: single_choice
    prompt: Quelle est la bonne réponse ?
    levers: [financements]
    choices:
      - {id: a, text: La bonne, correct: true}
      - {id: b, text: La mauvaise}
    explanation: Parce que c'est la bonne.
  - id: q2
    type: multiple_choice
    prompt: Lesquelles sont justes ?
    choices:
      - {id: a, text: Celle-ci, correct: true}
      - {id: b, text: Celle-là, correct: true}
      - {id: c, text: Pas celle-là}
    explanation: Les deux premières.
  - id: q3
    type: true_false
    prompt: Le ciel est bleu.
    answer: true
    explanation: Par beau temps.
""",
    "vocabulaire": """\
questions:
  - id: q1
    type: true_false
    prompt: Un levier est un financement.
    answer: false
    explanation: Il y a trois leviers.
""",
}


@dataclass
class Package:
    """A package folder on disk; every helper takes paths relative to it."""

    path: Path

    def file(self, name: str) -> Path:
        return self.path / name

    def read(self, name: str) -> str:
        return self.file(name).read_text(encoding="utf-8")

    def write(self, name: str, content: str | bytes) -> None:
        target = self.file(name)
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content, encoding="utf-8")

    def replace(self, name: str, old: str, new: str) -> None:
        """Replace the one occurrence of `old`; fails if there is none or several."""
        text = self.read(name)
        assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times in {name}"
        self.write(name, text.replace(old, new))

    def remove(self, name: str) -> None:
        self.file(name).unlink()

    def line_of(self, name: str, needle: str, after: str | None = None) -> int:
        """The 1-based number of the one line of `name` that contains `needle`.

        With `after`, the first line containing `needle` below the one line containing `after`.
        """
        lines = self.read(name).splitlines()
        start = 0 if after is None else self.line_of(name, after)
        found = [
            number
            for number, line in enumerate(lines, start=1)
            if number > start and needle in line
        ]
        if after is None:
            assert len(found) == 1, f"{needle!r} is on lines {found} of {name}"
        assert found, f"{needle!r} is not in {name} below {after!r}"
        return found[0]


def write_package(path: Path, slug: str = "essai", title: str = "Parcours d'essai") -> Package:
    """A valid package with 4 modules over the 3 levels; two modules have a quiz (4 questions)."""
    package = Package(path)
    package.write("parcours.yaml", MANIFEST.format(slug=slug, title=title))
    for module_slug, text in MODULES.items():
        package.write(f"modules/{module_slug}.md", text)
    for module_slug, text in QUIZZES.items():
        package.write(f"quizzes/{module_slug}.yaml", text)
    return package
