"""Learning: enrolment, module reading, quiz attempts, and the learner's pages."""
