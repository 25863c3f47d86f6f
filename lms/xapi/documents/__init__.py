"""xAPI documents: the state, activity profile and agent profile resources of the LRS."""
