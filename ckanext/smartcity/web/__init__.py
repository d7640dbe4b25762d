"""The pages citizens see: home page and dataset page helpers, and the
rules every request passes (no shared caching for signed-in users, CSRF
for cookie sessions)."""
