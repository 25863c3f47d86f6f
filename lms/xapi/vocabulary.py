"""The verbs and activity types our statements use: ADL's published vocabulary."""

from dataclasses import dataclass


@dataclass(frozen=True)
class VerbDef:
    id: str
    display_fr: str
    display_en: str

    @property
    def display(self) -> dict[str, str]:
        return {"fr-FR": self.display_fr, "en-US": self.display_en}


_ADL = "http://adlnet.gov/expapi/verbs/"

REGISTERED = VerbDef(_ADL + "registered", "s'est inscrit", "registered")
EXPERIENCED = VerbDef(_ADL + "experienced", "a lu", "experienced")
ATTEMPTED = VerbDef(_ADL + "attempted", "a commencé", "attempted")
ANSWERED = VerbDef(_ADL + "answered", "a répondu", "answered")
PASSED = VerbDef(_ADL + "passed", "a réussi", "passed")
FAILED = VerbDef(_ADL + "failed", "a échoué", "failed")
COMPLETED = VerbDef(_ADL + "completed", "a terminé", "completed")
VOIDED = VerbDef(_ADL + "voided", "a annulé", "voided")
# Not in ADL's list; the verb registry's "earned" is the one LRSs and badge tools know.
EARNED = VerbDef("http://id.tincanapi.com/verb/earned", "a obtenu", "earned")

_ACTIVITIES = "http://adlnet.gov/expapi/activities/"
TYPE_COURSE = _ACTIVITIES + "course"
TYPE_LEVEL = _ACTIVITIES + "module"  # ADL has no "level": a level is a module of the course
TYPE_MODULE = _ACTIVITIES + "lesson"
TYPE_QUIZ = _ACTIVITIES + "assessment"
TYPE_QUESTION = _ACTIVITIES + "cmi.interaction"
TYPE_CREDENTIAL = "http://id.tincanapi.com/activitytype/badge"
