"""Rooms on the road: a trip's hotel rooms, who sleeps where, and the automatic assignment."""
