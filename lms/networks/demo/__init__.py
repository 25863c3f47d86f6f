"""A large demo cohort, generated in bulk: the rows the write path would have written.

Going through `record_statements` one action at a time costs a few milliseconds per
statement, hours for a million. This generator writes the same rows in batches instead:

- statements are built by the real builders (`lms.xapi.statements`), once per kind of
  event, then stamped for each learner (id, actor, registration, timestamp, cause), with
  the same normalisation as the store (`context_activities_as_lists`, authority, version,
  `stored`, `context.statement` on derived statements) and the same index rows;
- the progress projection, quiz attempts and certificates are computed by `Learner`,
  which follows the rules of `lms.progress.projection` (live mode) and of the write path
  (completions recorded right after their cause, each level attestation and the
  certificate right after the completion they attest).

`tests/networks/test_demo_data.py` holds it to that: replaying the generated statements
rebuilds exactly the generated projection, and the same journey through the real
operations stores the same statements. Demo data only: no e-mail is queued, and the
command refuses to run while statements are forwarded to an outside LRS.
"""

from lms.networks.demo.generator import Generator, plan_journey
from lms.networks.demo.learner import chosen_answers

__all__ = ["Generator", "chosen_answers", "plan_journey"]
