"""The trip's rundown and the committee's announcements: organisers edit them, participants read
them on their personal page (or through a schedule-only link) and mark each change read."""
