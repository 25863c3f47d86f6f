"""Personal data (RGPD): a person's export, the erasure of an account, retention."""
