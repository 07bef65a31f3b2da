"""Links staff send to participants: the access link sent again, and purpose links that open
one thing only (the survey). The rules are in `service`."""
