"""Read a package from disk into validated specs, touching no database."""

import codecs
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from pydantic import BaseModel, ValidationError

from lms.catalog.files import FileRejectedError, FileType, check_file
from lms.catalog.loader.errors import LoadError, PackageError
from lms.catalog.loader.schema import BankSpec, ManifestSpec, ModuleFrontMatter, QuizSpec
from lms.catalog.loader.yaml_source import YamlSource, YamlSyntaxError, parse_yaml
from lms.catalog.markdown import render_markdown

M = TypeVar("M", bound=BaseModel)

MANIFEST_NAME = "parcours.yaml"
BANK_NAME = "banque.yaml"
QUIZ_SUFFIXES = (".yaml", ".yml")
_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)^---[ \t]*$\r?\n?", re.DOTALL | re.MULTILINE)

# Pydantic's messages are generic; authors read theirs in the platform's languages.
MESSAGES = {
    "extra_forbidden": _l("champ inconnu"),
    "missing": _l("champ obligatoire manquant"),
    "string_too_short": _l("ne doit pas être vide"),
    "too_short": _l("ne doit pas être vide"),
    "string_pattern_mismatch": _l("format invalide"),
    "string_type": _l("doit être un texte"),
    "int_type": _l("doit être un nombre entier"),
    "int_parsing": _l("doit être un nombre entier"),
    "bool_type": _l("doit valoir true ou false"),
    "bool_parsing": _l("doit valoir true ou false"),
    "list_type": _l("doit être une liste"),
    "model_type": _l("doit être un ensemble de champs (clé: valeur)"),
    "model_attributes_type": _l("doit être un ensemble de champs (clé: valeur)"),
}


@dataclass
class ModuleSource:
    slug: str
    level_key: str
    front: ModuleFrontMatter
    body_markdown: str
    body_html: str
    quiz: QuizSpec | None
    quiz_path: Path | None = None


@dataclass(frozen=True)
class FileSource:
    """A resource file of the package, already checked."""

    data: bytes
    kind: FileType


@dataclass
class PackageSource:
    path: Path
    manifest: ManifestSpec
    # Where each manifest value is, for the errors found across packages.
    manifest_source: YamlSource
    modules: list[ModuleSource] = field(default_factory=list)
    bank: BankSpec | None = None
    # Resource files by their path in the package ("fichiers/guide.pdf").
    files: dict[str, FileSource] = field(default_factory=dict)


def read_packages(paths: list[Path]) -> list[PackageSource]:
    """Read every package, collecting all errors; raises PackageError if any."""
    errors: list[LoadError] = []
    packages: list[PackageSource] = []
    for path in paths:
        try:
            packages.append(read_package(path))
        except PackageError as error:
            errors.extend(error.errors)
    seen: dict[str, PackageSource] = {}
    for package in packages:
        slug = package.manifest.slug
        first = seen.setdefault(slug, package)
        if first is not package:
            errors.append(
                LoadError(
                    _display(package.path / MANIFEST_NAME),
                    package.manifest_source.line_of(("slug",)),
                    "slug",
                    _(
                        "slug « %(slug)s » déjà utilisé par %(where)s",
                        slug=slug,
                        where=f"{_display(first.path / MANIFEST_NAME)}"
                        f":{first.manifest_source.line_of(('slug',))}",
                    ),
                )
            )
    if errors:
        raise PackageError(errors)
    return packages


