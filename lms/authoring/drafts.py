"""The draft as a package, and a package as a draft.

Publishing writes the draft as package files and hands them to the loader, the same
validator and importer as `flask lms import-course`: what trainers build in the browser is
exactly what a `courses/` package holds.
"""

import copy
import hashlib

from lms.authoring.models import ModuleDraft, ParcoursDraft
from lms.catalog.files import read_blob
from lms.catalog.models import LEVEL_ORDER, Parcours
from lms.catalog.package import PackageData, live_package, package_files, zip_files


def draft_package(draft: ParcoursDraft) -> PackageData:
    manifest = copy.deepcopy(draft.manifest)
    for level in manifest["levels"]:
        level["modules"] = list(draft.structure.get(level["key"], []))
    data = PackageData(manifest=manifest, bank=copy.deepcopy(draft.bank))
    modules = {module.slug: module for module in draft.modules}
    for level in manifest["levels"]:
        for slug in level["modules"]:
            module = modules[slug]
            data.modules[slug] = (copy.deepcopy(module.front), module.body_markdown)
            if module.quiz is not None:
                data.quizzes[slug] = copy.deepcopy(module.quiz)
            for resource in module.front.get("resources", []):
                name = resource.get("file")
                if name and name in draft.files:
                    data.files[name] = read_blob(draft.files[name])
    return data


def published_fingerprint(parcours: Parcours) -> str:
    """A hash of the published content, as the package it exports to."""
    data = zip_files(parcours.slug, package_files(live_package(parcours)))
    return hashlib.sha256(data).hexdigest()


def fill_draft(draft: ParcoursDraft, parcours: Parcours) -> None:
    """Make the draft a copy of the published content."""
    data = live_package(parcours)
    draft.based_on = published_fingerprint(parcours)
    manifest = copy.deepcopy(data.manifest)
    structure = {key.value: [] for key in LEVEL_ORDER}
    for level in manifest["levels"]:
        structure[level["key"]] = level.pop("modules")
    draft.manifest = manifest
    draft.structure = structure
    draft.bank = data.bank
    draft.files = {
        f"fichiers/{resource.file_name}": resource.file_sha256
        for level in parcours.levels
        for module in level.modules
        for resource in module.resources
        if resource.file_sha256 and resource.file_name
    }
    existing = {module.slug: module for module in draft.modules}
    for slug, (front, body) in data.modules.items():
        module = existing.pop(slug, None)
        if module is None:
            module = ModuleDraft(slug=slug)
            draft.modules.append(module)
            module.version = module.quiz_version = 1
        else:
            module.version += 1
            module.quiz_version += 1
        module.front = front
        module.body_markdown = body
        module.quiz = data.quizzes.get(slug)
    for module in existing.values():
        draft.modules.remove(module)
    draft.version += 1
    draft.bank_version += 1
    draft.has_changes = False
