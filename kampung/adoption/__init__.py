"""Adoption: the practices the chair names, the commitments (Rencana Tindak Lanjut) participants
make at the end of a named survey, and the follow-up rounds that ask how each one went."""