def read_package(path: Path) -> PackageSource:
    """Read and validate one package folder; raises PackageError listing every problem."""
    errors: list[LoadError] = []
    manifest_path = path / MANIFEST_NAME
    if not path.is_dir():
        raise PackageError([LoadError(_display(path), None, None, _("dossier introuvable"))])
    if not manifest_path.is_file():
        raise PackageError(
            [LoadError(_display(manifest_path), None, None, _("manifeste introuvable"))]
        )
    manifest = _load_yaml_model(manifest_path, ManifestSpec, errors)
    if manifest is None:
        raise PackageError(errors)

    # Already read and parsed without error by _load_yaml_model.
    manifest_source = parse_yaml(_decode(manifest_path.read_bytes()))
    package = PackageSource(path=path, manifest=manifest, manifest_source=manifest_source)
    listed: dict[str, tuple[int, int]] = {}
    for level_index, level in enumerate(manifest.levels):
        for module_index, slug in enumerate(level.modules):
            where = ("levels", level_index, "modules", module_index)
            if slug in listed:
                errors.append(
                    LoadError(
                        _display(manifest_path),
                        manifest_source.line_of(where),
                        _dotted(where),
                        _("module « %(slug)s » listé deux fois", slug=slug),
                    )
                )
                continue
            listed[slug] = (level_index, module_index)
            module_path = path / "modules" / f"{slug}.md"
            if not module_path.is_file():
                errors.append(
                    LoadError(
                        _display(manifest_path),
                        manifest_source.line_of(where),
                        _dotted(where),
                        _(
                            "module « %(slug)s » listé mais fichier %(file)s absent",
                            slug=slug,
                            file=_display(module_path),
                        ),
                    )
                )
                continue
            module = _read_module(module_path, slug, level.key, errors)
            if module is not None:
                package.modules.append(module)

    quiz_dir = path / "quizzes"
    if quiz_dir.is_dir():
        quizzes: dict[str, Path] = {}
        # Sorted, .yaml comes before .yml: the order in which _read_module looks for a quiz.
        for quiz_path in sorted(quiz_dir.iterdir()):
            if quiz_path.suffix not in QUIZ_SUFFIXES:
                continue
            slug = quiz_path.stem
            if slug not in listed:
                message = _(
                    "aucun module « %(slug)s » dans %(manifest)s "
                    "(un quiz porte le nom de son module)",
                    slug=slug,
                    manifest=MANIFEST_NAME,
                )
            elif slug in quizzes:
                message = _(
                    "le module « %(slug)s » a déjà un quiz : %(file)s",
                    slug=slug,
                    file=_display(quizzes[slug]),
                )
            else:
                quizzes[slug] = quiz_path
                continue
            errors.append(LoadError(_display(quiz_path), 1, None, message))

    bank_path = path / BANK_NAME
    if bank_path.is_file():
        package.bank = _load_yaml_model(bank_path, BankSpec, errors)
    _check_draws(package, errors)
    _read_files(package, errors)
    if errors:
        raise PackageError(errors)
    return package


def _check_draws(package: PackageSource, errors: list[LoadError]) -> None:
    """A quiz that draws from the bank needs enough bank questions with its levers."""
    bank = package.bank.questions if package.bank is not None else []
    for module in package.modules:
        quiz = module.quiz
        if quiz is None or quiz.draw is None:
            continue
        wanted = set(quiz.draw.levers)
        available = [q for q in bank if not wanted or wanted & set(q.levers)]
        if len(available) < quiz.draw.count:
            levers = ", ".join(sorted(lever.value for lever in wanted)) or _("tous leviers")
            errors.append(
                LoadError(
                    _display(module.quiz_path or package.path),
                    None,
                    "draw.count",
                    _(
                        "le tirage demande %(count)d question(s) mais %(bank)s n'en a que "
                        "%(available)d pour : %(levers)s",
                        count=quiz.draw.count,
                        bank=BANK_NAME,
                        available=len(available),
                        levers=levers,
                    ),
                )
            )


def _read_files(package: PackageSource, errors: list[LoadError]) -> None:
    """Every file a resource names must be in the package and be an accepted file."""
    for module in package.modules:
        module_path = package.path / "modules" / f"{module.slug}.md"
        for index, resource in enumerate(module.front.resources):
            if resource.file is None or resource.file in package.files:
                continue
            file_path = package.path / resource.file
            where = f"resources[{index}].file"
            if not file_path.is_file():
                errors.append(
                    LoadError(
                        _display(module_path),
                        None,
                        where,
                        _("fichier %(file)s absent", file=resource.file),
                    )
                )
                continue
            data = file_path.read_bytes()
            try:
                kind = check_file(file_path.name, data)
            except FileRejectedError as error:
                errors.append(LoadError(_display(module_path), None, where, error.message))
                continue
            package.files[resource.file] = FileSource(data=data, kind=kind)


