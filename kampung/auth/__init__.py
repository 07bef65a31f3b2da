"""Staff accounts: login, logout and the role checks every staff page uses."""
