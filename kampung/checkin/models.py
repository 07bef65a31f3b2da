"""Check-ins and the audit log of every scan."""