def _read_module(
    path: Path, slug: str, level_key: str, errors: list[LoadError]
) -> ModuleSource | None:
    text = _read_text(path, errors)
    if text is None:
        return None
    match = _FRONT_MATTER.match(text)
    if match is None:
        if text.partition("\n")[0].rstrip() == "---":
            message = _("en-tête YAML non fermé (ajoutez une ligne --- après l'en-tête)")
        else:
            message = _("en-tête YAML absent (le fichier doit commencer par ---)")
        errors.append(LoadError(_display(path), 1, None, message))
        return None
    front = _validate_yaml(path, match.group(1), ModuleFrontMatter, errors, first_line=2)
    body = text[match.end() :]
    if not body.strip():
        body_line = text.count("\n", 0, match.end()) + 1
        errors.append(LoadError(_display(path), body_line, None, _("le module n'a pas de contenu")))
    quiz = None
    found_quiz_path = None
    for suffix in QUIZ_SUFFIXES:
        quiz_path = path.parent.parent / "quizzes" / f"{slug}{suffix}"
        if quiz_path.is_file():
            quiz = _load_yaml_model(quiz_path, QuizSpec, errors)
            found_quiz_path = quiz_path
            break
    if front is None:
        return None
    return ModuleSource(
        slug=slug,
        level_key=level_key,
        front=front,
        body_markdown=body,
        body_html=render_markdown(body),
        quiz=quiz,
        quiz_path=found_quiz_path,
    )


def _load_yaml_model(path: Path, model: type[M], errors: list[LoadError]) -> M | None:
    text = _read_text(path, errors)
    if text is None:
        return None
    return _validate_yaml(path, text, model, errors)


def _validate_yaml(
    path: Path, text: str, model: type[M], errors: list[LoadError], first_line: int = 1
) -> M | None:
    try:
        source = parse_yaml(text, first_line=first_line)
    except YamlSyntaxError as error:
        errors.append(
            LoadError(
                _display(path),
                error.line,
                None,
                _("YAML invalide : %(error)s", error=error.message),
            )
        )
        return None
    found = len(errors)
    for key_path, line in source.duplicate_keys:
        errors.append(
            LoadError(_display(path), line, _dotted(key_path), _("champ présent deux fois"))
        )
    if not isinstance(source.data, dict):
        message = (
            _("le document est vide")
            if source.data is None
            else _("le document doit être un ensemble de champs (clé: valeur)")
        )
        errors.append(LoadError(_display(path), first_line, None, message))
        return None
    try:
        value = model.model_validate(source.data)
    except ValidationError as error:
        errors.extend(_pydantic_errors(path, source, error))
        return None
    return value if len(errors) == found else None


def _pydantic_errors(path: Path, source: YamlSource, error: ValidationError) -> list[LoadError]:
    result = []
    for detail in error.errors(include_url=False):
        loc = tuple(part for part in detail["loc"] if not _is_tag(part))
        known = MESSAGES.get(detail["type"])
        message = None if known is None else str(known)
        if message is None:
            message = str(detail["msg"]).removeprefix("Value error, ")
        elif detail["type"] in {"string_pattern_mismatch", "literal_error", "enum"}:
            message = f"{message} : {detail['msg']}"
        if detail["type"] in {"literal_error", "enum"}:
            expected = detail.get("ctx", {}).get("expected", "")
            message = _(
                "valeur « %(value)s » non admise ; attendu : %(expected)s",
                value=detail.get("input"),
                expected=expected,
            )
        result.append(LoadError(_display(path), source.line_of(loc), _dotted(loc) or None, message))
    return result


def _is_tag(part: object) -> bool:
    # Pydantic adds the member name of unions and function validators to `loc`.
    return isinstance(part, str) and (part.startswith("function-") or part in {"list[...]"})


def _read_text(path: Path, errors: list[LoadError]) -> str | None:
    try:
        data = path.read_bytes()
    except OSError as error:
        errors.append(
            LoadError(
                _display(path), None, None, _("lecture impossible (%(why)s)", why=error.strerror)
            )
        )
        return None
    try:
        return _decode(data)
    except UnicodeDecodeError as error:
        data = data.removeprefix(codecs.BOM_UTF8)
        line = data.count(b"\n", 0, error.start) + 1
        errors.append(
            LoadError(
                _display(path),
                line,
                None,
                _(
                    "fichier non UTF-8 : octet 0x%(byte)02x invalide "
                    "(enregistrez le fichier en UTF-8)",
                    byte=data[error.start],
                ),
            )
        )
        return None


def _decode(data: bytes) -> str:
    """UTF-8, ignoring the byte order mark some editors write (it would hide the front matter)."""
    return data.removeprefix(codecs.BOM_UTF8).decode("utf-8")


def _dotted(path: tuple) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)
