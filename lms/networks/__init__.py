"""Regional networks: structures, cohorts, bulk enrolment, dashboards, exports, reminders."""
